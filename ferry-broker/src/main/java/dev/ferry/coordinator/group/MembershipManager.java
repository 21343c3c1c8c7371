package dev.ferry.coordinator.group;

import dev.ferry.storage.AppendResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData.JoinGroupResponseMember;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The classic group membership protocol: JoinGroup, SyncGroup, Heartbeat, LeaveGroup, session
 * expiry and the rebalance state machine (Empty, PreparingRebalance, CompletingRebalance, Stable).
 *
 * <p>Threading: every operation locks its group for its whole duration; timers run on the shared
 * scheduler thread and take the same lock. Parked JoinGroup/SyncGroup futures are completed after
 * the lock is released (see {@link Deferred}).
 */
final class MembershipManager {

  private static final Logger log = LoggerFactory.getLogger(MembershipManager.class);

  private final GroupCoordinatorConfig config;
  private final Time time;
  private final ScheduledExecutorService scheduler;
  private final GroupRegistry registry;
  private final GroupWriter writer;

  MembershipManager(
      GroupCoordinatorConfig config,
      Time time,
      ScheduledExecutorService scheduler,
      GroupRegistry registry,
      GroupWriter writer) {
    this.config = config;
    this.time = time;
    this.scheduler = scheduler;
    this.registry = registry;
    this.writer = writer;
  }

  // ---------------------------------------------------------------- JoinGroup

