package dev.ferry.coordinator.group;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import dev.ferry.storage.AppendResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.errors.InvalidRegularExpression;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnsupportedAssignorException;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData.TopicPartitions;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The consumer group protocol of KIP-848: ConsumerGroupHeartbeat (join, heartbeat, leave), member
 * and group epochs, the server-side target assignment, incremental reconciliation, session and
 * revocation timeouts, and the checks OffsetCommit/OffsetFetch make against member epochs.
 *
 * <p>Membership is kept here; a group's committed offsets stay in the classic registry's entry of
 * the same id (what OffsetCommit, OffsetFetch and offset expiry already serve), so a group keeps
 * its offsets when it moves between protocols.
 *
 * <p>Threading: each operation locks its group; timers run on the coordinator's scheduler and take
 * the same lock. Nothing blocks.
 */
final class ConsumerGroupManager implements ConsumerGroupOffsetOwners {

  private static final Logger log = LoggerFactory.getLogger(ConsumerGroupManager.class);

  /** Member types in ConsumerGroupDescribe v1 (KIP-1099). */
  private static final byte CLASSIC_MEMBER_TYPE = 0;

  private static final byte CONSUMER_MEMBER_TYPE = 1;

  private final ConsumerGroupConfig config;
  private final Time time;
  private final ScheduledExecutorService scheduler;
  private final GroupRegistry registry;
  private final GroupWriter writer;
  private final SubscribableTopics topics;
  private final Map<String, ConsumerAssignor> assignors = new HashMap<>();
  private final ConcurrentHashMap<String, ConsumerGroup> groups = new ConcurrentHashMap<>();
  private final GroupProtocolMigration migration;
  private final ClassicMembersOfConsumerGroups classicMembers;

  ConsumerGroupManager(
      ConsumerGroupConfig config,
      GroupCoordinatorConfig classicConfig,
      Time time,
      ScheduledExecutorService scheduler,
      GroupRegistry registry,
      GroupWriter writer,
      MembershipManager membership,
      SubscribableTopics topics) {
    this.config = config;
    this.time = time;
    this.scheduler = scheduler;
    this.registry = registry;
    this.writer = writer;
    this.topics = topics;
    this.migration =
        new GroupProtocolMigration(
            config, classicConfig.groupMaxSize(), time, registry, writer, membership, topics);
    this.classicMembers = new ClassicMembersOfConsumerGroups(this, classicConfig);
    for (ConsumerAssignor a : List.of(new UniformAssignor(), new RangeAssignor())) {
      if (config.assignors().contains(a.name())) {
        assignors.put(a.name(), a);
      }
    }
  }

  ConsumerGroupConfig config() {
    return config;
  }

  /** The JoinGroup/SyncGroup/Heartbeat/LeaveGroup side, for classic members of these groups. */
  ClassicMembersOfConsumerGroups classicMembers() {
    return classicMembers;
  }

  /** The subscribable topics now, by name. */
  Map<String, SubscribableTopics.Topic> topics() {
    return topics.topics();
  }

  /** The subscribable topics now, names by id. */
  Map<Uuid, String> topicNames() {
    return topics.namesById();
  }

  // ---------------------------------------------------------------- heartbeat

  /**
   * Completes once whatever the heartbeat changed is in the group's {@code __consumer_offsets}
   * partition (at once when it changed nothing).
   */
  CompletableFuture<ConsumerGroupHeartbeatResponseData> heartbeat(
      GroupRequestContext ctx, ConsumerGroupHeartbeatRequestData req) {
    try {
      validate(req, ctx.apiVersion());
      Errors owned = registry.ownership(req.groupId());
      if (owned != Errors.NONE) {
        return CompletableFuture.completedFuture(error(owned, null));
      }
      if (req.memberEpoch() == ConsumerGroupMember.LEAVE_EPOCH
          || req.memberEpoch() == ConsumerGroupMember.STATIC_LEAVE_EPOCH) {
        return leave(req);
      }
      return join(ctx, req);
    } catch (ApiException e) {
      ApiError err = ApiError.fromThrowable(e);
      return CompletableFuture.completedFuture(error(err.error(), err.message()));
    }
  }

