package dev.ferry.coordinator.group;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.common.TopicPartition;

/**
 * One classic-protocol group: membership, rebalance bookkeeping and committed offsets. Every field
 * is guarded by {@link #lock}; the coordinator holds it for the whole of each operation on the
 * group, so operations on one group are serialized while different groups proceed in parallel.
 */
final class ClassicGroup {

  /** A committed offset with the log offset of the record that carried it. */
  record StoredOffset(OffsetAndMetadata value, long recordOffset) {}

  private final String groupId;
  private final int offsetsPartition;
  private final ReentrantLock lock = new ReentrantLock();

  private GroupState state = GroupState.EMPTY;
  private long stateTimestampMs;
  private int generationId;
  private String protocolType;
  private String protocolName;
  private String leaderId;

  /** In join order: the first member becomes leader when a leader is needed. */
  private final LinkedHashMap<String, GroupMember> members = new LinkedHashMap<>();

  private final Collection<GroupMember> membersView =
      Collections.unmodifiableCollection(members.values());

  /** group.instance.id to the member id currently holding it. */
  private final Map<String, String> staticMembers = new HashMap<>();

  /** Member ids handed out with MEMBER_ID_REQUIRED, each with the task that forgets it. */
  private final Map<String, ScheduledFuture<?>> pendingMembers = new HashMap<>();

  private final Map<TopicPartition, StoredOffset> offsets = new HashMap<>();

  private final Map<TopicPartition, StoredOffset> offsetsView =
      Collections.unmodifiableMap(offsets);

  /** Offset commits appended but not yet applied; the group must not be retired meanwhile. */
  private int pendingOffsetWrites;

  /** Fires when the join phase must end (rebalance timeout or initial delay). */
  private ScheduledFuture<?> joinTimer;

  /** Bumped at each rebalance and each timer (re)arm so a stale timer does nothing. */
  private long joinTimerId;

  /** During the initial delay of an empty group's first rebalance, no early completion. */
  private boolean initialDelayActive;

  private boolean newMemberJoinedDuringDelay;
  private long initialDelayRemainingMs;

  ClassicGroup(String groupId, int offsetsPartition, long nowMs) {
    this.groupId = groupId;
    this.offsetsPartition = offsetsPartition;
    this.stateTimestampMs = nowMs;
  }

  // ---------------------------------------------------------------- identity and lock

  String groupId() {
    return groupId;
  }

  int offsetsPartition() {
    return offsetsPartition;
  }

  /** Guards every other field; held for the whole of each operation on the group. */
  ReentrantLock lock() {
    return lock;
  }

  // ---------------------------------------------------------------- state

  GroupState state() {
    return state;
  }

  long stateTimestampMs() {
    return stateTimestampMs;
  }

  /**
   * Moves to {@code next}. A move the state machine does not allow is a coordinator bug: it throws
   * rather than leaving the group in a state its members cannot get out of.
   */
  void transitionTo(GroupState next, long nowMs) {
    if (!next.canFollow(state)) {
      throw new IllegalStateException(
          "Group " + groupId + " cannot move from " + state + " to " + next);
    }
    state = next;
    stateTimestampMs = nowMs;
  }

  boolean is(GroupState s) {
    return state == s;
  }

  /**
   * Installs the generation a loaded group had (its members already added): Stable with members,
   * Empty without. Only for a group just created by the loader, which starts there rather than
   * transitioning.
   */
  void restore(
      String protocolType,
      int generationId,
      String protocolName,
      String leaderId,
      long stateTimestampMs) {
    if (state != GroupState.EMPTY || this.generationId != 0) {
      throw new IllegalStateException("Group " + groupId + " is not freshly loaded");
    }
    this.protocolType = protocolType;
    this.generationId = generationId;
    this.protocolName = protocolName;
    this.leaderId = leaderId != null && members.containsKey(leaderId) ? leaderId : firstMemberId();
    this.state = members.isEmpty() ? GroupState.EMPTY : GroupState.STABLE;
    this.stateTimestampMs = stateTimestampMs;
  }

  int generationId() {
    return generationId;
  }

