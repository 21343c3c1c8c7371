package dev.ferry.coordinator.group;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData.TopicPartitions;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupResponseData.MemberResponse;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Classic-protocol members (JoinGroup, SyncGroup, Heartbeat, LeaveGroup) of a consumer-protocol
 * group, as during an online migration (KIP-848). The broker assigns, as for every member of the
 * group; the classic handshake only carries the result:
 *
 * <ul>
 *   <li>JoinGroup updates the member's subscription (from its embedded consumer-protocol metadata)
 *       and reconciles it against the target assignment with the partitions it reports owning; the
 *       answer has generation = the member epoch and no leader, so nobody assigns client-side.
 *   <li>SyncGroup returns the partitions the member may own now.
 *   <li>Heartbeat answers REBALANCE_IN_PROGRESS when the member must rejoin to move on: the group
 *       epoch moved, it must revoke partitions, or partitions it waits for are now free.
 * </ul>
 *
 * Every method returns null when {@code groupId} is not (or no longer) a consumer-protocol group
 * with members; the caller then serves the request as a classic group.
 */
final class ClassicMembersOfConsumerGroups {

  private static final Logger log = LoggerFactory.getLogger(ClassicMembersOfConsumerGroups.class);

  private final ConsumerGroupManager groups;
  private final GroupCoordinatorConfig classicConfig;

  ClassicMembersOfConsumerGroups(
      ConsumerGroupManager groups, GroupCoordinatorConfig classicConfig) {
    this.groups = groups;
    this.classicConfig = classicConfig;
  }

  // ---------------------------------------------------------------- JoinGroup

  CompletableFuture<JoinGroupResponseData> join(GroupRequestContext ctx, JoinGroupRequestData req) {
    String memberId = req.memberId() == null ? "" : req.memberId();
    if (req.sessionTimeoutMs() < classicConfig.groupMinSessionTimeoutMs()
        || req.sessionTimeoutMs() > classicConfig.groupMaxSessionTimeoutMs()) {
      return done(MembershipManager.joinError(memberId, Errors.INVALID_SESSION_TIMEOUT));
    }
    String instanceId = ctx.apiVersion() >= 5 ? req.groupInstanceId() : null;
    ConsumerGroup g = groups.lockLive(req.groupId());
    if (g == null) {
      return null;
    }
    try {
      List<GroupMember.Protocol> protocols = new ArrayList<>();
      for (JoinGroupRequestProtocol p : req.protocols()) {
        protocols.add(
            new GroupMember.Protocol(
                p.name(), p.metadata() == null ? GroupMember.NO_BYTES : p.metadata()));
      }
      if (!supports(g, req.protocolType(), protocols)) {
        return done(MembershipManager.joinError(memberId, Errors.INCONSISTENT_GROUP_PROTOCOL));
      }
      boolean unknown = memberId.isEmpty();
      if (unknown) {
        memberId = Uuid.randomUuid().toString();
        if (instanceId == null && ctx.apiVersion() >= 4) {
          // KIP-394, as for a classic group: the id first, the membership on the next join.
          return done(MembershipManager.joinError(memberId, Errors.MEMBER_ID_REQUIRED));
        }
      }
      ConsumerSubscriptions.Subscription sub;
      try {
        sub = ConsumerSubscriptions.parse(protocols.get(0).metadata());
      } catch (IllegalArgumentException e) {
        return done(MembershipManager.joinError(memberId, Errors.INCONSISTENT_GROUP_PROTOCOL));
      }
      String holderId = instanceId == null ? null : g.staticMemberId(instanceId);
      ConsumerGroupMember known = g.member(memberId);
      if ((holderId != null && !holderId.equals(memberId) && !unknown)
          || (known != null && known.instanceId != null && !known.instanceId.equals(instanceId))) {
        return done(MembershipManager.joinError(memberId, Errors.FENCED_INSTANCE_ID));
      }
      ConsumerGroupMember m = memberFor(g, memberId, instanceId);
      if (m == null) {
        return done(MembershipManager.joinError(memberId, Errors.GROUP_MAX_SIZE_REACHED));
      }
      boolean isNew = g.member(m.memberId) != m;
      boolean changed = isNew || !sub.topics().equals(m.subscribedTopicNames);
      m.instanceId = instanceId;
      m.rackId = sub.rackId();
      m.rebalanceTimeoutMs =
          req.rebalanceTimeoutMs() > 0 ? req.rebalanceTimeoutMs() : req.sessionTimeoutMs();
      m.serverAssignor = null;
      m.subscribedTopicNames = sub.topics();
      m.subscribedTopicRegex = null;
      m.subscribedPattern = null;
      m.clientId = ctx.clientId();
      m.clientHost = ctx.clientHost();
      m.classic = new ConsumerGroupMember.ClassicMetadata(req.sessionTimeoutMs(), protocols);
      if (isNew) {
        g.addMember(m);
        log.info("Classic {} joined {} ({})", m, g, m.clientId);
      }
      groups.refreshTarget(g, changed);
      groups.reconcile(g, m, owned(sub.owned(), groups.topics()));
      groups.touchSession(g, m);
      JoinGroupResponseData resp =
          new JoinGroupResponseData()
              .setErrorCode(Errors.NONE.code())
              .setMemberId(m.memberId)
              .setGenerationId(m.memberEpoch)
              .setProtocolType(ConsumerSubscriptions.CONSUMER_PROTOCOL_TYPE)
              .setProtocolName(m.classic.preferred().name());
      String id = m.memberId;
      return groups
          .persist(g)
          .handle(
              (ok, err) ->
                  err == null
                      ? resp
                      : MembershipManager.joinError(id, GroupWriter.appendError(err, false)));
    } finally {
      g.lock().unlock();
    }
  }