  private void validate(ConsumerGroupHeartbeatRequestData req, short version) {
    if (version >= 1
        || req.memberEpoch() > 0
        || req.memberEpoch() == ConsumerGroupMember.LEAVE_EPOCH) {
      requireNonEmpty(req.memberId(), "MemberId can't be empty.");
    }
    requireNonEmpty(req.groupId(), "GroupId can't be empty.");
    if (req.instanceId() != null) {
      requireNonEmpty(req.instanceId(), "InstanceId can't be empty.");
    }
    if (req.rackId() != null) {
      requireNonEmpty(req.rackId(), "RackId can't be empty.");
    }
    if (req.memberEpoch() == 0) {
      if (req.rebalanceTimeoutMs() == -1) {
        throw new InvalidRequestException("RebalanceTimeoutMs must be provided in first request.");
      }
      if (req.topicPartitions() == null || !req.topicPartitions().isEmpty()) {
        throw new InvalidRequestException("TopicPartitions must be empty when (re-)joining.");
      }
      if (req.subscribedTopicNames() == null && req.subscribedTopicRegex() == null) {
        throw new InvalidRequestException(
            "Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when"
                + " (re-)joining.");
      }
    } else if (req.memberEpoch() == ConsumerGroupMember.STATIC_LEAVE_EPOCH) {
      if (req.instanceId() == null) {
        throw new InvalidRequestException("InstanceId can't be null.");
      }
    } else if (req.memberEpoch() < ConsumerGroupMember.STATIC_LEAVE_EPOCH) {
      throw new InvalidRequestException("MemberEpoch is invalid.");
    }
    if (req.serverAssignor() != null && !assignors.containsKey(req.serverAssignor())) {
      throw new UnsupportedAssignorException(
          "ServerAssignor "
              + req.serverAssignor()
              + " is not supported. Supported assignors: "
              + String.join(", ", config.assignors())
              + ".");
    }
    if (req.subscribedTopicRegex() != null && !req.subscribedTopicRegex().isEmpty()) {
      compile(req.subscribedTopicRegex());
    }
  }

  private static void requireNonEmpty(String value, String message) {
    if (value == null || value.isEmpty()) {
      throw new InvalidRequestException(message);
    }
  }

  private static Pattern compile(String regex) {
    try {
      return Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      throw new InvalidRegularExpression(
          "SubscribedTopicRegex `"
              + regex
              + "` is not a valid regular expression: "
              + e.getDescription()
              + ".");
    }
  }

  private CompletableFuture<ConsumerGroupHeartbeatResponseData> join(
      GroupRequestContext ctx, ConsumerGroupHeartbeatRequestData req) {
    String groupId = req.groupId();
    boolean joining = req.memberEpoch() == 0;
    ConsumerGroup g = lockGroup(groupId, joining);
    if (g == null) {
      // As Kafka: a member that is not joining (epoch > 0) names a group that does not exist.
      throw Errors.GROUP_ID_NOT_FOUND.exception("Consumer group " + groupId + " not found.");
    }
    try {
      String memberId = req.memberId().isEmpty() ? Uuid.randomUuid().toString() : req.memberId();
      ConsumerGroupMember m = memberFor(g, memberId, req);
      boolean isNew = g.member(m.memberId) != m;
      Map<Uuid, Set<Integer>> assignedBefore = m.assigned;
      Map<Uuid, Set<Integer>> pendingBefore = m.pendingRevocation;
      int memberEpochBefore = m.memberEpoch;
      int groupEpochBefore = g.groupEpoch();
      // A restarted static member (new object, old epoch) brings its old subscription: only a
      // brand-new member, or a changed subscription, makes the group rebalance.
      boolean subscriptionChanged = update(m, ctx, req) || (isNew && m.memberEpoch == 0);
      if (isNew) {
        g.addMember(m);
        log.info("{} joined {} ({})", m, g, m.clientId);
      }
      refreshTarget(g, subscriptionChanged);
      reconcile(g, m, req.topicPartitions());
      touchSession(g, m);

      ConsumerGroupHeartbeatResponseData resp =
          new ConsumerGroupHeartbeatResponseData()
              .setErrorCode(Errors.NONE.code())
              .setMemberId(m.memberId)
              .setMemberEpoch(m.memberEpoch)
              .setHeartbeatIntervalMs(config.heartbeatIntervalMs());
      // As Kafka: the assignment goes with a full request (join, or a member recovering from an
      // error resends everything) and whenever it changed.
      boolean full =
          joining
              || (req.rebalanceTimeoutMs() != -1
                  && req.subscribedTopicNames() != null
                  && req.topicPartitions() != null);
      if (full || !m.assigned.equals(assignedBefore)) {
        resp.setAssignment(assignmentOf(m.assigned));
      }
      boolean changed =
          isNew
              || joining
              || g.groupEpoch() != groupEpochBefore
              || m.memberEpoch != memberEpochBefore
              || !m.assigned.equals(assignedBefore)
              || !m.pendingRevocation.equals(pendingBefore);
      if (!changed) {
        return CompletableFuture.completedFuture(resp);
      }
      return persist(g)
          .handle(
              (ok, err) -> {
                if (err == null) {
                  return resp;
                }
                Errors e = GroupWriter.appendError(err, false);
                return error(e, null);
              });
    } finally {
      g.lock().unlock();
    }
  }

