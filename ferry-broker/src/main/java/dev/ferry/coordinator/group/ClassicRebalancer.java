package dev.ferry.coordinator.group;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData.JoinGroupResponseMember;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The classic protocol's rebalance state machine (Empty, PreparingRebalance, CompletingRebalance,
 * Stable): starting a rebalance, the join and sync deadlines and the initial delay, completing the
 * join phase, and members' session expiry. The JoinGroup, SyncGroup, Heartbeat and LeaveGroup
 * handlers drive it; every method expects the group locked by the caller and timers take the same
 * lock. Parked futures are completed through a {@link Deferred} after the lock is released.
 */
final class ClassicRebalancer {

  private static final Logger log = LoggerFactory.getLogger(ClassicRebalancer.class);

  private final GroupCoordinatorConfig config;
  private final Time time;
  private final ScheduledExecutorService scheduler;
  private final GroupRegistry registry;
  private final GroupWriter writer;

  ClassicRebalancer(
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

  void maybePrepareRebalance(ClassicGroup g, String reason, Deferred d) {
    switch (g.state()) {
      case STABLE, COMPLETING_REBALANCE, EMPTY -> prepareRebalance(g, reason, d);
      case PREPARING_REBALANCE -> maybeCompleteJoin(g, d);
      default -> {}
    }
  }

  void prepareRebalance(ClassicGroup g, String reason, Deferred d) {
    if (g.is(GroupState.COMPLETING_REBALANCE)) {
      // Assignments of the generation being formed will never be delivered.
      for (GroupMember m : g.members()) {
        m.assignment = GroupMember.NO_BYTES;
        if (m.awaitingSync != null) {
          d.complete(m.awaitingSync, MembershipManager.syncError(Errors.REBALANCE_IN_PROGRESS));
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

  void maybeCompleteJoin(ClassicGroup g, Deferred d) {
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
          d.complete(m.awaitingSync, MembershipManager.syncError(Errors.UNKNOWN_MEMBER_ID));
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
        d.complete(m.awaitingSync, MembershipManager.syncError(Errors.UNKNOWN_MEMBER_ID));
        m.awaitingSync = null;
      }
      g.removeMember(m);
    }
    prepareRebalance(g, late.size() + " members did not sync", d);
  }

  JoinGroupResponseData joinResponse(
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

  void removeMemberAndRebalance(ClassicGroup g, GroupMember m, String reason, Deferred d) {
    if (m.awaitingJoin != null) {
      d.complete(m.awaitingJoin, MembershipManager.joinError(m.memberId, Errors.UNKNOWN_MEMBER_ID));
      m.awaitingJoin = null;
    }
    if (m.awaitingSync != null) {
      d.complete(m.awaitingSync, MembershipManager.syncError(Errors.UNKNOWN_MEMBER_ID));
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
  void persistGroup(ClassicGroup g) {
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
}
