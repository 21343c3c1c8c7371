package dev.ferry.coordinator.group;

import dev.ferry.storage.AppendResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
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
 * and group epochs, and the checks OffsetCommit/OffsetFetch make against member epochs. It holds
 * the groups and runs a heartbeat through its parts: {@link ConsumerHeartbeatValidation} (the
 * request), {@link ConsumerMemberResolver} (which member, epoch checks), {@link
 * ConsumerTargetAssignment} (group epoch and target), {@link ConsumerReconciler} (the member's next
 * assignment) and {@link ConsumerGroupTimers} (session and revocation deadlines); {@link
 * ConsumerGroupDescriber} answers ConsumerGroupDescribe and ListGroups.
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
  private final ConsumerTargetAssignment target;
  private final ConsumerGroupTimers timers;
  private final ConsumerGroupDescriber describer;
  private final ConsumerMemberResolver resolver;

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
    this.target = new ConsumerTargetAssignment(config, topics, assignors);
    this.timers = new ConsumerGroupTimers(config, time, scheduler, this);
    this.describer = new ConsumerGroupDescriber(registry, topics, this, target);
    this.resolver = new ConsumerMemberResolver(config);
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

  /** After a member changed; see {@link ConsumerTargetAssignment#refreshTarget}. */
  void refreshTarget(ConsumerGroup g, boolean subscriptionChanged) {
    target.refreshTarget(g, subscriptionChanged);
  }

  /** A heartbeat: the member's session restarts now. */
  void touchSession(ConsumerGroup g, ConsumerGroupMember m) {
    timers.touchSession(g, m);
  }

  /** The group locked by the caller if it exists (live); null otherwise. */
  ConsumerGroup lockExisting(String groupId) {
    return lockGroup(groupId, false);
  }

  /** Every loaded group (some may be dead). */
  java.util.Collection<ConsumerGroup> all() {
    return groups.values();
  }

  ConsumerGroupDescribeResponseData.DescribedGroup describe(String groupId) {
    return describer.describe(groupId);
  }

  List<GroupListing> list() {
    return describer.list();
  }

  // ---------------------------------------------------------------- heartbeat

  /**
   * Completes once whatever the heartbeat changed is in the group's {@code __consumer_offsets}
   * partition (at once when it changed nothing).
   */
  CompletableFuture<ConsumerGroupHeartbeatResponseData> heartbeat(
      GroupRequestContext ctx, ConsumerGroupHeartbeatRequestData req) {
    try {
      ConsumerHeartbeatValidation.validate(req, ctx.apiVersion(), config);
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
      ConsumerGroupMember m = resolver.memberFor(g, memberId, req);
      boolean isNew = g.member(m.memberId) != m;
      Map<Uuid, Set<Integer>> assignedBefore = m.assigned;
      Map<Uuid, Set<Integer>> pendingBefore = m.pendingRevocation;
      int memberEpochBefore = m.memberEpoch;
      int groupEpochBefore = g.groupEpoch();
      // A restarted static member (new object, old epoch) brings its old subscription: only a
      // brand-new member, or a changed subscription, makes the group rebalance.
      boolean subscriptionChanged =
          ConsumerMemberResolver.update(m, ctx, req) || (isNew && m.memberEpoch == 0);
      if (isNew) {
        g.addMember(m);
        log.info("{} joined {} ({})", m, g, m.clientId);
      }
      target.refreshTarget(g, subscriptionChanged);
      reconcile(g, m, req.topicPartitions());
      timers.touchSession(g, m);

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

  /** Moves {@code m} towards its target, given what it reports owning (null: did not say). */
  void reconcile(ConsumerGroup g, ConsumerGroupMember m, List<TopicPartitions> owned) {
    ConsumerReconciler.reconcile(m, g.assignmentEpoch(), g.targetOf(m.memberId), g.owners(), owned);
    timers.armRevocationDeadline(g, m);
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
  void fence(ConsumerGroup g, ConsumerGroupMember m, String why) {
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
              timers.touchSession(upgraded, m);
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
        timers.touchSession(g, m);
        timers.armRevocationDeadline(g, m);
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