  /**
   * The member the request speaks for: an existing one after the epoch checks, a new one on join
   * (not yet added), or a static member's replacement taking over its assignment.
   */
  private ConsumerGroupMember memberFor(
      ConsumerGroup g, String memberId, ConsumerGroupHeartbeatRequestData req) {
    boolean joining = req.memberEpoch() == 0;
    String instanceId = req.instanceId();
    ConsumerGroupMember existing = g.member(memberId);
    if (instanceId != null) {
      String holderId = g.staticMemberId(instanceId);
      ConsumerGroupMember holder = holderId == null ? null : g.member(holderId);
      if (joining && holder != null && !holder.memberId.equals(memberId)) {
        if (holder.memberEpoch != ConsumerGroupMember.STATIC_LEAVE_EPOCH) {
          throw Errors.UNRELEASED_INSTANCE_ID.exception(
              "Static member "
                  + memberId
                  + " with instance id "
                  + instanceId
                  + " cannot join the group because the instance id is owned by "
                  + holder.memberId
                  + " member.");
        }
        // A restarted static member takes over its previous incarnation's assignment and epoch.
        ConsumerGroupMember replacement = new ConsumerGroupMember(memberId);
        replacement.instanceId = instanceId;
        replacement.memberEpoch = holder.previousMemberEpoch;
        replacement.previousMemberEpoch = holder.previousMemberEpoch;
        replacement.assigned = holder.assigned;
        replacement.subscribedTopicNames = holder.subscribedTopicNames;
        replacement.subscribedTopicRegex = holder.subscribedTopicRegex;
        replacement.subscribedPattern = holder.subscribedPattern;
        replacement.serverAssignor = holder.serverAssignor;
        replacement.state = ConsumerGroupMember.State.STABLE;
        g.removeMember(holder);
        log.info("Static {} of {} replaced {}", replacement, g, holder.memberId);
        return replacement;
      }
      if (!joining) {
        if (holder == null) {
          throw Errors.UNKNOWN_MEMBER_ID.exception("Instance id " + instanceId + " is unknown.");
        }
        if (!holder.memberId.equals(memberId)) {
          throw Errors.FENCED_INSTANCE_ID.exception(
              "Static member "
                  + memberId
                  + " with instance id "
                  + instanceId
                  + " was fenced by member "
                  + holder.memberId
                  + ".");
        }
      }
    }
    if (joining) {
      if (existing == null) {
        if (g.members().size() >= config.maxSize()) {
          throw Errors.GROUP_MAX_SIZE_REACHED.exception(
              "The consumer group has reached its maximum capacity of "
                  + config.maxSize()
                  + " members.");
        }
        return new ConsumerGroupMember(memberId);
      }
      // A known member rejoining (after being fenced, it gave up everything it owned).
      existing.assigned = Map.of();
      existing.pendingRevocation = Map.of();
      existing.state = ConsumerGroupMember.State.STABLE;
      existing.setEpoch(0);
      existing.cancelRevocationDeadline();
      return existing;
    }
    if (existing == null) {
      throw Errors.UNKNOWN_MEMBER_ID.exception(
          "Member " + memberId + " is not a member of group " + g.groupId() + ".");
    }
    int epoch = req.memberEpoch();
    if (epoch > existing.memberEpoch
        || (epoch < existing.memberEpoch
            && (epoch != existing.previousMemberEpoch
                || !ConsumerReconciler.isSubset(req.topicPartitions(), existing.assigned)))) {
      // A smaller epoch is accepted only if it is the previous one and the member owns no more
      // than its assignment: the response that bumped it was lost.
      throw Errors.FENCED_MEMBER_EPOCH.exception(
          "The consumer group member has epoch "
              + epoch
              + " but the coordinator knows "
              + existing.memberEpoch
              + ". The member must abandon all its partitions and rejoin.");
    }
    return existing;
  }

