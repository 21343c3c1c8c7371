package dev.ferry.coordinator.group;

import dev.ferry.storage.AppendResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * JoinGroup of the classic protocol: new members (with KIP-394's member id round trip), known
 * members rejoining in each group state, static members replacing their previous incarnation
 * (KIP-345), and the pending member ids that expire when a client never comes back.
 */
final class ClassicJoinHandler {

  private static final Logger log = LoggerFactory.getLogger(ClassicJoinHandler.class);

  private final GroupCoordinatorConfig config;
  private final Time time;
  private final ScheduledExecutorService scheduler;
  private final GroupRegistry registry;
  private final GroupWriter writer;
  private final ClassicRebalancer rebalancer;

  ClassicJoinHandler(
      GroupCoordinatorConfig config,
      Time time,
      ScheduledExecutorService scheduler,
      GroupRegistry registry,
      GroupWriter writer,
      ClassicRebalancer rebalancer) {
    this.config = config;
    this.time = time;
    this.scheduler = scheduler;
    this.registry = registry;
    this.writer = writer;
    this.rebalancer = rebalancer;
  }

  CompletableFuture<JoinGroupResponseData> join(GroupRequestContext ctx, JoinGroupRequestData req) {
    short version = ctx.apiVersion();
    String memberId = req.memberId() == null ? "" : req.memberId();
    String groupId = req.groupId();
    if (groupId == null || groupId.isEmpty()) {
      return done(MembershipManager.joinError(memberId, Errors.INVALID_GROUP_ID));
    }
    int sessionTimeout = req.sessionTimeoutMs();
    if (sessionTimeout < config.groupMinSessionTimeoutMs()
        || sessionTimeout > config.groupMaxSessionTimeoutMs()) {
      return done(MembershipManager.joinError(memberId, Errors.INVALID_SESSION_TIMEOUT));
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
      return done(MembershipManager.joinError(memberId, Errors.INCONSISTENT_GROUP_PROTOCOL));
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
      return done(MembershipManager.joinError(memberId, Errors.forException(e)));
    }
    if (g == null) {
      return done(MembershipManager.joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
    }
    CompletableFuture<JoinGroupResponseData> result = new CompletableFuture<>();
    Deferred d = new Deferred();
    try {
      if (newMember) {
        joinNewMember(g, join, result, d);
      } else {
        joinKnownMember(g, join, result, d);
      }
      rebalancer.retireIfUnused(g);
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

    /** A member made from this request, under {@code memberId}. */
    GroupMember member(String memberId) {
      return new GroupMember(
          memberId,
          instanceId,
          ctx.clientId(),
          ctx.clientHost(),
          rebalanceTimeoutMs,
          sessionTimeoutMs,
          protocols);
    }
  }

  private void joinNewMember(
      ClassicGroup g,
      JoinRequest req,
      CompletableFuture<JoinGroupResponseData> result,
      Deferred d) {
    if (!g.accepts(req.protocolType, req.protocols)) {
      d.complete(result, MembershipManager.joinError("", Errors.INCONSISTENT_GROUP_PROTOCOL));
      return;
    }
    String existingStatic = req.instanceId == null ? null : g.staticMemberId(req.instanceId);
    if (existingStatic == null
        && g.members().size() + g.pendingMemberCount() >= config.groupMaxSize()) {
      d.complete(result, MembershipManager.joinError("", Errors.GROUP_MAX_SIZE_REACHED));
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
      d.complete(result, MembershipManager.joinError(newId, Errors.MEMBER_ID_REQUIRED));
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
        d.complete(
            result, MembershipManager.joinError(memberId, Errors.INCONSISTENT_GROUP_PROTOCOL));
        rebalancer.maybeCompleteJoin(g, d);
        return;
      }
      addMemberAndRebalance(g, memberId, req, result, d);
      return;
    }
    if (g.isFenced(req.instanceId, memberId)) {
      d.complete(result, MembershipManager.joinError(memberId, Errors.FENCED_INSTANCE_ID));
      return;
    }
    GroupMember m = g.member(memberId);
    if (m == null) {
      d.complete(result, MembershipManager.joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
      return;
    }
    if (!g.accepts(req.protocolType, req.protocols)) {
      d.complete(result, MembershipManager.joinError(memberId, Errors.INCONSISTENT_GROUP_PROTOCOL));
      return;
    }
    switch (g.state()) {
      case PREPARING_REBALANCE -> {
        updateMember(m, req);
        park(g, m, result, req.version(), d);
        rebalancer.maybeCompleteJoin(g, d);
      }
      case COMPLETING_REBALANCE -> {
        if (m.sameProtocols(req.protocols)) {
          // A retry of a join whose response was lost: answer with the current generation.
          d.complete(result, rebalancer.joinResponse(g, m, req.version(), false));
        } else {
          updateMember(m, req);
          park(g, m, result, req.version(), d);
          rebalancer.prepareRebalance(g, "member " + memberId + " changed its protocols", d);
        }
      }
      case STABLE -> {
        if (g.isLeader(memberId) || !m.sameProtocols(req.protocols)) {
          // The leader rejoins when it sees metadata changes the assignment depends on.
          updateMember(m, req);
          park(g, m, result, req.version(), d);
          rebalancer.prepareRebalance(
              g,
              g.isLeader(memberId)
                  ? "leader " + memberId + " rejoined"
                  : "member " + memberId + " changed its protocols",
              d);
        } else {
          d.complete(result, rebalancer.joinResponse(g, m, req.version(), false));
        }
      }
      default ->
          d.complete(result, MembershipManager.joinError(memberId, Errors.UNKNOWN_MEMBER_ID));
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
    GroupMember nm = req.member(newId);
    nm.assignment = old.assignment;
    nm.synced = old.synced;
    old.cancelSessionCheck();
    if (old.awaitingJoin != null) {
      d.complete(
          old.awaitingJoin, MembershipManager.joinError(old.memberId, Errors.FENCED_INSTANCE_ID));
      old.awaitingJoin = null;
    }
    if (old.awaitingSync != null) {
      d.complete(old.awaitingSync, MembershipManager.syncError(Errors.FENCED_INSTANCE_ID));
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
      rebalancer.scheduleSessionCheck(g, nm);
      short version = req.version();
      CoordinatorLog target = registry.logFor(g);
      CompletableFuture<AppendResult> written = writer.writeGroup(target, g);
      written.whenCompleteAsync(
          (ok, err) -> {
            if (err != null) {
              log.warn("Could not persist static member replacement in {}", g, err);
              result.complete(
                  MembershipManager.joinError(newId, GroupWriter.appendError(err, false)));
              return;
            }
            JoinGroupResponseData resp;
            g.lock().lock();
            try {
              resp =
                  g.member(newId) == nm
                      ? rebalancer.joinResponse(g, nm, version, true)
                      : MembershipManager.joinError(newId, Errors.UNKNOWN_MEMBER_ID);
            } finally {
              g.lock().unlock();
            }
            result.complete(resp);
          },
          scheduler);
      return;
    }
    park(g, nm, result, req.version(), d);
    rebalancer.maybePrepareRebalance(g, "static member " + req.instanceId + " rejoined", d);
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
    GroupMember m = req.member(memberId);
    g.adoptProtocolTypeIfEmpty(req.protocolType);
    g.addMember(m);
    g.noteMemberJoined();
    park(g, m, result, req.version(), d);
    rebalancer.maybePrepareRebalance(g, "member " + memberId + " joined", d);
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
      d.complete(
          m.awaitingJoin, MembershipManager.joinError(m.memberId, Errors.REBALANCE_IN_PROGRESS));
    }
    m.awaitingJoin = result;
    m.joinVersion = version;
    rebalancer.scheduleSessionCheck(g, m);
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
        rebalancer.maybeCompleteJoin(g, d);
        rebalancer.retireIfUnused(g);
      }
    } finally {
      g.lock().unlock();
    }
    d.flush();
  }

  private static <T> CompletableFuture<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }
}