  String protocolType() {
    return protocolType;
  }

  String protocolName() {
    return protocolName;
  }

  String leaderId() {
    return leaderId;
  }

  /** An empty group takes the protocol type of the member that joins it first. */
  void adoptProtocolTypeIfEmpty(String type) {
    if (members.isEmpty()) {
      protocolType = type;
    }
  }

  /**
   * Ends the join phase: a new generation with the members that rejoined. Empty when none did (no
   * protocol, no leader); otherwise CompletingRebalance with a leader (the old one if still here)
   * and the protocol the members vote for.
   */
  void startNextGeneration(long nowMs) {
    generationId++;
    if (members.isEmpty()) {
      protocolName = null;
      leaderId = null;
      transitionTo(GroupState.EMPTY, nowMs);
      return;
    }
    if (leaderId == null || !members.containsKey(leaderId)) {
      leaderId = firstMemberId();
    }
    protocolName = selectProtocol();
    transitionTo(GroupState.COMPLETING_REBALANCE, nowMs);
  }

  // ---------------------------------------------------------------- protocol migration

  /**
   * Online upgrade (KIP-848): the members moved into a consumer-protocol group of the same id; this
   * entry stays, Empty, as the holder of the group's committed offsets. Not a move of the classic
   * state machine (its table has no Stable to Empty), so it sets the state directly. The caller has
   * answered the members' parked requests.
   */
  void handOverToConsumerGroup(long nowMs) {
    for (GroupMember m : members.values()) {
      m.cancelSessionCheck();
    }
    members.clear();
    staticMembers.clear();
    clearPendingMembers();
    cancelJoinTimer();
    protocolName = null;
    leaderId = null;
    state = GroupState.EMPTY;
    stateTimestampMs = nowMs;
  }

  /**
   * Online downgrade: the classic-protocol members of a consumer-protocol group come back here at
   * generation {@code generationId} (the consumer group's epoch), Stable with their last
   * assignment, as Kafka converts them; the caller then starts a rebalance.
   */
  void takeOverFromConsumerGroup(
      List<GroupMember> converted, String type, int generationId, long nowMs) {
    if (!members.isEmpty() || state != GroupState.EMPTY) {
      throw new IllegalStateException("Group " + groupId + " still has classic members");
    }
    for (GroupMember m : converted) {
      addMember(m);
    }
    this.protocolType = type;
    this.generationId = generationId;
    this.leaderId = firstMemberId();
    this.protocolName = selectProtocol();
    this.state = GroupState.STABLE;
    this.stateTimestampMs = nowMs;
  }

  // ---------------------------------------------------------------- members

  /** The members in join order (read-only view). */
  Collection<GroupMember> members() {
    return membersView;
  }

  boolean hasMember(String memberId) {
    return members.containsKey(memberId);
  }

  GroupMember member(String memberId) {
    return members.get(memberId);
  }

  boolean isLeader(String memberId) {
    return memberId.equals(leaderId);
  }

  /** The member id holding {@code groupInstanceId}, or null. */
  String staticMemberId(String groupInstanceId) {
    return staticMembers.get(groupInstanceId);
  }

  /** The instance id is held by a different member id: the caller is a zombie of an old one. */
  boolean isFenced(String groupInstanceId, String memberId) {
    if (groupInstanceId == null) {
      return false;
    }
    String holder = staticMembers.get(groupInstanceId);
    return holder != null && !holder.equals(memberId);
  }

  void addMember(GroupMember m) {
    members.put(m.memberId, m);
    if (m.isStatic()) {
      staticMembers.put(m.groupInstanceId, m.memberId);
    }
    if (leaderId == null) {
      leaderId = m.memberId;
    }
  }

  void removeMember(GroupMember m) {
    members.remove(m.memberId);
    m.cancelSessionCheck();
    if (m.isStatic() && m.memberId.equals(staticMembers.get(m.groupInstanceId))) {
      staticMembers.remove(m.groupInstanceId);
    }
    if (m.memberId.equals(leaderId)) {
      leaderId = firstMemberId();
    }
  }