  /** Applies what the request changed; whether the subscription changed. */
  private static boolean update(
      ConsumerGroupMember m, GroupRequestContext ctx, ConsumerGroupHeartbeatRequestData req) {
    boolean changed = false;
    if (req.instanceId() != null) {
      m.instanceId = req.instanceId();
    }
    if (req.rackId() != null) {
      m.rackId = req.rackId();
    }
    if (req.rebalanceTimeoutMs() != -1) {
      m.rebalanceTimeoutMs = req.rebalanceTimeoutMs();
    }
    if (req.serverAssignor() != null && !req.serverAssignor().equals(m.serverAssignor)) {
      m.serverAssignor = req.serverAssignor();
      changed = true;
    }
    if (req.subscribedTopicNames() != null
        && !req.subscribedTopicNames().equals(m.subscribedTopicNames)) {
      m.subscribedTopicNames = List.copyOf(req.subscribedTopicNames());
      changed = true;
    }
    if (req.subscribedTopicRegex() != null
        && !req.subscribedTopicRegex().equals(Objects.toString(m.subscribedTopicRegex, ""))) {
      String regex = req.subscribedTopicRegex();
      m.subscribedTopicRegex = regex.isEmpty() ? null : regex;
      m.subscribedPattern = regex.isEmpty() ? null : compile(regex);
      changed = true;
    }
    m.clientId = ctx.clientId();
    m.clientHost = ctx.clientHost();
    return changed;
  }

  /**
   * After a member changed (joined, left, changed its subscription): a new group epoch when the
   * subscriptions or the topics they resolve to changed, and then a new target assignment.
   */
  void refreshTarget(ConsumerGroup g, boolean subscriptionChanged) {
    Map<String, SubscribableTopics.Topic> subscribed = subscribedTopics(g);
    if (g.groupEpoch() == 0 || subscriptionChanged || !subscribed.equals(g.subscribedTopics())) {
      g.setSubscribedTopics(subscribed);
      g.bumpGroupEpoch();
      log.info("Bumped epoch of {} to {}", g, g.groupEpoch());
    }
    if (g.groupEpoch() > g.assignmentEpoch()) {
      computeTargetAssignment(g);
    }
  }

  /** Moves {@code m} towards its target, given what it reports owning (null: did not say). */
  void reconcile(ConsumerGroup g, ConsumerGroupMember m, List<TopicPartitions> owned) {
    ConsumerReconciler.reconcile(m, g.assignmentEpoch(), g.targetOf(m.memberId), g.owners(), owned);
    armRevocationDeadline(g, m);
  }

  /** The topics the members subscribe to (by name or regex) that exist, with partition counts. */
  private Map<String, SubscribableTopics.Topic> subscribedTopics(ConsumerGroup g) {
    Map<String, SubscribableTopics.Topic> out = new TreeMap<>();
    Map<String, SubscribableTopics.Topic> all = topics.topics();
    for (ConsumerGroupMember m : g.members()) {
      for (String t : m.subscribedTopicNames) {
        SubscribableTopics.Topic topic = all.get(t);
        if (topic != null) {
          out.put(t, topic);
        }
      }
      if (m.subscribedPattern != null) {
        for (Map.Entry<String, SubscribableTopics.Topic> e : all.entrySet()) {
          if (m.subscribedPattern.matcher(e.getKey()).matches()) {
            out.put(e.getKey(), e.getValue());
          }
        }
      }
    }
    return out;
  }

  private void computeTargetAssignment(ConsumerGroup g) {
    ConsumerAssignor assignor = assignors.get(preferredAssignor(g));
    SortedMap<String, ConsumerAssignor.Subscriber> members = new TreeMap<>();
    Map<String, ConsumerAssignor.SubscribedTopic> subscribed = new HashMap<>();
    for (Map.Entry<String, SubscribableTopics.Topic> e : g.subscribedTopics().entrySet()) {
      subscribed.put(
          e.getKey(),
          new ConsumerAssignor.SubscribedTopic(
              e.getValue().id(), e.getValue().partitions(), e.getValue().partitionRacks()));
    }
    for (ConsumerGroupMember m : g.members()) {
      Set<String> mine = new TreeSet<>();
      for (String t : subscribed.keySet()) {
        if (m.subscribesTo(t)) {
          mine.add(t);
        }
      }
      members.put(
          m.memberId, new ConsumerAssignor.Subscriber(mine, g.targetOf(m.memberId), m.rackId));
    }
    g.setTargetAssignment(g.groupEpoch(), assignor.name(), assignor.assign(members, subscribed));
    log.info(
        "Computed target assignment of {} at epoch {} with {} ({} members)",
        g,
        g.groupEpoch(),
        assignor.name(),
        members.size());
  }

  /** The assignor most members ask for, else the first configured one. */
  private String preferredAssignor(ConsumerGroup g) {
    Map<String, Integer> votes = new HashMap<>();
    for (ConsumerGroupMember m : g.members()) {
      if (m.serverAssignor != null) {
        votes.merge(m.serverAssignor, 1, Integer::sum);
      }
    }
    String best = config.assignors().get(0);
    int bestVotes = 0;
    for (String a : config.assignors()) {
      int v = votes.getOrDefault(a, 0);
      if (v > bestVotes) {
        best = a;
        bestVotes = v;
      }
    }
    return best;
  }

