package dev.ferry.coordinator.group;

import dev.ferry.storage.AppendResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
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
 * The classic group membership protocol: the coordinator's entry point for JoinGroup (handled by
 * {@link ClassicJoinHandler}), SyncGroup, Heartbeat and LeaveGroup, over the rebalance state
 * machine of {@link ClassicRebalancer} (Empty, PreparingRebalance, CompletingRebalance, Stable).
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
  private final ClassicRebalancer rebalancer;
  private final ClassicJoinHandler joins;

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
    this.rebalancer = new ClassicRebalancer(config, time, scheduler, registry, writer);
    this.joins = new ClassicJoinHandler(config, time, scheduler, registry, writer, rebalancer);
  }

  // ---------------------------------------------------------------- JoinGroup

  CompletableFuture<JoinGroupResponseData> join(GroupRequestContext ctx, JoinGroupRequestData req) {
    return joins.join(ctx, req);
  }

  /** Records a sign of life: the session restarts now. Caller holds the group lock. */
  void scheduleSessionCheck(ClassicGroup g, GroupMember m) {
    rebalancer.scheduleSessionCheck(g, m);
  }

  /** See {@link ClassicRebalancer#resumeAfterDowngrade}. */
  void resumeAfterDowngrade(ClassicGroup g, Deferred d) {
    rebalancer.resumeAfterDowngrade(g, d);
  }

  /** See {@link ClassicRebalancer#retireIfUnused}. */
  void retireIfUnused(ClassicGroup g) {
    rebalancer.retireIfUnused(g);
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
        rebalancer.scheduleSessionCheck(g, m);
        if (g.isLeader(m.memberId)) {
          onLeaderAssignment(g, req.assignments());
        }
      }
      case STABLE -> {
        m.synced = true;
        rebalancer.scheduleSessionCheck(g, m);
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
              rebalancer.prepareRebalance(g, "failed to store the assignment", d);
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
      rebalancer.scheduleSessionCheck(g, m);
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
      rebalancer.retireIfUnused(g);
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
      rebalancer.maybeCompleteJoin(g, d);
      return Errors.NONE;
    }
    GroupMember m = g.member(memberId);
    if (m == null) {
      return Errors.UNKNOWN_MEMBER_ID;
    }
    String reason = id.reason() == null ? "" : ": " + id.reason();
    rebalancer.removeMemberAndRebalance(g, m, "member " + memberId + " left" + reason, d);
    return Errors.NONE;
  }

  private static MemberResponse memberResult(String memberId, String instanceId, Errors e) {
    return new MemberResponse()
        .setMemberId(memberId == null ? "" : memberId)
        .setGroupInstanceId(instanceId)
        .setErrorCode(e.code());
  }

  private static <T> CompletableFuture<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }
}