  /**
   * A restarted static member: {@code replacement} (same instance id, new member id) takes the
   * place, and the leadership if it had it, of {@code old}.
   */
  void replaceStaticMember(GroupMember old, GroupMember replacement) {
    boolean wasLeader = isLeader(old.memberId);
    members.remove(old.memberId);
    members.put(replacement.memberId, replacement);
    staticMembers.put(replacement.groupInstanceId, replacement.memberId);
    if (wasLeader) {
      leaderId = replacement.memberId;
    }
  }

  private String firstMemberId() {
    return members.isEmpty() ? null : members.keySet().iterator().next();
  }

  // ---------------------------------------------------------------- pending members (KIP-394)

  void addPendingMember(String memberId, ScheduledFuture<?> expiry) {
    pendingMembers.put(memberId, expiry);
  }

  /** Forgets a pending member id and cancels its expiry; whether it was pending. */
  boolean removePendingMember(String memberId) {
    ScheduledFuture<?> expiry = pendingMembers.remove(memberId);
    if (expiry != null) {
      expiry.cancel(false);
    }
    return expiry != null;
  }

  int pendingMemberCount() {
    return pendingMembers.size();
  }

  void clearPendingMembers() {
    for (ScheduledFuture<?> expiry : pendingMembers.values()) {
      expiry.cancel(false);
    }
    pendingMembers.clear();
  }

  // ---------------------------------------------------------------- committed offsets

  /** Committed offsets (read-only view). */
  Map<TopicPartition, StoredOffset> offsets() {
    return offsetsView;
  }

  /**
   * Applies a commit carried by the record at {@code s.recordOffset()}, unless a newer record
   * already set the partition's offset (appends complete in log order in practice; this keeps a
   * late completion from overwriting a newer commit if they ever do not).
   */
  void storeOffset(TopicPartition tp, StoredOffset s) {
    StoredOffset prev = offsets.get(tp);
    if (prev == null || prev.recordOffset() < s.recordOffset()) {
      offsets.put(tp, s);
    }
  }

  void removeOffset(TopicPartition tp) {
    offsets.remove(tp);
  }

  void clearOffsets() {
    offsets.clear();
  }

  void offsetWriteStarted() {
    pendingOffsetWrites++;
  }

  void offsetWriteFinished() {
    pendingOffsetWrites--;
  }

  boolean hasPendingOffsetWrites() {
    return pendingOffsetWrites > 0;
  }

  // ---------------------------------------------------------------- join timer, initial delay

  /** Cancels the join timer and invalidates any firing of it; returns the id of the next one. */
  long resetJoinTimer() {
    if (joinTimer != null) {
      joinTimer.cancel(false);
      joinTimer = null;
    }
    return ++joinTimerId;
  }

  void cancelJoinTimer() {
    resetJoinTimer();
  }

  void joinTimerArmed(long id, ScheduledFuture<?> timer) {
    if (id == joinTimerId) {
      joinTimer = timer;
    } else {
      timer.cancel(false);
    }
  }

  /** Whether the timer with {@code id} is still the current one; if so it is consumed. */
  boolean joinTimerFired(long id) {
    if (id != joinTimerId) {
      return false;
    }
    joinTimer = null;
    return true;
  }

  /** group.initial.rebalance.delay.ms starts: up to {@code remainingMs} more after this delay. */
  void beginInitialDelay(long remainingMs) {
    initialDelayActive = true;
    newMemberJoinedDuringDelay = false;
    initialDelayRemainingMs = Math.max(0, remainingMs);
  }

  boolean initialDelayActive() {
    return initialDelayActive;
  }

  void noteMemberJoined() {
    if (initialDelayActive) {
      newMemberJoinedDuringDelay = true;
    }
  }

  /**
   * At the end of one initial delay: if members kept arriving and time remains, the length of the
   * next delay (at most {@code maxDelayMs}); otherwise -1 and the delay is over.
   */
  long extendInitialDelay(long maxDelayMs) {
    if (newMemberJoinedDuringDelay && initialDelayRemainingMs > 0) {
      long delay = Math.min(maxDelayMs, initialDelayRemainingMs);
      initialDelayRemainingMs -= delay;
      newMemberJoinedDuringDelay = false;
      return delay;
    }
    initialDelayActive = false;
    return -1;
  }