  private ConsumerGroupHeartbeatResponseData.Assignment assignmentOf(
      Map<Uuid, Set<Integer>> assigned) {
    List<ConsumerGroupHeartbeatResponseData.TopicPartitions> tps = new ArrayList<>();
    for (Map.Entry<Uuid, Set<Integer>> e : assigned.entrySet()) {
      tps.add(
          new ConsumerGroupHeartbeatResponseData.TopicPartitions()
              .setTopicId(e.getKey())
              .setPartitions(new ArrayList<>(e.getValue())));
    }
    return new ConsumerGroupHeartbeatResponseData.Assignment().setTopicPartitions(tps);
  }

  private static ConsumerGroupHeartbeatResponseData error(Errors e, String message) {
    return new ConsumerGroupHeartbeatResponseData()
        .setErrorCode(e.code())
        .setErrorMessage(message == null ? e.message() : message);
  }

  // ---------------------------------------------------------------- leave and timeouts

  private CompletableFuture<ConsumerGroupHeartbeatResponseData> leave(
      ConsumerGroupHeartbeatRequestData req) {
    ConsumerGroup g = lockGroup(req.groupId(), false);
    if (g == null) {
      throw Errors.GROUP_ID_NOT_FOUND.exception("Consumer group " + req.groupId() + " not found.");
    }
    try {
      ConsumerGroupMember m;
      if (req.instanceId() != null) {
        String holder = g.staticMemberId(req.instanceId());
        m = holder == null ? null : g.member(holder);
        if (m == null) {
          throw Errors.UNKNOWN_MEMBER_ID.exception(
              "Instance id " + req.instanceId() + " is unknown.");
        }
        if (!m.memberId.equals(req.memberId())) {
          throw Errors.FENCED_INSTANCE_ID.exception(
              "Static member " + req.memberId() + " was fenced by member " + m.memberId + ".");
        }
      } else {
        m = g.member(req.memberId());
        if (m == null) {
          throw Errors.UNKNOWN_MEMBER_ID.exception(
              "Member " + req.memberId() + " is not a member of group " + g.groupId() + ".");
        }
      }
      if (req.memberEpoch() == ConsumerGroupMember.STATIC_LEAVE_EPOCH) {
        // The instance keeps its assignment until it rejoins or its session ends (KIP-345).
        m.setEpoch(ConsumerGroupMember.STATIC_LEAVE_EPOCH);
        log.info("Static {} of {} left temporarily", m, g);
      } else {
        fence(g, m, "left");
      }
      ConsumerGroupHeartbeatResponseData resp =
          new ConsumerGroupHeartbeatResponseData()
              .setErrorCode(Errors.NONE.code())
              .setMemberId(m.memberId)
              .setMemberEpoch(req.memberEpoch());
      // A member that leaves is gone whether or not the write succeeds; it need not wait.
      return persist(g).handle((ok, err) -> resp);
    } finally {
      g.lock().unlock();
    }
  }

  /**
   * Removes {@code m} (bumping the group epoch) from {@code g}, locked by the caller; the caller
   * persists.
   */
  void removeMember(ConsumerGroup g, ConsumerGroupMember m, String why) {
    g.removeMember(m);
    g.bumpGroupEpoch();
    log.info("{} {} {}; group epoch now {}", m, why, g, g.groupEpoch());
  }

  /**
   * A consumer-protocol member leaves or is fenced: removed, or, if it was the last one and only
   * classic members remain, the group goes back to the classic protocol (the policy permitting) and
   * is dropped here. The caller persists.
   */
  private void fence(ConsumerGroup g, ConsumerGroupMember m, String why) {
    Deferred d = new Deferred();
    if (migration.downgradeOnLeave(g, m, d)) {
      g.markDead();
      groups.remove(g.groupId(), g);
      // Completes no client future (the downgraded members had nothing parked).
      d.flush();
      return;
    }
    removeMember(g, m, why);
  }

