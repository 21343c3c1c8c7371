package dev.ferry.coordinator.share;

import dev.ferry.coordinator.group.GroupListing;
import dev.ferry.coordinator.group.HostedGroups;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Share-group membership (KIP-932) for the groups this broker coordinates (those whose {@code
 * __consumer_offsets} partition it leads, as for consumer groups). Members join, heartbeat and
 * leave with ShareGroupHeartbeat; a share group has no revocation, since every member may fetch
 * from every partition of the topics it subscribes to: the assignment is all of them. The group
 * epoch moves on with each change of members, subscriptions or partition counts, and a member takes
 * it (with its new assignment) on its next heartbeat.
 *
 * <p>Membership survives a coordinator move: each change of the group epoch, of a member or of a
 * member's epoch writes the group's snapshot ({@link ShareGroupRecords}) through the {@link
 * ShareGroupStore} (the group's {@code __consumer_offsets} partition, as Kafka keeps its
 * share-group records there), and a heartbeat that made one is answered once it is durable. The
 * broker that loads the partition next gets the groups back ({@link #restore}) with their members'
 * sessions restarted, so members keep heartbeating at their epochs; one whose last change was lost
 * gets UNKNOWN_MEMBER_ID or FENCED_MEMBER_EPOCH and rejoins, which a share consumer does at once,
 * losing nothing (the delivery state lives with the partitions, see {@link SharePartition}).
 * Session expiry runs on the broker's scheduler.
 */
public final class ShareGroupCoordinator implements HostedGroups {

  private static final Logger log = LoggerFactory.getLogger(ShareGroupCoordinator.class);

  /** The type of share groups in ListGroups and DescribeGroups. */
  public static final String SHARE_GROUP_TYPE = "share";

  /** The protocol type Kafka shows for share groups in ListGroups. */
  public static final String PROTOCOL_TYPE = "share";

  /** The one assignor of share groups, as ShareGroupDescribe names it. */
  public static final String ASSIGNOR = "simple";

  /** A topic as assignment sees it. */
  public record TopicInfo(String name, Uuid id, int partitions) {}

  private final ShareGroupConfig config;
  private final Time time;
  private final ScheduledExecutorService scheduler;
  private final Function<String, Optional<TopicInfo>> topics;
  private final Function<String, Errors> coordinatorCheck;
  private final ShareGroupStore store;
  private final Map<String, ShareGroup> groups = new ConcurrentHashMap<>();

  /** Membership in memory only ({@link ShareGroupStore#NONE}). */
  public ShareGroupCoordinator(
      ShareGroupConfig config,
      Time time,
      ScheduledExecutorService scheduler,
      Function<String, Optional<TopicInfo>> topics,
      Function<String, Errors> coordinatorCheck) {
    this(config, time, scheduler, topics, coordinatorCheck, ShareGroupStore.NONE);
  }

  /**
   * @param topics looks a topic up by name (metadata, never blocking)
   * @param coordinatorCheck NONE when this broker coordinates the group, else the error to answer
   *     (NOT_COORDINATOR, COORDINATOR_LOAD_IN_PROGRESS)
   * @param store keeps the groups' snapshots across coordinator moves
   */
  public ShareGroupCoordinator(
      ShareGroupConfig config,
      Time time,
      ScheduledExecutorService scheduler,
      Function<String, Optional<TopicInfo>> topics,
      Function<String, Errors> coordinatorCheck,
      ShareGroupStore store) {
    this.config = config;
    this.time = time;
    this.scheduler = scheduler;
    this.topics = topics;
    this.coordinatorCheck = coordinatorCheck;
    this.store = store;
  }

  /**
   * One ShareGroupHeartbeat; completes at once, or once the group's snapshot is durable when the
   * heartbeat changed the group (a join, a new subscription or assignment, a new member epoch).
   */
  public CompletableFuture<ShareGroupHeartbeatResponseData> heartbeat(
      String clientId, String clientHost, ShareGroupHeartbeatRequestData req) {
    Errors invalid = validate(req);
    if (invalid != Errors.NONE) {
      return done(error(invalid, invalidMessage(req)));
    }
    Errors owner = coordinatorCheck.apply(req.groupId());
    if (owner != Errors.NONE) {
      return done(error(owner, null));
    }
    ShareGroup group =
        req.memberEpoch() == 0
            ? groups.computeIfAbsent(req.groupId(), ShareGroup::new)
            : groups.get(req.groupId());
    if (group == null) {
      return done(error(Errors.GROUP_ID_NOT_FOUND, "Share group " + req.groupId() + " not found."));
    }
    synchronized (group) {
      if (group.unloaded) {
        // The partition moved away between the ownership check and here.
        return done(error(Errors.NOT_COORDINATOR, null));
      }
      ShareGroupMember member = group.members.get(req.memberId());
      boolean changed = false;
      if (req.memberEpoch() == -1) {
        ShareGroupHeartbeatResponseData left =
            new ShareGroupHeartbeatResponseData()
                .setMemberId(req.memberId())
                .setMemberEpoch(-1)
                .setHeartbeatIntervalMs(0);
        if (member != null) {
          remove(group, member);
          // A member that leaves is gone whether or not the write succeeds; it need not wait.
          persist(group);
        }
        return done(left);
      }
      if (req.memberEpoch() == 0) {
        if (member == null) {
          if (group.members.size() >= config.maxSize()) {
            return done(
                error(
                    Errors.GROUP_MAX_SIZE_REACHED,
                    "The share group has reached its maximum capacity of "
                        + config.maxSize()
                        + " members."));
          }
          member = new ShareGroupMember(req.memberId());
          group.members.put(member.memberId, member);
        }
        member.clientId = clientId;
        member.clientHost = clientHost;
        member.epoch = 0;
        changed = true;
      } else {
        if (member == null) {
          return done(
              error(
                  Errors.UNKNOWN_MEMBER_ID,
                  "Member " + req.memberId() + " is not a member of group " + req.groupId() + "."));
        }
        if (req.memberEpoch() != member.epoch) {
          return done(
              error(
                  Errors.FENCED_MEMBER_EPOCH,
                  "The share group member has a smaller member epoch ("
                      + req.memberEpoch()
                      + ") than the one known by the group coordinator ("
                      + member.epoch
                      + "). The member must abandon all its partitions and rejoin."));
        }
      }
      if (req.rackId() != null) {
        member.rackId = req.rackId();
      }
      if (req.subscribedTopicNames() != null
          && !req.subscribedTopicNames().equals(member.subscriptions)) {
        member.subscriptions = List.copyOf(req.subscribedTopicNames());
        changed = true;
      }
      // Partition counts may have changed (or a subscribed topic been created): every member's
      // assignment is recomputed from metadata, and a change moves the group on.
      Map<Uuid, List<Integer>> target = assignment(member.subscriptions);
      if (changed || !target.equals(member.assignment)) {
        group.epoch++;
      }
      boolean send = member.epoch != group.epoch;
      member.assignment = target;
      member.epoch = group.epoch;
      scheduleExpiry(group, member);
      ShareGroupHeartbeatResponseData out =
          new ShareGroupHeartbeatResponseData()
              .setMemberId(member.memberId)
              .setMemberEpoch(member.epoch)
              .setHeartbeatIntervalMs(config.heartbeatIntervalMs());
      if (!send) {
        return done(out);
      }
      List<ShareGroupHeartbeatResponseData.TopicPartitions> tps = new ArrayList<>();
      target.forEach(
          (id, ps) ->
              tps.add(
                  new ShareGroupHeartbeatResponseData.TopicPartitions()
                      .setTopicId(id)
                      .setPartitions(ps)));
      out.setAssignment(new ShareGroupHeartbeatResponseData.Assignment().setTopicPartitions(tps));
      // The member's epoch moved on: answered once the snapshot says so, so that the next
      // coordinator knows the epoch the member will heartbeat with.
      return persist(group).thenApply(e -> e == Errors.NONE ? out : error(e, null));
    }
  }

  /** Writes the group's snapshot; the caller holds its monitor (snapshots stay in order). */
  private CompletableFuture<Errors> persist(ShareGroup group) {
    String groupId = group.groupId;
    return store
        .store(groupId, ShareGroupRecords.value(group))
        .exceptionally(e -> Errors.UNKNOWN_SERVER_ERROR)
        .whenComplete(
            (e, err) -> {
              if (e != Errors.NONE) {
                log.warn("Could not store share group {}: {}", groupId, e);
              }
            });
  }

  /**
   * A share group's snapshot from the {@code __consumer_offsets} partition this broker is loading:
   * the group comes back with its epoch and members (assignments from the current metadata), and
   * each member's session starts now.
   */
  @Override
  public void restore(int offsetsPartition, String groupId, ByteBuffer snapshot) {
    ShareGroup group;
    try {
      group = ShareGroupRecords.parse(groupId, snapshot);
    } catch (ShareGroupRecords.MalformedSnapshotException e) {
      log.warn("Skipping unreadable state of share group {}", groupId, e);
      return;
    }
    synchronized (group) {
      for (ShareGroupMember m : group.members.values()) {
        m.assignment = assignment(m.subscriptions);
        scheduleExpiry(group, m);
      }
    }
    ShareGroup previous = groups.put(groupId, group);
    if (previous != null) {
      drop(previous);
    }
  }

  /** Drops the groups of an offsets partition this broker no longer coordinates. */
  @Override
  public void unload(int offsetsPartition) {
    for (ShareGroup g : new ArrayList<>(groups.values())) {
      if (store.partitionFor(g.groupId) == offsetsPartition && groups.remove(g.groupId, g)) {
        drop(g);
      }
    }
  }

  private static void drop(ShareGroup group) {
    synchronized (group) {
      group.unloaded = true;
      for (ShareGroupMember m : group.members.values()) {
        if (m.expiry != null) {
          m.expiry.cancel(false);
        }
      }
    }
  }

  private static CompletableFuture<ShareGroupHeartbeatResponseData> done(
      ShareGroupHeartbeatResponseData response) {
    return CompletableFuture.completedFuture(response);
  }

  private static Errors validate(ShareGroupHeartbeatRequestData req) {
    return invalidMessage(req) == null ? Errors.NONE : Errors.INVALID_REQUEST;
  }

  private static String invalidMessage(ShareGroupHeartbeatRequestData req) {
    if (req.groupId() == null || req.groupId().isEmpty()) {
      return "GroupId can't be empty.";
    }
    if (req.memberId() == null || req.memberId().isEmpty()) {
      return "MemberId can't be empty.";
    }
    if (!isUuid(req.memberId())) {
      return "MemberId must be a UUID.";
    }
    if (req.memberEpoch() < -1) {
      return "MemberEpoch is invalid.";
    }
    if (req.memberEpoch() == 0
        && (req.subscribedTopicNames() == null || req.subscribedTopicNames().isEmpty())) {
      return "SubscribedTopicNames must be set in first request.";
    }
    return null;
  }

  /** Share-group member ids are client-made UUIDs (Kafka refuses anything else). */
  public static boolean isUuid(String memberId) {
    try {
      Uuid.fromString(memberId);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private Map<Uuid, List<Integer>> assignment(List<String> subscriptions) {
    Map<Uuid, List<Integer>> out = new TreeMap<>();
    for (String name : subscriptions) {
      topics
          .apply(name)
          .ifPresent(
              t -> {
                List<Integer> ps = new ArrayList<>(t.partitions());
                for (int p = 0; p < t.partitions(); p++) {
                  ps.add(p);
                }
                out.put(t.id(), ps);
              });
    }
    return out;
  }

  private void scheduleExpiry(ShareGroup group, ShareGroupMember member) {
    ScheduledFuture<?> previous = member.expiry;
    if (previous != null) {
      previous.cancel(false);
    }
    member.lastHeartbeatMs = time.milliseconds();
    member.expiry =
        scheduler.schedule(
            () -> expire(group, member), config.sessionTimeoutMs(), TimeUnit.MILLISECONDS);
  }

  private void expire(ShareGroup group, ShareGroupMember member) {
    synchronized (group) {
      if (!group.unloaded
          && group.members.get(member.memberId) == member
          && time.milliseconds() - member.lastHeartbeatMs >= config.sessionTimeoutMs()) {
        remove(group, member);
        persist(group);
      }
    }
  }

  private void remove(ShareGroup group, ShareGroupMember member) {
    group.members.remove(member.memberId);
    if (member.expiry != null) {
      member.expiry.cancel(false);
    }
    group.epoch++;
  }

  /** One group as ShareGroupDescribe shows it. */
  public ShareGroupDescribeResponseData.DescribedGroup describe(String groupId) {
    ShareGroupDescribeResponseData.DescribedGroup out =
        new ShareGroupDescribeResponseData.DescribedGroup().setGroupId(groupId);
    Errors owner = coordinatorCheck.apply(groupId);
    if (owner != Errors.NONE) {
      return out.setErrorCode(owner.code());
    }
    ShareGroup group = groups.get(groupId);
    if (group == null) {
      return out.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code())
          .setErrorMessage("Group " + groupId + " not found.");
    }
    synchronized (group) {
      List<ShareGroupDescribeResponseData.Member> members = new ArrayList<>();
      for (ShareGroupMember m : group.members.values()) {
        List<ShareGroupDescribeResponseData.TopicPartitions> tps = new ArrayList<>();
        m.assignment.forEach(
            (id, ps) ->
                tps.add(
                    new ShareGroupDescribeResponseData.TopicPartitions()
                        .setTopicId(id)
                        .setTopicName(topicName(m.subscriptions, id))
                        .setPartitions(ps)));
        members.add(
            new ShareGroupDescribeResponseData.Member()
                .setMemberId(m.memberId)
                .setRackId(m.rackId)
                .setMemberEpoch(m.epoch)
                .setClientId(m.clientId)
                .setClientHost(m.clientHost)
                .setSubscribedTopicNames(m.subscriptions)
                .setAssignment(
                    new ShareGroupDescribeResponseData.Assignment().setTopicPartitions(tps)));
      }
      return out.setGroupState(group.state())
          .setGroupEpoch(group.epoch)
          .setAssignmentEpoch(group.epoch)
          .setAssignorName(ASSIGNOR)
          .setMembers(members);
    }
  }

  private String topicName(List<String> subscriptions, Uuid id) {
    for (String name : subscriptions) {
      Optional<TopicInfo> t = topics.apply(name);
      if (t.isPresent() && t.get().id().equals(id)) {
        return name;
      }
    }
    return "";
  }

  /** NONE when this broker coordinates {@code groupId}, else the error to answer. */
  public Errors ownership(String groupId) {
    return coordinatorCheck.apply(groupId);
  }

  /**
   * For AlterShareGroupOffsets: NONE when the group is empty or does not exist, else
   * NON_EMPTY_GROUP. With {@code create} (some partition's offset is set) a missing group is
   * created, as Kafka does: offsets may be set before any consumer joins; an alter that sets
   * nothing leaves no group behind, as in Kafka. The caller replaces state only on NONE.
   */
  public Errors emptyOrCreate(String groupId, boolean create) {
    ShareGroup group = groups.get(groupId);
    if (group == null && create) {
      ShareGroup created = new ShareGroup(groupId);
      group = groups.computeIfAbsent(groupId, id -> created);
      if (group == created) {
        synchronized (group) {
          // Offsets set before any consumer joined: the group exists on the next coordinator too.
          persist(group);
        }
      }
    }
    if (group == null) {
      return Errors.NONE;
    }
    synchronized (group) {
      return group.members.isEmpty() ? Errors.NONE : Errors.NON_EMPTY_GROUP;
    }
  }

  /**
   * For DeleteShareGroupOffsets: NONE when the group exists and is empty, GROUP_ID_NOT_FOUND when
   * it does not exist, NON_EMPTY_GROUP when it has members.
   */
  public Errors emptyExisting(String groupId) {
    ShareGroup group = groups.get(groupId);
    if (group == null) {
      return Errors.GROUP_ID_NOT_FOUND;
    }
    synchronized (group) {
      return group.members.isEmpty() ? Errors.NONE : Errors.NON_EMPTY_GROUP;
    }
  }

  /** Whether {@code groupId} is a share group here. */
  public boolean isShareGroup(String groupId) {
    return groups.containsKey(groupId);
  }

  /** The share groups this broker coordinates, for ListGroups. */
  public List<GroupListing> list() {
    List<GroupListing> out = new ArrayList<>();
    groups.forEach(
        (id, g) -> {
          if (coordinatorCheck.apply(id) == Errors.NONE) {
            synchronized (g) {
              out.add(new GroupListing(id, PROTOCOL_TYPE, g.state(), SHARE_GROUP_TYPE));
            }
          }
        });
    return out;
  }

  /** The members of a share group as DescribeGroups shows them (state and ids). */
  public Optional<ShareGroupDescribeResponseData.DescribedGroup> describeIfShare(String groupId) {
    return groups.containsKey(groupId) ? Optional.of(describe(groupId)) : Optional.empty();
  }

  private static ShareGroupHeartbeatResponseData error(Errors error, String message) {
    return new ShareGroupHeartbeatResponseData()
        .setErrorCode(error.code())
        .setErrorMessage(message);
  }
}