  /**
   * An existing member, a new one (null if the group is full), or for a static member that
   * restarted (new member id, known instance id) a new member taking over its assignment.
   */
  private ConsumerGroupMember memberFor(ConsumerGroup g, String memberId, String instanceId) {
    ConsumerGroupMember existing = g.member(memberId);
    if (existing != null) {
      return existing;
    }
    String holderId = instanceId == null ? null : g.staticMemberId(instanceId);
    ConsumerGroupMember holder = holderId == null ? null : g.member(holderId);
    if (holder != null) {
      ConsumerGroupMember replacement = new ConsumerGroupMember(memberId);
      replacement.instanceId = instanceId;
      replacement.memberEpoch = holder.memberEpoch;
      replacement.previousMemberEpoch = holder.previousMemberEpoch;
      replacement.assigned = holder.assigned;
      replacement.pendingRevocation = holder.pendingRevocation;
      replacement.state = holder.state;
      replacement.subscribedTopicNames = holder.subscribedTopicNames;
      g.removeMember(holder);
      g.replaceTarget(holder.memberId, memberId);
      log.info("Static classic {} of {} replaced {}", replacement, g, holder.memberId);
      return replacement;
    }
    return g.members().size() >= groups.config().maxSize()
        ? null
        : new ConsumerGroupMember(memberId);
  }

  /**
   * Whether a member with these protocols may be in {@code g}: the consumer protocol type, and a
   * protocol name every classic member already there supports.
   */
  private static boolean supports(
      ConsumerGroup g, String protocolType, List<GroupMember.Protocol> protocols) {
    if (!ConsumerSubscriptions.CONSUMER_PROTOCOL_TYPE.equals(protocolType) || protocols.isEmpty()) {
      return false;
    }
    for (GroupMember.Protocol p : protocols) {
      boolean all = true;
      for (ConsumerGroupMember m : g.members()) {
        if (m.usesClassicProtocol() && !m.classic.supports(p.name())) {
          all = false;
          break;
        }
      }
      if (all) {
        return true;
      }
    }
    return false;
  }

  private static List<TopicPartitions> owned(
      Map<String, List<Integer>> owned, Map<String, SubscribableTopics.Topic> known) {
    List<TopicPartitions> out = new ArrayList<>();
    for (Map.Entry<Uuid, Set<Integer>> e : GroupProtocolMigration.toIds(owned, known).entrySet()) {
      out.add(
          new TopicPartitions()
              .setTopicId(e.getKey())
              .setPartitions(new ArrayList<>(e.getValue())));
    }
    return out;
  }

  // ---------------------------------------------------------------- SyncGroup

  SyncGroupResponseData sync(GroupRequestContext ctx, SyncGroupRequestData req) {
    ConsumerGroup g = groups.lockLive(req.groupId());
    if (g == null) {
      return null;
    }
    try {
      String instanceId = ctx.apiVersion() >= 3 ? req.groupInstanceId() : null;
      ConsumerGroupMember m = classicMember(g, req.memberId(), instanceId);
      Errors e = check(m, req.memberId(), req.generationId());
      if (e != Errors.NONE) {
        return MembershipManager.syncError(e);
      }
      if ((req.protocolType() != null
              && !ConsumerSubscriptions.CONSUMER_PROTOCOL_TYPE.equals(req.protocolType()))
          || (req.protocolName() != null && !m.classic.supports(req.protocolName()))) {
        return MembershipManager.syncError(Errors.INCONSISTENT_GROUP_PROTOCOL);
      }
      if (g.groupEpoch() > m.memberEpoch
          && m.state != ConsumerGroupMember.State.UNREVOKED_PARTITIONS) {
        // A new rebalance: the member must rejoin first (one revoking finishes that first).
        return MembershipManager.syncError(Errors.REBALANCE_IN_PROGRESS);
      }
      groups.touchSession(g, m);
      String protocol =
          req.protocolName() != null ? req.protocolName() : m.classic.preferred().name();
      return new SyncGroupResponseData()
          .setErrorCode(Errors.NONE.code())
          .setProtocolType(ConsumerSubscriptions.CONSUMER_PROTOCOL_TYPE)
          .setProtocolName(protocol)
          .setAssignment(assignmentBytes(m));
    } finally {
      g.lock().unlock();
    }
  }