  /**
   * Appends the group's snapshot (a tombstone once it is dead) to its offsets partition; called
   * under the group lock so snapshots reach the log in the order of the changes they record.
   */
  CompletableFuture<AppendResult> persist(ConsumerGroup g) {
    try {
      return writer
          .writeConsumerGroup(
              registry.logFor(g.offsetsPartition()),
              g.groupId(),
              g.isDead() ? null : ConsumerGroupRecords.value(g))
          .whenComplete(
              (ok, err) -> {
                if (err != null) {
                  log.warn("Could not store {}: {}", g, err.toString());
                }
              });
    } catch (ApiException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * A heartbeat: the session restarts now. One timer per member; it re-arms itself. A classic
   * member's session is the one its JoinGroup asked for.
   */
  void touchSession(ConsumerGroup g, ConsumerGroupMember m) {
    long timeout = sessionTimeoutOf(m);
    m.sessionDeadlineMs = time.milliseconds() + timeout;
    if (m.sessionCheck == null) {
      m.sessionCheck =
          scheduler.schedule(() -> onSessionCheck(g, m), timeout, TimeUnit.MILLISECONDS);
    }
  }

  private long sessionTimeoutOf(ConsumerGroupMember m) {
    return m.usesClassicProtocol() ? m.classic.sessionTimeoutMs() : config.sessionTimeoutMs();
  }

  private void onSessionCheck(ConsumerGroup g, ConsumerGroupMember m) {
    g.lock().lock();
    try {
      m.sessionCheck = null;
      if (g.isDead() || g.member(m.memberId) != m) {
        return;
      }
      long now = time.milliseconds();
      if (now < m.sessionDeadlineMs) {
        m.sessionCheck =
            scheduler.schedule(
                () -> onSessionCheck(g, m), m.sessionDeadlineMs - now, TimeUnit.MILLISECONDS);
        return;
      }
      fence(g, m, "expired (no heartbeat within " + sessionTimeoutOf(m) + " ms) from");
      persist(g);
    } finally {
      g.lock().unlock();
    }
  }

  /**
   * A member asked to revoke partitions has its rebalance timeout to do so; one that does not is
   * removed, so the partitions it holds go to their new owners.
   */
  void armRevocationDeadline(ConsumerGroup g, ConsumerGroupMember m) {
    if (m.state != ConsumerGroupMember.State.UNREVOKED_PARTITIONS) {
      m.cancelRevocationDeadline();
      return;
    }
    if (m.revocationDeadline == null) {
      int epoch = m.memberEpoch;
      m.revocationDeadline =
          scheduler.schedule(
              () -> onRevocationDeadline(g, m, epoch),
              Math.max(1, m.rebalanceTimeoutMs),
              TimeUnit.MILLISECONDS);
    }
  }

  private void onRevocationDeadline(ConsumerGroup g, ConsumerGroupMember m, int epoch) {
    g.lock().lock();
    try {
      m.revocationDeadline = null;
      if (!g.isDead()
          && g.member(m.memberId) == m
          && m.state == ConsumerGroupMember.State.UNREVOKED_PARTITIONS
          && m.memberEpoch == epoch) {
        fence(g, m, "did not revoke its partitions within its rebalance timeout; left");
        persist(g);
      }
    } finally {
      g.lock().unlock();
    }
  }

  // ---------------------------------------------------------------- lookups

  /**
   * The group locked by the caller, created if asked; null if it does not exist. A new group may
   * take over the id of a classic group: one without members just lends its offsets; one with
   * members is upgraded, its members carried over ({@link GroupProtocolMigration}), or, when the
   * migration policy or the group does not allow that, GROUP_ID_NOT_FOUND as in Kafka.
   */
  private ConsumerGroup lockGroup(String groupId, boolean create) {
    ConsumerGroup g = groups.get(groupId);
    if (g == null && create) {
      ConsumerGroup upgraded = null;
      Deferred d = new Deferred();
      ClassicGroup classic = registry.lock(groupId, false, time.milliseconds());
      if (classic != null) {
        try {
          if (!classic.members().isEmpty() || classic.pendingMemberCount() > 0) {
            upgraded = migration.upgrade(classic, d);
            upgraded.lock().lock();
            for (ConsumerGroupMember m : upgraded.members()) {
              touchSession(upgraded, m);
            }
            upgraded.lock().unlock();
            groups.put(groupId, upgraded);
          }
        } finally {
          classic.lock().unlock();
        }
      }
      d.flush();
      g =
          upgraded != null
              ? upgraded
              : groups.computeIfAbsent(
                  groupId, id -> new ConsumerGroup(id, registry.partitionFor(id)));
    }
    if (g == null) {
      return null;
    }
    g.lock().lock();
    if (g.isDead()) {
      g.lock().unlock();
      groups.remove(groupId, g);
      return create ? lockGroup(groupId, true) : null;
    }
    return g;
  }

  /** The group locked by the caller if it is a live consumer-protocol group with members. */
  ConsumerGroup lockLive(String groupId) {
    ConsumerGroup g = groupId == null ? null : groups.get(groupId);
    if (g == null) {
      return null;
    }
    g.lock().lock();
    if (g.isDead() || g.members().isEmpty()) {
      g.lock().unlock();
      return null;
    }
    return g;
  }

  /** Whether {@code groupId} is a consumer-protocol group with members. */
  boolean hasMembers(String groupId) {
    ConsumerGroup g = groups.get(groupId);
    if (g == null) {
      return false;
    }
    g.lock().lock();
    try {
      return !g.isDead() && !g.members().isEmpty();
    } finally {
      g.lock().unlock();
    }
  }

  /**
   * The OffsetCommit check for consumer-protocol groups: null when {@code groupId} is not one (the
   * classic checks apply), else NONE or the error (UNKNOWN_MEMBER_ID, STALE_MEMBER_EPOCH).
   */
  Errors validateCommit(String groupId, String memberId, int memberEpoch) {
    ConsumerGroup g = groups.get(groupId);
    if (g == null) {
      return null;
    }
    g.lock().lock();
    try {
      if (g.isDead()) {
        return null;
      }
      if (memberEpoch < 0 && g.members().isEmpty()) {
        return Errors.NONE; // admin tools and manual assignment commit into an empty group
      }
      return checkEpoch(g, memberId, memberEpoch);
    } finally {
      g.lock().unlock();
    }
  }

  /**
   * A member's epoch as a commit or fetch gives it: STALE_MEMBER_EPOCH for a consumer-protocol
   * member, ILLEGAL_GENERATION for a classic one (its generation is its member epoch), as Kafka.
   */
  private static Errors checkEpoch(ConsumerGroup g, String memberId, int memberEpoch) {
    ConsumerGroupMember m = memberId == null ? null : g.member(memberId);
    if (m == null) {
      return Errors.UNKNOWN_MEMBER_ID;
    }
    if (memberEpoch == m.memberEpoch) {
      return Errors.NONE;
    }
    return m.usesClassicProtocol() ? Errors.ILLEGAL_GENERATION : Errors.STALE_MEMBER_EPOCH;
  }

  /** The OffsetFetch check (v9+ sends member id and epoch); NONE when there is nothing to check. */
  Errors validateFetch(String groupId, String memberId, int memberEpoch) {
    if (memberId == null && memberEpoch < 0) {
      return Errors.NONE;
    }
    ConsumerGroup g = groups.get(groupId);
    if (g == null) {
      return Errors.NONE;
    }
    g.lock().lock();
    try {
      if (g.isDead()) {
        return Errors.NONE;
      }
      return checkEpoch(g, memberId, memberEpoch);
    } finally {
      g.lock().unlock();
    }
  }

  // ---------------------------------------------------------------- describe and list

  ConsumerGroupDescribeResponseData.DescribedGroup describe(String groupId) {
    ConsumerGroupDescribeResponseData.DescribedGroup out =
        new ConsumerGroupDescribeResponseData.DescribedGroup().setGroupId(groupId);
    Errors owned = registry.ownership(groupId);
    if (owned != Errors.NONE) {
      return out.setErrorCode(owned.code());
    }
    ConsumerGroup g = lockGroup(groupId, false);
    if (g == null) {
      boolean classic =
          registry.groups(registry.partitionFor(groupId)).stream()
              .anyMatch(c -> c.groupId().equals(groupId));
      return out.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code())
          .setErrorMessage(
              classic
                  ? "Group " + groupId + " is not a consumer group."
                  : "Group " + groupId + " not found.");
    }
    try {
      Map<Uuid, String> names = new HashMap<>();
      for (Map.Entry<String, SubscribableTopics.Topic> e : topics.topics().entrySet()) {
        names.put(e.getValue().id(), e.getKey());
      }
      out.setErrorCode(Errors.NONE.code())
          .setGroupState(g.state().displayName())
          .setGroupEpoch(g.groupEpoch())
          .setAssignmentEpoch(g.assignmentEpoch())
          .setAssignorName(g.assignorName() == null ? preferredAssignor(g) : g.assignorName());
      for (ConsumerGroupMember m : g.members()) {
        out.members()
            .add(
                new ConsumerGroupDescribeResponseData.Member()
                    .setMemberId(m.memberId)
                    .setInstanceId(m.instanceId)
                    .setRackId(m.rackId)
                    .setMemberEpoch(m.memberEpoch)
                    .setClientId(m.clientId)
                    .setClientHost(m.clientHost)
                    .setSubscribedTopicNames(new ArrayList<>(m.subscribedTopicNames))
                    .setSubscribedTopicRegex(
                        m.subscribedTopicRegex == null ? "" : m.subscribedTopicRegex)
                    .setAssignment(describeAssignment(m.assigned, names))
                    .setTargetAssignment(describeAssignment(g.targetOf(m.memberId), names))
                    .setMemberType(
                        m.usesClassicProtocol() ? CLASSIC_MEMBER_TYPE : CONSUMER_MEMBER_TYPE));
      }
      return out;
    } finally {
      g.lock().unlock();
    }
  }

  private static ConsumerGroupDescribeResponseData.Assignment describeAssignment(
      Map<Uuid, Set<Integer>> assignment, Map<Uuid, String> names) {
    List<ConsumerGroupDescribeResponseData.TopicPartitions> tps = new ArrayList<>();
    for (Map.Entry<Uuid, Set<Integer>> e : assignment.entrySet()) {
      tps.add(
          new ConsumerGroupDescribeResponseData.TopicPartitions()
              .setTopicId(e.getKey())
              .setTopicName(names.getOrDefault(e.getKey(), ""))
              .setPartitions(new ArrayList<>(e.getValue())));
    }
    return new ConsumerGroupDescribeResponseData.Assignment().setTopicPartitions(tps);
  }

  /** Consumer-protocol groups of the loaded partitions, with their state names. */
  List<GroupListing> list() {
    List<GroupListing> out = new ArrayList<>();
    for (ConsumerGroup g : groups.values()) {
      if (registry.ownership(g.groupId()) != Errors.NONE) {
        continue;
      }
      g.lock().lock();
      try {
        if (!g.isDead()) {
          out.add(
              new GroupListing(
                  g.groupId(),
                  ConsumerSubscriptions.CONSUMER_PROTOCOL_TYPE,
                  g.state().displayName(),
                  GroupCoordinator.CONSUMER_GROUP_TYPE));
        }
      } finally {
        g.lock().unlock();
      }
    }
    return out;
  }

  @Override
  public Optional<Owner> owner(String groupId) {
    ConsumerGroup g = groups.get(groupId);
    if (g == null) {
      return Optional.empty();
    }
    g.lock().lock();
    try {
      if (g.isDead()) {
        return Optional.empty();
      }
      // What the members subscribe to now (the group's resolved topics are those of its last
      // epoch bump, which a leaving member does not redo).
      Set<String> topics = new HashSet<>();
      for (ConsumerGroupMember m : g.members()) {
        topics.addAll(m.subscribedTopicNames);
        for (String t : g.subscribedTopics().keySet()) {
          if (m.subscribesTo(t)) {
            topics.add(t);
          }
        }
      }
      return Optional.of(new Owner(topics, !g.members().isEmpty()));
    } finally {
      g.lock().unlock();
    }
  }

  @Override
  public void forgetIfEmpty(String groupId) {
    forget(groupId);
  }

  /** Drops an empty group that DeleteGroups removed (its offsets went with the classic entry). */
  void forget(String groupId) {
    ConsumerGroup g = groups.get(groupId);
    if (g == null) {
      return;
    }
    g.lock().lock();
    try {
      if (g.members().isEmpty()) {
        g.markDead();
        groups.remove(groupId, g);
        persist(g);
      }
    } finally {
      g.lock().unlock();
    }
  }

  /** Whether {@code groupId} is a consumer-protocol group (live). */
  boolean isConsumerGroup(String groupId) {
    ConsumerGroup g = groups.get(groupId);
    return g != null && !g.isDead();
  }

  // ---------------------------------------------------------------- ownership

  /**
   * Installs a group replayed from its partition's log (the partition is still loading). Members
   * resume where they were; each gets a full session to heartbeat to its new coordinator.
   */
  void restore(String groupId, int partition, java.nio.ByteBuffer value) {
    ConsumerGroup g;
    try {
      g = ConsumerGroupRecords.parse(groupId, partition, value);
    } catch (GroupRecords.MalformedRecordException e) {
      log.warn("Skipping unreadable state of consumer group {}", groupId, e);
      return;
    }
    g.lock().lock();
    try {
      for (ConsumerGroupMember m : g.members()) {
        touchSession(g, m);
        armRevocationDeadline(g, m);
      }
      groups.put(groupId, g);
    } finally {
      g.lock().unlock();
    }
  }

  /** Drops the groups of an offsets partition this coordinator no longer leads. */
  void unload(int partition) {
    for (ConsumerGroup g : new ArrayList<>(groups.values())) {
      if (g.offsetsPartition() == partition) {
        g.lock().lock();
        try {
          g.markDead();
          groups.remove(g.groupId(), g);
        } finally {
          g.lock().unlock();
        }
      }
    }
  }
}
