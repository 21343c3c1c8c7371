package dev.ferry.coordinator.group;

import dev.ferry.runtime.BrokerThreads;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroupMember;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The broker's classic-protocol group coordinator. It serves the groups whose {@code
 * __consumer_offsets} partition this broker leads: the broker calls {@link #onBecomeCoordinator}
 * for each such partition (the partition's records are replayed to rebuild its groups) and {@link
 * #onResignCoordinator} when it stops leading it. Requests for other groups get NOT_COORDINATOR,
 * and COORDINATOR_LOAD_IN_PROGRESS while their partition loads.
 *
 * <p>Threading: every method may be called from any thread; none blocks. JoinGroup and SyncGroup
 * return futures that complete when the rebalance gets there. Each group has its own lock. The
 * timers (session, rebalance, initial delay, offset expiry) run on the scheduler the broker shares
 * ({@code ferry-scheduler}); the coordinator's one thread of its own replays partitions.
 */
public final class GroupCoordinator implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(GroupCoordinator.class);

  /** Name of the internal topic holding group records. */
  public static final String OFFSETS_TOPIC = "__consumer_offsets";

  /** The type every group has in ListGroups v5+. */
  public static final String CLASSIC_GROUP_TYPE = "classic";

  /** The type of consumer-protocol (KIP-848) groups in ListGroups v5+. */
  public static final String CONSUMER_GROUP_TYPE = "consumer";

  private final GroupCoordinatorConfig config;
  private final Time time;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService loader;
  private final GroupRegistry registry;
  private final MembershipManager membership;
  private final OffsetManager offsets;
  private final GroupWriter writer;
  private final CoordinatorPartitions partitions;
  private volatile ConsumerGroupManager consumerGroups;
  private volatile HostedGroups shareGroups;
  private volatile boolean started;
  private volatile ScheduledFuture<?> expiryCheck;

  /**
   * With timers (sessions, rebalance and join deadlines, offset expiry) on {@code scheduler}, which
   * the caller owns: the broker's shared scheduler, or a manual one in tests. {@code time} must be
   * the clock that scheduler's delays are measured on. The coordinator starts only its loader
   * thread.
   */
  public GroupCoordinator(
      GroupCoordinatorConfig config, Time time, ScheduledExecutorService scheduler) {
    this.config = config;
    this.time = time;
    this.scheduler = scheduler;
    this.loader =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            daemon("ferry-group-coordinator-loader"));
    this.registry = new GroupRegistry(config.offsetsTopicNumPartitions());
    this.writer = new GroupWriter(time);
    this.membership = new MembershipManager(config, time, scheduler, registry, writer);
    this.offsets = new OffsetManager(config, time, registry, writer, membership);
    this.partitions =
        new CoordinatorPartitions(
            time, loader, registry, membership, offsets, () -> consumerGroups, () -> shareGroups);
  }

  private static java.util.concurrent.ThreadFactory daemon(String name) {
    return BrokerThreads.factory(name);
  }

  /**
   * Serves the consumer group protocol (KIP-848) too: ConsumerGroupHeartbeat and
   * ConsumerGroupDescribe, with subscriptions resolved against {@code topics}. Call before the
   * coordinator serves requests.
   */
  public synchronized GroupCoordinator enableConsumerGroups(
      ConsumerGroupConfig consumerConfig, SubscribableTopics topics) {
    consumerGroups =
        new ConsumerGroupManager(
            consumerConfig, config, time, scheduler, registry, writer, membership, topics);
    offsets.setConsumerGroups(consumerGroups);
    return this;
  }

  /**
   * Keeps share groups' (KIP-932) snapshots in the partitions that coordinate them: {@code groups}
   * gets them back when a partition loads and drops them when it unloads ({@link #storeShareGroup}
   * writes them). Call before the coordinator serves requests.
   */
  public GroupCoordinator hostShareGroups(HostedGroups groups) {
    shareGroups = groups;
    return this;
  }

  /**
   * Appends a share group's snapshot ({@code snapshot}, or a tombstone when null) to the group's
   * {@code __consumer_offsets} partition. Completes with NONE once it is in the log (replicated as
   * the partition requires), or with the error a group request would answer: NOT_COORDINATOR when
   * the partition is not, or no longer, led here. Call under the group's own lock, so snapshots
   * reach the log in the order of the changes they record.
   */
  public CompletableFuture<Errors> storeShareGroup(String groupId, byte[] snapshot) {
    try {
      return writer
          .writeShareGroup(registry.logFor(partitionFor(groupId)), groupId, snapshot)
          .handle((ok, err) -> err == null ? Errors.NONE : GroupWriter.appendError(err, false));
    } catch (org.apache.kafka.common.errors.ApiException e) {
      return CompletableFuture.completedFuture(Errors.forException(e));
    }
  }

  /** Whether {@link #enableConsumerGroups} was called. */
  public boolean servesConsumerGroups() {
    return consumerGroups != null;
  }

  /** Starts the periodic offset expiry check ({@code offsets.retention.check.interval.ms}). */
  public synchronized GroupCoordinator startup() {
    if (!started) {
      started = true;
      long interval = config.offsetsRetentionCheckIntervalMs();
      expiryCheck =
          scheduler.scheduleWithFixedDelay(
              this::runExpiry, interval, interval, TimeUnit.MILLISECONDS);
    }
    return this;
  }

  private void runExpiry() {
    try {
      offsets.expireOffsets();
    } catch (RuntimeException e) {
      log.error("Offset expiry check failed", e);
    }
  }

  public GroupCoordinatorConfig config() {
    return config;
  }

  /** The {@code __consumer_offsets} partition that holds {@code groupId}. */
  public int partitionFor(String groupId) {
    return registry.partitionFor(groupId);
  }

  // ---------------------------------------------------------------- partition ownership

  /**
   * Takes over the groups of {@code offsetsPartition}, whose records are in {@code log}. Returns at
   * once; the partition's records are replayed on the loader thread and the returned future
   * completes when its groups are served. Calling it again for the same partition (e.g. a new
   * leader epoch) unloads and reloads.
   */
  public CompletableFuture<Void> onBecomeCoordinator(int offsetsPartition, CoordinatorLog log) {
    return partitions.onBecomeCoordinator(offsetsPartition, log);
  }

  /**
   * Stops serving the groups of {@code offsetsPartition}: they are dropped from memory (their
   * records stay in the log for the next coordinator) and parked requests get NOT_COORDINATOR.
   */
  public void onResignCoordinator(int offsetsPartition) {
    partitions.onResignCoordinator(offsetsPartition);
  }

  /** Whether the partition is owned and fully loaded. */
  public boolean isLoaded(int offsetsPartition) {
    return partitions.isLoaded(offsetsPartition);
  }

  // ---------------------------------------------------------------- membership

  public CompletableFuture<JoinGroupResponseData> joinGroup(
      GroupRequestContext ctx, JoinGroupRequestData request) {
    ConsumerGroupManager consumer = consumerGroups;
    if (consumer != null && request.groupId() != null) {
      // A consumer-protocol group with members takes classic members too (online migration).
      CompletableFuture<JoinGroupResponseData> inConsumerGroup =
          consumer.classicMembers().join(ctx, request);
      if (inConsumerGroup != null) {
        return inConsumerGroup;
      }
      // An empty consumer-protocol group gives its id back to the classic protocol.
      consumer.forget(request.groupId());
    }
    return membership.join(ctx, request);
  }

  public CompletableFuture<SyncGroupResponseData> syncGroup(
      GroupRequestContext ctx, SyncGroupRequestData request) {
    ConsumerGroupManager consumer = consumerGroups;
    SyncGroupResponseData inConsumerGroup =
        consumer == null ? null : consumer.classicMembers().sync(ctx, request);
    return inConsumerGroup != null
        ? CompletableFuture.completedFuture(inConsumerGroup)
        : membership.sync(ctx, request);
  }

  public Errors heartbeat(GroupRequestContext ctx, HeartbeatRequestData request) {
    ConsumerGroupManager consumer = consumerGroups;
    Errors inConsumerGroup =
        consumer == null ? null : consumer.classicMembers().heartbeat(ctx, request);
    return inConsumerGroup != null ? inConsumerGroup : membership.heartbeat(ctx, request);
  }

  /**
   * Removes members (LeaveGroup v3+ form; v0-2 is one member with a null instance id). The result
   * has one entry per member and a top-level error only when the whole group failed.
   */
  public LeaveGroupResponseData leaveGroup(String groupId, List<MemberIdentity> members) {
    ConsumerGroupManager consumer = consumerGroups;
    LeaveGroupResponseData inConsumerGroup =
        consumer == null ? null : consumer.classicMembers().leave(groupId, members);
    return inConsumerGroup != null ? inConsumerGroup : membership.leave(groupId, members);
  }

  // ---------------------------------------------------------------- consumer protocol

  /** ConsumerGroupHeartbeat: join, heartbeat or leave a consumer-protocol group. */
  public CompletableFuture<ConsumerGroupHeartbeatResponseData> consumerGroupHeartbeat(
      GroupRequestContext ctx, ConsumerGroupHeartbeatRequestData request) {
    ConsumerGroupManager consumer = consumerGroups;
    if (consumer == null) {
      return CompletableFuture.completedFuture(
          new ConsumerGroupHeartbeatResponseData().setErrorCode(Errors.UNSUPPORTED_VERSION.code()));
    }
    return consumer.heartbeat(ctx, request);
  }

  /** One group as ConsumerGroupDescribe shows it (GROUP_ID_NOT_FOUND for classic groups). */
  public ConsumerGroupDescribeResponseData.DescribedGroup consumerGroupDescribe(String groupId) {
    ConsumerGroupManager consumer = consumerGroups;
    if (consumer == null) {
      return new ConsumerGroupDescribeResponseData.DescribedGroup()
          .setGroupId(groupId)
          .setErrorCode(Errors.GROUP_ID_NOT_FOUND.code());
    }
    return consumer.describe(groupId);
  }

  // ---------------------------------------------------------------- offsets

  /**
   * Commits offsets; completes with a result per partition once they are in the log. Use generation
   * -1 with an empty member id for a commit outside group management.
   */
  public CompletableFuture<Map<TopicPartition, Errors>> commitOffsets(
      String groupId,
      String memberId,
      String groupInstanceId,
      int generationId,
      Map<TopicPartition, OffsetAndMetadata> offsetsToCommit) {
    ConsumerGroupManager consumer = consumerGroups;
    Errors check =
        consumer == null || groupId == null
            ? null
            : consumer.validateCommit(groupId, memberId, generationId);
    if (check == null) {
      return offsets.commit(groupId, memberId, groupInstanceId, generationId, offsetsToCommit);
    }
    if (check != Errors.NONE) {
      Map<TopicPartition, Errors> failed = new java.util.LinkedHashMap<>();
      for (TopicPartition tp : offsetsToCommit.keySet()) {
        failed.put(tp, check);
      }
      return CompletableFuture.completedFuture(failed);
    }
    // The member epoch checked out; the offsets go to the group's offset store as a commit from
    // outside classic membership.
    return offsets.commit(groupId, "", null, -1, offsetsToCommit);
  }

  /**
   * TxnOffsetCommit: offsets committed inside the producer's transaction, visible once its COMMIT
   * marker reaches this group's offsets partition ({@link #onTransactionCompleted}).
   */
  public CompletableFuture<Map<TopicPartition, Errors>> commitTransactionalOffsets(
      String groupId,
      long producerId,
      short producerEpoch,
      String memberId,
      String groupInstanceId,
      int generationId,
      Map<TopicPartition, OffsetAndMetadata> offsetsToCommit) {
    return offsets.commitTransactional(
        groupId,
        producerId,
        producerEpoch,
        memberId,
        groupInstanceId,
        generationId,
        offsetsToCommit);
  }

  /** A transaction marker was written to {@code __consumer_offsets-offsetsPartition}. */
  public void onTransactionCompleted(int offsetsPartition, long producerId, boolean commit) {
    offsets.completeTransaction(offsetsPartition, producerId, commit);
  }

  /** Whether an undecided transaction holds an offset for the group and partition. */
  public boolean hasPendingTransactionalOffset(String groupId, TopicPartition tp) {
    return offsets.hasPendingTransactionalOffset(groupId, tp);
  }

  /** Committed offsets of the given partitions, or of all partitions when null. */
  public OffsetFetchResult fetchOffsets(String groupId, List<TopicPartition> partitions) {
    return fetchOffsets(groupId, partitions, false);
  }

  /**
   * As above; with {@code requireStable} (OffsetFetch v7+, sent by read_committed consumers) a
   * partition with an undecided transactional offset is listed in {@link
   * OffsetFetchResult#unstable()} instead.
   */
  public OffsetFetchResult fetchOffsets(
      String groupId, List<TopicPartition> partitions, boolean requireStable) {
    return offsets.fetch(groupId, partitions, requireStable);
  }

  /**
   * As above for OffsetFetch v9+, which names the fetching member: in a consumer-protocol group it
   * must be a member at its current epoch (UNKNOWN_MEMBER_ID, STALE_MEMBER_EPOCH otherwise).
   */
  public OffsetFetchResult fetchOffsets(
      String groupId, String memberId, int memberEpoch, List<TopicPartition> partitions) {
    return fetchOffsets(groupId, memberId, memberEpoch, partitions, false);
  }

  /** As above, with the stable check of {@link #fetchOffsets(String, List, boolean)}. */
  public OffsetFetchResult fetchOffsets(
      String groupId,
      String memberId,
      int memberEpoch,
      List<TopicPartition> partitions,
      boolean requireStable) {
    ConsumerGroupManager consumer = consumerGroups;
    if (consumer != null && groupId != null) {
      Errors check = consumer.validateFetch(groupId, memberId, memberEpoch);
      if (check != Errors.NONE) {
        return new OffsetFetchResult(check, Map.of());
      }
    }
    return offsets.fetch(groupId, partitions, requireStable);
  }

  public CompletableFuture<OffsetDeleteResult> deleteOffsets(
      String groupId, List<TopicPartition> partitions) {
    return offsets.deleteOffsets(groupId, partitions);
  }

  /** Deletes empty groups and their offsets (tombstones are written). */
  public CompletableFuture<Map<String, Errors>> deleteGroups(List<String> groupIds) {
    ConsumerGroupManager consumer = consumerGroups;
    if (consumer == null) {
      return offsets.deleteGroups(groupIds);
    }
    List<String> classic = new ArrayList<>();
    Map<String, Errors> busy = new java.util.LinkedHashMap<>();
    for (String id : groupIds) {
      if (id != null && consumer.hasMembers(id)) {
        busy.put(id, Errors.NON_EMPTY_GROUP);
      } else {
        classic.add(id);
      }
    }
    return offsets
        .deleteGroups(classic)
        .thenApply(
            result -> {
              Map<String, Errors> out = new java.util.LinkedHashMap<>();
              for (String id : groupIds) {
                out.put(id, busy.containsKey(id) ? busy.get(id) : result.get(id));
                if (result.get(id) == Errors.NONE) {
                  consumer.forget(id);
                }
              }
              return out;
            });
  }

  // ---------------------------------------------------------------- listing

  /**
   * Groups of the loaded partitions. {@code states} filters by state name (case-insensitive),
   * {@code types} by group type ("classic" is the only one); empty sets do not filter.
   */
  public ListGroupsResult listGroups(Set<String> states, Set<String> types) {
    Set<String> wantedTypes =
        types.stream()
            .map(t -> t.toLowerCase(Locale.ROOT))
            .collect(java.util.stream.Collectors.toSet());
    Set<String> wanted =
        states.stream()
            .map(s -> s.toLowerCase(Locale.ROOT))
            .collect(java.util.stream.Collectors.toSet());
    List<GroupListing> out = new ArrayList<>();
    ConsumerGroupManager consumer = consumerGroups;
    if (consumer != null && (wantedTypes.isEmpty() || wantedTypes.contains(CONSUMER_GROUP_TYPE))) {
      for (GroupListing g : consumer.list()) {
        if (wanted.isEmpty() || wanted.contains(g.state().toLowerCase(Locale.ROOT))) {
          out.add(g);
        }
      }
    }
    if (!wantedTypes.isEmpty() && !wantedTypes.contains(CLASSIC_GROUP_TYPE)) {
      return new ListGroupsResult(
          registry.anyLoading() ? Errors.COORDINATOR_LOAD_IN_PROGRESS : Errors.NONE, out);
    }
    for (GroupRegistry.OwnedPartition p : registry.ownedPartitions()) {
      if (!p.loaded) {
        continue;
      }
      for (ClassicGroup g : registry.groups(p.partition)) {
        g.lock().lock();
        try {
          if (g.is(GroupState.DEAD)
              || (consumer != null && consumer.isConsumerGroup(g.groupId()))
              || (!wanted.isEmpty()
                  && !wanted.contains(g.state().displayName().toLowerCase(Locale.ROOT)))) {
            continue;
          }
          out.add(
              new GroupListing(
                  g.groupId(),
                  g.protocolType() == null ? "" : g.protocolType(),
                  g.state().displayName(),
                  CLASSIC_GROUP_TYPE));
        } finally {
          g.lock().unlock();
        }
      }
    }
    return new ListGroupsResult(
        registry.anyLoading() ? Errors.COORDINATOR_LOAD_IN_PROGRESS : Errors.NONE, out);
  }

  /**
   * The group as DescribeGroups shows it: members with their subscription and assignment bytes when
   * Stable, without them otherwise. An unknown group is GROUP_ID_NOT_FOUND in state Dead (the
   * handler answers older versions with NONE).
   */
  public DescribedGroup describeGroup(String groupId) {
    DescribedGroup out = new DescribedGroup().setGroupId(groupId);
    ClassicGroup g;
    try {
      g = registry.lock(groupId, false, time.milliseconds());
    } catch (ApiException e) {
      return out.setErrorCode(Errors.forException(e).code())
          .setGroupState(GroupState.DEAD.displayName());
    }
    if (g == null) {
      return out.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code())
          .setErrorMessage("Group " + groupId + " not found.")
          .setGroupState(GroupState.DEAD.displayName());
    }
    try {
      boolean stable = g.is(GroupState.STABLE);
      out.setErrorCode(Errors.NONE.code())
          .setGroupState(g.state().displayName())
          .setProtocolType(g.protocolType() == null ? "" : g.protocolType())
          .setProtocolData(stable && g.protocolName() != null ? g.protocolName() : "");
      List<DescribedGroupMember> members = new ArrayList<>(g.members().size());
      for (GroupMember m : g.members()) {
        members.add(
            new DescribedGroupMember()
                .setMemberId(m.memberId)
                .setGroupInstanceId(m.groupInstanceId)
                .setClientId(m.clientId)
                .setClientHost(m.clientHost)
                .setMemberMetadata(stable ? m.metadata(g.protocolName()) : GroupMember.NO_BYTES)
                .setMemberAssignment(stable ? m.assignment : GroupMember.NO_BYTES));
      }
      return out.setMembers(members);
    } finally {
      g.lock().unlock();
    }
  }

  /** Fails parked requests with NOT_COORDINATOR, cancels its timers, stops the loader thread. */
  @Override
  public void close() {
    for (GroupRegistry.OwnedPartition p : registry.ownedPartitions()) {
      registry.stopOwning(p);
      partitions.unloadGroups(p.partition);
    }
    ScheduledFuture<?> expiry = expiryCheck;
    if (expiry != null) {
      expiry.cancel(false);
    }
    loader.shutdownNow();
    try {
      loader.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