  private byte[] assignmentBytes(ConsumerGroupMember m) {
    short version = ConsumerSubscriptions.parse(m.classic.preferred().metadata()).version();
    return ConsumerSubscriptions.assignment(
        GroupProtocolMigration.toNames(m.assigned, groups.topicNames()), version);
  }

  // ---------------------------------------------------------------- Heartbeat

  Errors heartbeat(GroupRequestContext ctx, HeartbeatRequestData req) {
    ConsumerGroup g = groups.lockLive(req.groupId());
    if (g == null) {
      return null;
    }
    try {
      String instanceId = ctx.apiVersion() >= 3 ? req.groupInstanceId() : null;
      ConsumerGroupMember m = classicMember(g, req.memberId(), instanceId);
      Errors e = check(m, req.memberId(), req.generationId());
      if (e != Errors.NONE) {
        return e;
      }
      groups.touchSession(g, m);
      boolean rejoin =
          m.memberEpoch < g.groupEpoch()
              || m.state == ConsumerGroupMember.State.UNREVOKED_PARTITIONS
              || (m.state == ConsumerGroupMember.State.UNRELEASED_PARTITIONS
                  && !waitsOnOthers(g, m));
      return rejoin ? Errors.REBALANCE_IN_PROGRESS : Errors.NONE;
    } finally {
      g.lock().unlock();
    }
  }

  /** Whether some partition of the member's target is still held by another member. */
  private static boolean waitsOnOthers(ConsumerGroup g, ConsumerGroupMember m) {
    ConsumerReconciler.Owners owners = g.owners();
    for (Map.Entry<Uuid, Set<Integer>> e : g.targetOf(m.memberId).entrySet()) {
      Set<Integer> mine = m.assigned.getOrDefault(e.getKey(), Set.of());
      for (int p : e.getValue()) {
        String owner = owners.ownerOf(e.getKey(), p);
        if (!mine.contains(p) && owner != null && !owner.equals(m.memberId)) {
          return true;
        }
      }
    }
    return false;
  }

  // ---------------------------------------------------------------- LeaveGroup

  LeaveGroupResponseData leave(String groupId, List<MemberIdentity> leaving) {
    ConsumerGroup g = groups.lockLive(groupId);
    if (g == null) {
      return null;
    }
    List<MemberResponse> results = new ArrayList<>(leaving.size());
    boolean removed = false;
    try {
      for (MemberIdentity id : leaving) {
        String memberId = id.memberId() == null ? "" : id.memberId();
        ConsumerGroupMember m;
        Errors e;
        if (id.groupInstanceId() != null) {
          String holder = g.staticMemberId(id.groupInstanceId());
          m = holder == null ? null : g.member(holder);
          e =
              m == null
                  ? Errors.UNKNOWN_MEMBER_ID
                  : !memberId.isEmpty() && !memberId.equals(m.memberId)
                      ? Errors.FENCED_INSTANCE_ID
                      : Errors.NONE;
        } else {
          m = g.member(memberId);
          e = m == null ? Errors.UNKNOWN_MEMBER_ID : Errors.NONE;
        }
        if (e == Errors.NONE && !m.usesClassicProtocol()) {
          e = Errors.UNKNOWN_MEMBER_ID; // consumer-protocol members leave by heartbeat
        }
        if (e == Errors.NONE) {
          groups.removeMember(g, m, "left (LeaveGroup)");
          removed = true;
          memberId = m.memberId;
        }
        results.add(
            new MemberResponse()
                .setMemberId(memberId)
                .setGroupInstanceId(id.groupInstanceId())
                .setErrorCode(e.code()));
      }
      if (removed) {
        groups.persist(g);
      }
    } finally {
      g.lock().unlock();
    }
    return new LeaveGroupResponseData().setMembers(results);
  }

  // ---------------------------------------------------------------- checks

  private static ConsumerGroupMember classicMember(
      ConsumerGroup g, String memberId, String instanceId) {
    if (instanceId != null) {
      String holder = g.staticMemberId(instanceId);
      return holder == null ? null : g.member(holder);
    }
    return g.member(memberId);
  }

  /** Kafka's checks of a classic member's SyncGroup and Heartbeat in a consumer group. */
  private static Errors check(ConsumerGroupMember m, String memberId, int generationId) {
    if (m == null) {
      return Errors.UNKNOWN_MEMBER_ID;
    }
    if (!m.memberId.equals(memberId)) {
      return Errors.FENCED_INSTANCE_ID;
    }
    if (!m.usesClassicProtocol()) {
      return Errors.UNKNOWN_MEMBER_ID;
    }
    return generationId == m.memberEpoch ? Errors.NONE : Errors.ILLEGAL_GENERATION;
  }

  private static <T> CompletableFuture<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }
}