  void endInitialDelay() {
    initialDelayActive = false;
  }

  // ---------------------------------------------------------------- protocol

  boolean allMembersJoined() {
    if (!pendingMembers.isEmpty()) {
      return false;
    }
    for (GroupMember m : members.values()) {
      if (!m.isAwaitingJoin()) {
        return false;
      }
    }
    return true;
  }

  int maxRebalanceTimeoutMs() {
    int max = 0;
    for (GroupMember m : members.values()) {
      max = Math.max(max, m.rebalanceTimeoutMs);
    }
    return max;
  }

  /**
   * Whether a member of {@code type} offering {@code protocols} can be in this group: an empty
   * group accepts anything; otherwise the type must match and at least one offered protocol must be
   * supported by every current member.
   */
  boolean accepts(String type, List<GroupMember.Protocol> protocols) {
    if (members.isEmpty()) {
      return true;
    }
    if (!type.equals(protocolType)) {
      return false;
    }
    for (GroupMember.Protocol p : protocols) {
      if (supportedByAll(p.name())) {
        return true;
      }
    }
    return false;
  }

  private boolean supportedByAll(String protocol) {
    for (GroupMember m : members.values()) {
      if (!m.supports(protocol)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Picks the protocol for the new generation: among protocols every member supports, each member
   * votes for the one it prefers most; most votes wins, ties go to the leader's preference order.
   */
  private String selectProtocol() {
    GroupMember first =
        leaderId != null && members.containsKey(leaderId)
            ? members.get(leaderId)
            : members.values().iterator().next();
    List<String> candidates = new ArrayList<>();
    for (GroupMember.Protocol p : first.protocols) {
      if (supportedByAll(p.name())) {
        candidates.add(p.name());
      }
    }
    if (candidates.isEmpty()) {
      throw new IllegalStateException("No protocol common to all members of " + groupId);
    }
    Map<String, Integer> votes = new HashMap<>();
    for (GroupMember m : members.values()) {
      for (GroupMember.Protocol p : m.protocols) {
        if (candidates.contains(p.name())) {
          votes.merge(p.name(), 1, Integer::sum);
          break;
        }
      }
    }
    String best = candidates.get(0);
    for (String c : candidates) {
      if (votes.getOrDefault(c, 0) > votes.getOrDefault(best, 0)) {
        best = c;
      }
    }
    return best;
  }

  /**
   * Topics the members subscribe to when this is a "consumer" group with a chosen protocol; empty
   * when that cannot be known (other protocol types, unparseable subscriptions).
   */
  Optional<Set<String>> subscribedTopics() {
    if (!ConsumerSubscriptions.CONSUMER_PROTOCOL_TYPE.equals(protocolType)
        || protocolName == null) {
      return Optional.empty();
    }
    Set<String> topics = new HashSet<>();
    for (GroupMember m : members.values()) {
      Optional<Set<String>> t = ConsumerSubscriptions.topics(m.metadata(protocolName));
      if (t.isEmpty()) {
        return Optional.empty();
      }
      topics.addAll(t.get());
    }
    return Optional.of(topics);
  }

  /** The membership as persisted. */
  GroupMetadataValue toValue() {
    List<GroupMetadataValue.Member> ms = new ArrayList<>(members.size());
    for (GroupMember m : members.values()) {
      ms.add(
          new GroupMetadataValue.Member(
              m.memberId,
              m.groupInstanceId,
              m.clientId,
              m.clientHost,
              m.rebalanceTimeoutMs,
              m.sessionTimeoutMs,
              protocolName == null ? GroupMember.NO_BYTES : m.metadata(protocolName),
              m.assignment));
    }
    return new GroupMetadataValue(
        protocolType, generationId, protocolName, leaderId, stateTimestampMs, ms);
  }

  @Override
  public String toString() {
    return "group " + groupId;
  }
}