  CompletableFuture<JoinGroupResponseData> join(GroupRequestContext ctx, JoinGroupRequestData req) {
    short version = ctx.apiVersion();
    String memberId = req.memberId() == null ? "" : req.memberId();
    String groupId = req.groupId();
    if (groupId == null || groupId.isEmpty()) {
      return done(joinError(memberId, Errors.INVALID_GROUP_ID));
    }
    int sessionTimeout = req.sessionTimeoutMs();
    if (sessionTimeout < config.groupMinSessionTimeoutMs()
        || sessionTimeout > config.groupMaxSessionTimeoutMs()) {
      return done(joinError(memberId, Errors.INVALID_SESSION_TIMEOUT));
    }
    // v0 has no rebalance timeout: the session timeout served both purposes.
    int rebalanceTimeout =
        version == 0 || req.rebalanceTimeoutMs() <= 0 ? sessionTimeout : req.rebalanceTimeoutMs();
    String protocolType = req.protocolType();
    List<GroupMember.Protocol> protocols = new ArrayList<>(req.protocols().size());
    for (JoinGroupRequestProtocol p : req.protocols()) {
      protocols.add(
          new GroupMember.Protocol(
              p.name(), p.metadata() == null ? GroupMember.NO_BYTES : p.metadata()));
    }
    if (protocolType == null || protocolType.isEmpty() || protocols.isEmpty()) {
      return done(joinError(memberId, Errors.INCONSISTENT_GROUP_PROTOCOL));
    }
    String instanceId = version >= 5 ? req.groupInstanceId() : null;
    JoinRequest join =
        new JoinRequest(
            ctx, memberId, instanceId, protocolType, protocols, sessionTimeout, rebalanceTimeout);

    boolean newMember = memberId.isEmpty();
    long now = time.milliseconds();
    ClassicGroup g;
    try {
      g = registry.lock(groupId, newMember, now);
    } catch (ApiException e) {
      return done(joinError(memberId, Errors.forException(e)));
    }
    if (g == null) {
      return done(joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
    }
    CompletableFuture<JoinGroupResponseData> result = new CompletableFuture<>();
    Deferred d = new Deferred();
    try {
      if (newMember) {
        joinNewMember(g, join, result, d);
      } else {
        joinKnownMember(g, join, result, d);
      }
      retireIfUnused(g);
    } finally {
      g.lock().unlock();
    }
    d.flush();
    return result;
  }

  /** The parts of a JoinGroup request the state machine uses. */
  private record JoinRequest(
      GroupRequestContext ctx,
      String memberId,
      String instanceId,
      String protocolType,
      List<GroupMember.Protocol> protocols,
      int sessionTimeoutMs,
      int rebalanceTimeoutMs) {
    short version() {
      return ctx.apiVersion();
    }
  }

  private void joinNewMember(
      ClassicGroup g,
      JoinRequest req,
      CompletableFuture<JoinGroupResponseData> result,
      Deferred d) {
    if (!g.accepts(req.protocolType, req.protocols)) {
      d.complete(result, joinError("", Errors.INCONSISTENT_GROUP_PROTOCOL));
      return;
    }
    String existingStatic = req.instanceId == null ? null : g.staticMemberId(req.instanceId);
    if (existingStatic == null
        && g.members().size() + g.pendingMemberCount() >= config.groupMaxSize()) {
      d.complete(result, joinError("", Errors.GROUP_MAX_SIZE_REACHED));
      return;
    }
    String prefix = req.instanceId != null ? req.instanceId : req.ctx.clientId();
    String newId = prefix + "-" + UUID.randomUUID();
    if (existingStatic != null) {
      replaceStaticMember(g, g.member(existingStatic), newId, req, result, d);
    } else if (req.instanceId == null && req.version() >= 4) {
      // KIP-394: hand out the id first, so a client that never comes back costs only a pending
      // entry that expires, not a member that stalls the next rebalance.
      addPendingMember(g, newId, req.sessionTimeoutMs);
      d.complete(result, joinError(newId, Errors.MEMBER_ID_REQUIRED));
    } else {
      addMemberAndRebalance(g, newId, req, result, d);
    }
  }

  private void joinKnownMember(
      ClassicGroup g,
      JoinRequest req,
      CompletableFuture<JoinGroupResponseData> result,
      Deferred d) {
    String memberId = req.memberId;
    if (g.removePendingMember(memberId)) {
      if (!g.accepts(req.protocolType, req.protocols)) {
        d.complete(result, joinError(memberId, Errors.INCONSISTENT_GROUP_PROTOCOL));
        maybeCompleteJoin(g, d);
        return;
      }
      addMemberAndRebalance(g, memberId, req, result, d);
      return;
    }
    if (g.isFenced(req.instanceId, memberId)) {
      d.complete(result, joinError(memberId, Errors.FENCED_INSTANCE_ID));
      return;
    }
    GroupMember m = g.member(memberId);
    if (m == null) {
      d.complete(result, joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
      return;
    }
    if (!g.accepts(req.protocolType, req.protocols)) {
      d.complete(result, joinError(memberId, Errors.INCONSISTENT_GROUP_PROTOCOL));
      return;
    }
    switch (g.state()) {
      case PREPARING_REBALANCE -> {
        updateMember(m, req);
        park(g, m, result, req.version(), d);
        maybeCompleteJoin(g, d);
      }
      case COMPLETING_REBALANCE -> {
        if (m.sameProtocols(req.protocols)) {
          // A retry of a join whose response was lost: answer with the current generation.
          d.complete(result, joinResponse(g, m, req.version(), false));
        } else {
          updateMember(m, req);
          park(g, m, result, req.version(), d);
          prepareRebalance(g, "member " + memberId + " changed its protocols", d);
        }
      }
      case STABLE -> {
        if (g.isLeader(memberId) || !m.sameProtocols(req.protocols)) {
          // The leader rejoins when it sees metadata changes the assignment depends on.
          updateMember(m, req);
          park(g, m, result, req.version(), d);
          prepareRebalance(
              g,
              g.isLeader(memberId)
                  ? "leader " + memberId + " rejoined"
                  : "member " + memberId + " changed its protocols",
              d);
        } else {
          d.complete(result, joinResponse(g, m, req.version(), false));
        }
      }
      default -> d.complete(result, joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
    }
  }

  /**
   * A static member restarted: the new member id takes over the instance (and its assignment); the
   * old member id is fenced. In a stable group with unchanged subscription no rebalance happens
   * (KIP-345).
   */
  private void replaceStaticMember(
      ClassicGroup g,
      GroupMember old,
      String newId,
      JoinRequest req,
      CompletableFuture<JoinGroupResponseData> result,
      Deferred d) {
    boolean unchanged =
        g.protocolName() != null
            && old.supports(g.protocolName())
            && sameMetadata(req.protocols, g.protocolName(), old.metadata(g.protocolName()));
    GroupMember nm =
        new GroupMember(
            newId,
            req.instanceId,
            req.ctx.clientId(),
            req.ctx.clientHost(),
            req.rebalanceTimeoutMs,
            req.sessionTimeoutMs,
            req.protocols);
    nm.assignment = old.assignment;
    nm.synced = old.synced;
    old.cancelSessionCheck();
    if (old.awaitingJoin != null) {
      d.complete(old.awaitingJoin, joinError(old.memberId, Errors.FENCED_INSTANCE_ID));
      old.awaitingJoin = null;
    }
    if (old.awaitingSync != null) {
      d.complete(old.awaitingSync, syncError(Errors.FENCED_INSTANCE_ID));
      old.awaitingSync = null;
    }
    g.replaceStaticMember(old, nm);
    log.info(
        "Static member {} of group {} rejoined as {} (was {})",
        req.instanceId,
        g.groupId(),
        newId,
        old.memberId);
    if (g.is(GroupState.STABLE) && unchanged) {
      scheduleSessionCheck(g, nm);
      short version = req.version();
      CoordinatorLog target = registry.logFor(g);
      CompletableFuture<AppendResult> written = writer.writeGroup(target, g);
      written.whenCompleteAsync(
          (ok, err) -> {
            if (err != null) {
              log.warn("Could not persist static member replacement in {}", g, err);
              result.complete(joinError(newId, GroupWriter.appendError(err, false)));
              return;
            }
            JoinGroupResponseData resp;
            g.lock().lock();
            try {
              resp =
                  g.member(newId) == nm
                      ? joinResponse(g, nm, version, true)
                      : joinError(newId, Errors.UNKNOWN_MEMBER_ID);
            } finally {
              g.lock().unlock();
            }
            result.complete(resp);
          },
          scheduler);
      return;
    }
    park(g, nm, result, req.version(), d);
    maybePrepareRebalance(g, "static member " + req.instanceId + " rejoined", d);
  }

  private static boolean sameMetadata(
      List<GroupMember.Protocol> protocols, String name, byte[] metadata) {
    for (GroupMember.Protocol p : protocols) {
      if (p.name().equals(name)) {
        return Arrays.equals(p.metadata(), metadata);
      }
    }
    return false;
  }

  private void addMemberAndRebalance(
      ClassicGroup g,
      String memberId,
      JoinRequest req,
      CompletableFuture<JoinGroupResponseData> result,
      Deferred d) {
    GroupMember m =
        new GroupMember(
            memberId,
            req.instanceId,
            req.ctx.clientId(),
            req.ctx.clientHost(),
            req.rebalanceTimeoutMs,
            req.sessionTimeoutMs,
            req.protocols);
    g.adoptProtocolTypeIfEmpty(req.protocolType);
    g.addMember(m);
    g.noteMemberJoined();
    park(g, m, result, req.version(), d);
    maybePrepareRebalance(g, "member " + memberId + " joined", d);
  }

  private static void updateMember(GroupMember m, JoinRequest req) {
    m.protocols = List.copyOf(req.protocols);
    m.sessionTimeoutMs = req.sessionTimeoutMs;
    m.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    m.clientId = req.ctx.clientId();
    m.clientHost = req.ctx.clientHost();
  }

  /** Parks the member's JoinGroup until the join phase completes. */
  private void park(
      ClassicGroup g,
      GroupMember m,
      CompletableFuture<JoinGroupResponseData> result,
      short version,
      Deferred d) {
    if (m.awaitingJoin != null && m.awaitingJoin != result) {
      // The client gave up on its previous join and sent a new one; the old answer is moot.
      d.complete(m.awaitingJoin, joinError(m.memberId, Errors.REBALANCE_IN_PROGRESS));
    }
    m.awaitingJoin = result;
    m.joinVersion = version;
    scheduleSessionCheck(g, m);
  }

  private void addPendingMember(ClassicGroup g, String memberId, int sessionTimeoutMs) {
    g.addPendingMember(
        memberId,
        scheduler.schedule(
            () -> onPendingMemberExpired(g, memberId), sessionTimeoutMs, TimeUnit.MILLISECONDS));
  }

  private void onPendingMemberExpired(ClassicGroup g, String memberId) {
    Deferred d = new Deferred();
    g.lock().lock();
    try {
      if (g.removePendingMember(memberId)) {
        log.debug("Pending member {} of group {} did not rejoin in time", memberId, g.groupId());
        maybeCompleteJoin(g, d);
        retireIfUnused(g);
      }
    } finally {
      g.lock().unlock();
    }
    d.flush();
  }

  /**
   * A group that just came back from the consumer protocol (online downgrade) with its members
   * Stable: their sessions start now and a rebalance makes them rejoin, so the group gets a classic
   * assignment. Caller holds the group lock.
   */
  void resumeAfterDowngrade(ClassicGroup g, Deferred d) {
    for (GroupMember m : g.members()) {
      scheduleSessionCheck(g, m);
    }
    prepareRebalance(g, "downgraded from the consumer protocol", d);
  }

  // ---------------------------------------------------------------- rebalance state machine

  private void maybePrepareRebalance(ClassicGroup g, String reason, Deferred d) {
    switch (g.state()) {
      case STABLE, COMPLETING_REBALANCE, EMPTY -> prepareRebalance(g, reason, d);
      case PREPARING_REBALANCE -> maybeCompleteJoin(g, d);
      default -> {}
    }
  }

  private void prepareRebalance(ClassicGroup g, String reason, Deferred d) {
    if (g.is(GroupState.COMPLETING_REBALANCE)) {
      // Assignments of the generation being formed will never be delivered.
      for (GroupMember m : g.members()) {
        m.assignment = GroupMember.NO_BYTES;
        if (m.awaitingSync != null) {
          d.complete(m.awaitingSync, syncError(Errors.REBALANCE_IN_PROGRESS));
          m.awaitingSync = null;
        }
      }
    }
    boolean initial = g.is(GroupState.EMPTY) && config.groupInitialRebalanceDelayMs() > 0;
    g.cancelJoinTimer();
    g.transitionTo(GroupState.PREPARING_REBALANCE, time.milliseconds());
    int rebalanceTimeout = g.maxRebalanceTimeoutMs();
    log.info(
        "Preparing to rebalance group {} in generation {} ({})",
        g.groupId(),
        g.generationId(),
        reason);
    if (initial) {
      int delay = Math.min(config.groupInitialRebalanceDelayMs(), rebalanceTimeout);
      g.beginInitialDelay(rebalanceTimeout - delay);
      armJoinTimer(g, delay, this::onInitialDelayElapsed);
    } else {
      g.endInitialDelay();
      armJoinTimer(g, rebalanceTimeout, this::onJoinDeadline);
      maybeCompleteJoin(g, d);
    }
  }

  private interface JoinTimerAction {
    void fire(ClassicGroup g, Deferred d);
  }

  private void armJoinTimer(ClassicGroup g, long delayMs, JoinTimerAction action) {
    long id = g.resetJoinTimer();
    g.joinTimerArmed(
        id,
        scheduler.schedule(
            () -> {
              Deferred d = new Deferred();
              g.lock().lock();
              try {
                if (!g.is(GroupState.DEAD) && g.joinTimerFired(id)) {
                  action.fire(g, d);
                }
              } finally {
                g.lock().unlock();
              }
              d.flush();
            },
            delayMs,
            TimeUnit.MILLISECONDS));
  }

  /** group.initial.rebalance.delay.ms: keep waiting while new members keep arriving. */
  private void onInitialDelayElapsed(ClassicGroup g, Deferred d) {
    if (!g.is(GroupState.PREPARING_REBALANCE)) {
      return;
    }
    long delay = g.extendInitialDelay(config.groupInitialRebalanceDelayMs());
    if (delay >= 0) {
      armJoinTimer(g, delay, this::onInitialDelayElapsed);
    } else {
      completeJoin(g, d);
    }
  }

  private void onJoinDeadline(ClassicGroup g, Deferred d) {
    if (g.is(GroupState.PREPARING_REBALANCE)) {
      completeJoin(g, d);
    }
  }

  private void maybeCompleteJoin(ClassicGroup g, Deferred d) {
    if (g.is(GroupState.PREPARING_REBALANCE) && !g.initialDelayActive() && g.allMembersJoined()) {
      completeJoin(g, d);
    }
  }

  /**
   * Ends the join phase: members that did not rejoin are removed, a new generation starts, a
   * protocol and leader are chosen and every parked JoinGroup is answered (the leader gets the
   * member list to compute the assignment).
   */
  private void completeJoin(ClassicGroup g, Deferred d) {
    g.cancelJoinTimer();
    g.endInitialDelay();
    for (GroupMember m : new ArrayList<>(g.members())) {
      if (!m.isAwaitingJoin()) {
        log.info(
            "Removing {} from group {}: it did not rejoin within the rebalance timeout",
            m,
            g.groupId());
        if (m.awaitingSync != null) {
          d.complete(m.awaitingSync, syncError(Errors.UNKNOWN_MEMBER_ID));
          m.awaitingSync = null;
        }
        g.removeMember(m);
      }
    }
    long now = time.milliseconds();
    g.startNextGeneration(now);
    if (g.is(GroupState.EMPTY)) {
      log.info("Group {} is empty at generation {}", g.groupId(), g.generationId());
      persistGroup(g);
      return;
    }
    for (GroupMember m : g.members()) {
      m.assignment = GroupMember.NO_BYTES;
      m.synced = false;
      d.complete(m.awaitingJoin, joinResponse(g, m, m.joinVersion, false));
      m.awaitingJoin = null;
      scheduleSessionCheck(g, m);
    }
    log.info(
        "Group {} formed generation {} with {} members, protocol {}, leader {}",
        g.groupId(),
        g.generationId(),
        g.members().size(),
        g.protocolName(),
        g.leaderId());
    // Members that never send SyncGroup would leave the group stuck: drop them after the
    // rebalance timeout.
    armJoinTimer(g, g.maxRebalanceTimeoutMs(), this::onSyncDeadline);
  }

  private void onSyncDeadline(ClassicGroup g, Deferred d) {
    if (!g.is(GroupState.COMPLETING_REBALANCE) && !g.is(GroupState.STABLE)) {
      return;
    }
    List<GroupMember> late = new ArrayList<>();
    for (GroupMember m : g.members()) {
      if (!m.synced) {
        late.add(m);
      }
    }
    if (late.isEmpty()) {
      return;
    }
    for (GroupMember m : late) {
      log.info("Removing {} from group {}: no SyncGroup within the rebalance timeout", m, g);
      if (m.awaitingSync != null) {
        d.complete(m.awaitingSync, syncError(Errors.UNKNOWN_MEMBER_ID));
        m.awaitingSync = null;
      }
      g.removeMember(m);
    }
    prepareRebalance(g, late.size() + " members did not sync", d);
  }

  private JoinGroupResponseData joinResponse(
      ClassicGroup g, GroupMember m, short version, boolean staticRejoin) {
    JoinGroupResponseData r =
        new JoinGroupResponseData()
            .setErrorCode(Errors.NONE.code())
            .setGenerationId(g.generationId())
            .setProtocolName(g.protocolName())
            .setLeader(g.leaderId())
            .setMemberId(m.memberId);
    if (version >= 7) {
      r.setProtocolType(g.protocolType());
    }
    boolean leader = g.isLeader(m.memberId);
    // A restarted static leader keeps the current assignment: from v9 it gets the members but is
    // told to skip the assignment; before v9 it gets no members (so computes nothing useful).
    boolean skipAssignment = staticRejoin && leader && version >= 9;
    if (skipAssignment) {
      r.setSkipAssignment(true);
    }
    if (leader && (!staticRejoin || skipAssignment)) {
      List<JoinGroupResponseMember> ms = new ArrayList<>(g.members().size());
      for (GroupMember member : g.members()) {
        ms.add(
            new JoinGroupResponseMember()
                .setMemberId(member.memberId)
                .setGroupInstanceId(member.groupInstanceId)
                .setMetadata(member.metadata(g.protocolName())));
      }
      r.setMembers(ms);
    }
    return r;
  }

  static JoinGroupResponseData joinError(String memberId, Errors error) {
    return new JoinGroupResponseData()
        .setErrorCode(error.code())
        .setGenerationId(-1)
        .setMemberId(memberId == null ? "" : memberId);
  }

  // ---------------------------------------------------------------- SyncGroup

  CompletableFuture<SyncGroupResponseData> sync(GroupRequestContext ctx, SyncGroupRequestData req) {
    String groupId = req.groupId();
    if (groupId == null || groupId.isEmpty()) {
      return done(syncError(Errors.INVALID_GROUP_ID));
    }
    ClassicGroup g;
    try {
      g = registry.lock(groupId, false, time.milliseconds());
    } catch (ApiException e) {
      Errors err = Errors.forException(e);
      // The rebalance in flight was lost with the old coordinator; clients do not expect
      // COORDINATOR_LOAD_IN_PROGRESS here (the Java client treats it as fatal), and rejoining is
      // what they must do anyway.
      return done(
          syncError(
              err == Errors.COORDINATOR_LOAD_IN_PROGRESS ? Errors.REBALANCE_IN_PROGRESS : err));
    }
    if (g == null) {
      return done(syncError(Errors.UNKNOWN_MEMBER_ID));
    }
    CompletableFuture<SyncGroupResponseData> result = new CompletableFuture<>();
    Deferred d = new Deferred();
    try {
      syncLocked(g, ctx, req, result, d);
    } finally {
      g.lock().unlock();
    }
    d.flush();
    return result;
  }

  private void syncLocked(
      ClassicGroup g,
      GroupRequestContext ctx,
      SyncGroupRequestData req,
      CompletableFuture<SyncGroupResponseData> result,
      Deferred d) {
    String instanceId = ctx.apiVersion() >= 3 ? req.groupInstanceId() : null;
    if (g.isFenced(instanceId, req.memberId())) {
      d.complete(result, syncError(Errors.FENCED_INSTANCE_ID));
      return;
    }
    GroupMember m = g.member(req.memberId());
    if (m == null) {
      d.complete(result, syncError(Errors.UNKNOWN_MEMBER_ID));
      return;
    }
    if (req.generationId() != g.generationId()) {
      d.complete(result, syncError(Errors.ILLEGAL_GENERATION));
      return;
    }
    if ((req.protocolType() != null && !req.protocolType().equals(g.protocolType()))
        || (req.protocolName() != null && !req.protocolName().equals(g.protocolName()))) {
      d.complete(result, syncError(Errors.INCONSISTENT_GROUP_PROTOCOL));
      return;
    }
    switch (g.state()) {
      case PREPARING_REBALANCE -> d.complete(result, syncError(Errors.REBALANCE_IN_PROGRESS));
      case COMPLETING_REBALANCE -> {
        if (m.awaitingSync != null && m.awaitingSync != result) {
          d.complete(m.awaitingSync, syncError(Errors.REBALANCE_IN_PROGRESS));
        }
        m.awaitingSync = result;
        m.synced = true;
        scheduleSessionCheck(g, m);
        if (g.isLeader(m.memberId)) {
          onLeaderAssignment(g, req.assignments());
        }
      }
      case STABLE -> {
        m.synced = true;
        scheduleSessionCheck(g, m);
        d.complete(result, syncResponse(g, m.assignment));
      }
      default -> d.complete(result, syncError(Errors.UNKNOWN_MEMBER_ID));
    }
  }

  /**
   * Stores the leader's assignment with the group metadata, then delivers each member its bytes and
   * makes the group Stable. If the write fails the generation is abandoned and the group rebalances
   * again.
   */
  private void onLeaderAssignment(ClassicGroup g, List<SyncGroupRequestAssignment> assignments) {
    Map<String, byte[]> byMember = new HashMap<>();
    for (SyncGroupRequestAssignment a : assignments) {
      if (g.hasMember(a.memberId())) {
        byMember.put(a.memberId(), a.assignment() == null ? GroupMember.NO_BYTES : a.assignment());
      } else {
        log.debug("Leader of {} assigned to unknown member {}", g.groupId(), a.memberId());
      }
    }
    for (GroupMember member : g.members()) {
      member.assignment = byMember.getOrDefault(member.memberId, GroupMember.NO_BYTES);
    }
    int generation = g.generationId();
    CompletableFuture<AppendResult> written;
    try {
      written = writer.writeGroup(registry.logFor(g), g);
    } catch (ApiException e) {
      written = CompletableFuture.failedFuture(e);
    }
    // Continue off the caller's stack: a log that completes synchronously would otherwise run
    // this while the group lock is still held by the SyncGroup that got here.
    written.whenCompleteAsync(
        (ok, err) -> {
          Deferred d = new Deferred();
          g.lock().lock();
          try {
            if (!g.is(GroupState.COMPLETING_REBALANCE) || g.generationId() != generation) {
              return; // superseded by a newer rebalance, which already answered the syncs
            }
            if (err != null) {
              Errors e = GroupWriter.appendError(err, false);
              log.warn("Could not store assignment of group {}: {}", g.groupId(), e, err);
              for (GroupMember member : g.members()) {
                if (member.awaitingSync != null) {
                  d.complete(member.awaitingSync, syncError(e));
                  member.awaitingSync = null;
                }
              }
              prepareRebalance(g, "failed to store the assignment", d);
              return;
            }
            g.transitionTo(GroupState.STABLE, time.milliseconds());
            for (GroupMember member : g.members()) {
              if (member.awaitingSync != null) {
                d.complete(member.awaitingSync, syncResponse(g, member.assignment));
                member.awaitingSync = null;
              }
            }
            log.info("Group {} is stable at generation {}", g.groupId(), generation);
          } finally {
            g.lock().unlock();
            d.flush();
          }
        },
        scheduler);
  }

  private static SyncGroupResponseData syncResponse(ClassicGroup g, byte[] assignment) {
    return new SyncGroupResponseData()
        .setErrorCode(Errors.NONE.code())
        .setProtocolType(g.protocolType())
        .setProtocolName(g.protocolName())
        .setAssignment(assignment);
  }

  static SyncGroupResponseData syncError(Errors error) {
    return new SyncGroupResponseData()
        .setErrorCode(error.code())
        .setAssignment(GroupMember.NO_BYTES);
  }

  // ---------------------------------------------------------------- Heartbeat

  Errors heartbeat(GroupRequestContext ctx, HeartbeatRequestData req) {
    String groupId = req.groupId();
    if (groupId == null || groupId.isEmpty()) {
      return Errors.INVALID_GROUP_ID;
    }
    ClassicGroup g;
    try {
      g = registry.lock(groupId, false, time.milliseconds());
    } catch (ApiException e) {
      Errors err = Errors.forException(e);
      // While the partition loads the member cannot be checked; the Java client treats
      // COORDINATOR_LOAD_IN_PROGRESS on a heartbeat as fatal, so let it through. Members that
      // are not in the loaded group get UNKNOWN_MEMBER_ID on their next heartbeat.
      return err == Errors.COORDINATOR_LOAD_IN_PROGRESS ? Errors.NONE : err;
    }
    if (g == null) {
      return Errors.UNKNOWN_MEMBER_ID;
    }
    try {
      String instanceId = ctx.apiVersion() >= 3 ? req.groupInstanceId() : null;
      if (g.isFenced(instanceId, req.memberId())) {
        return Errors.FENCED_INSTANCE_ID;
      }
      GroupMember m = g.member(req.memberId());
      if (m == null) {
        return Errors.UNKNOWN_MEMBER_ID;
      }
      if (req.generationId() != g.generationId()) {
        return Errors.ILLEGAL_GENERATION;
      }
      scheduleSessionCheck(g, m);
      return g.is(GroupState.PREPARING_REBALANCE) ? Errors.REBALANCE_IN_PROGRESS : Errors.NONE;
    } finally {
      g.lock().unlock();
    }
  }

  // ---------------------------------------------------------------- LeaveGroup

  /** Removes each member; per-member errors, top-level error only for the group as a whole. */
  LeaveGroupResponseData leave(String groupId, List<MemberIdentity> leaving) {
    LeaveGroupResponseData resp = new LeaveGroupResponseData();
    if (groupId == null || groupId.isEmpty()) {
      return resp.setErrorCode(Errors.INVALID_GROUP_ID.code());
    }
    ClassicGroup g;
    try {
      g = registry.lock(groupId, false, time.milliseconds());
    } catch (ApiException e) {
      return resp.setErrorCode(Errors.forException(e).code());
    }
    List<MemberResponse> results = new ArrayList<>(leaving.size());
    if (g == null) {
      for (MemberIdentity id : leaving) {
        results.add(memberResult(id.memberId(), id.groupInstanceId(), Errors.UNKNOWN_MEMBER_ID));
      }
      return resp.setMembers(results);
    }
    Deferred d = new Deferred();
    try {
      for (MemberIdentity id : leaving) {
        results.add(
            memberResult(id.memberId(), id.groupInstanceId(), leaveOne(g, id.memberId(), id, d)));
      }
      retireIfUnused(g);
    } finally {
      g.lock().unlock();
    }
    d.flush();
    return resp.setMembers(results);
  }

  private Errors leaveOne(ClassicGroup g, String requestedId, MemberIdentity id, Deferred d) {
    String instanceId = id.groupInstanceId();
    String memberId = requestedId == null ? "" : requestedId;
    if (memberId.isEmpty() && instanceId != null) {
      // The admin API removes static members by instance id alone.
      memberId = Objects.requireNonNullElse(g.staticMemberId(instanceId), "");
    } else if (g.isFenced(instanceId, memberId)) {
      return Errors.FENCED_INSTANCE_ID;
    }
    if (g.removePendingMember(memberId)) {
      maybeCompleteJoin(g, d);
      return Errors.NONE;
    }
    GroupMember m = g.member(memberId);
    if (m == null) {
      return Errors.UNKNOWN_MEMBER_ID;
    }
    String reason = id.reason() == null ? "" : ": " + id.reason();
    removeMemberAndRebalance(g, m, "member " + memberId + " left" + reason, d);
    return Errors.NONE;
  }

  private static MemberResponse memberResult(String memberId, String instanceId, Errors e) {
    return new MemberResponse()
        .setMemberId(memberId == null ? "" : memberId)
        .setGroupInstanceId(instanceId)
        .setErrorCode(e.code());
  }

  // ---------------------------------------------------------------- sessions

  /** Records a sign of life: the session restarts now. Caller holds the group lock. */
  void scheduleSessionCheck(ClassicGroup g, GroupMember m) {
    m.sessionDeadlineMs = time.milliseconds() + m.sessionTimeoutMs;
    if (m.sessionCheck == null) {
      armSessionCheck(g, m, m.sessionTimeoutMs);
    }
  }

  private void armSessionCheck(ClassicGroup g, GroupMember m, long delayMs) {
    m.sessionCheck = scheduler.schedule(() -> onSessionCheck(g, m), delayMs, TimeUnit.MILLISECONDS);
  }

  /**
   * One timer per member at a time: a heartbeat only moves the deadline, and the check re-arms
   * itself for the remaining time, so heartbeats cost no scheduler work.
   */
  private void onSessionCheck(ClassicGroup g, GroupMember m) {
    Deferred d = new Deferred();
    g.lock().lock();
    try {
      m.sessionCheck = null;
      if (g.is(GroupState.DEAD) || g.member(m.memberId) != m) {
        return;
      }
      long now = time.milliseconds();
      if (m.isAwaitingJoin() || m.isAwaitingSync()) {
        // A parked request is a live connection waiting on us; the rebalance and sync deadlines
        // bound how long that lasts.
        m.sessionDeadlineMs = now + m.sessionTimeoutMs;
      }
      if (now < m.sessionDeadlineMs) {
        armSessionCheck(g, m, m.sessionDeadlineMs - now);
        return;
      }
      log.info(
          "Member {} of group {} expired: no heartbeat within its session timeout of {} ms",
          m,
          g.groupId(),
          m.sessionTimeoutMs);
      removeMemberAndRebalance(g, m, "member " + m.memberId + " session expired", d);
      retireIfUnused(g);
    } finally {
      g.lock().unlock();
    }
    d.flush();
  }

  private void removeMemberAndRebalance(ClassicGroup g, GroupMember m, String reason, Deferred d) {
    if (m.awaitingJoin != null) {
      d.complete(m.awaitingJoin, joinError(m.memberId, Errors.UNKNOWN_MEMBER_ID));
      m.awaitingJoin = null;
    }
    if (m.awaitingSync != null) {
      d.complete(m.awaitingSync, syncError(Errors.UNKNOWN_MEMBER_ID));
      m.awaitingSync = null;
    }
    g.removeMember(m);
    switch (g.state()) {
      case STABLE, COMPLETING_REBALANCE -> prepareRebalance(g, reason, d);
      case PREPARING_REBALANCE -> maybeCompleteJoin(g, d);
      default -> {}
    }
  }

  // ---------------------------------------------------------------- helpers

  /** Writes the membership so a new coordinator can resume the group; failures are logged. */
  private void persistGroup(ClassicGroup g) {
    try {
      writer
          .writeGroup(registry.logFor(g), g)
          .whenComplete(
              (ok, err) -> {
                if (err != null) {
                  log.warn("Could not store metadata of group {}", g.groupId(), err);
                }
              });
    } catch (ApiException e) {
      log.warn("Could not store metadata of group {}: {}", g.groupId(), e.toString());
    }
  }

  /**
   * A group that was created for a join that then failed and that holds nothing is dropped at once
   * rather than lingering until the expiry check.
   */
  void retireIfUnused(ClassicGroup g) {
    if (g.is(GroupState.EMPTY)
        && g.generationId() == 0
        && g.members().isEmpty()
        && (g.pendingMemberCount() == 0)
        && g.offsets().isEmpty()
        && !g.hasPendingOffsetWrites()) {
      g.transitionTo(GroupState.DEAD, time.milliseconds());
      registry.remove(g);
    }
  }

  private static <T> CompletableFuture<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }
}
