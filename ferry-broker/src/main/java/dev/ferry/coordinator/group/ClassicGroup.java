package dev.ferry.coordinator.group;

import java.util.ArrayList;
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

  final String groupId;
  final int offsetsPartition;
  final ReentrantLock lock = new ReentrantLock();

  GroupState state = GroupState.EMPTY;
  long stateTimestampMs;
  int generationId;
  String protocolType;
  String protocolName;
  String leaderId;

  /** In join order: the first member becomes leader when a leader is needed. */
  final LinkedHashMap<String, GroupMember> members = new LinkedHashMap<>();

  /** group.instance.id to the member id currently holding it. */
  final Map<String, String> staticMembers = new HashMap<>();

  /** Member ids handed out with MEMBER_ID_REQUIRED, each with the task that forgets it. */
  final Map<String, ScheduledFuture<?>> pendingMembers = new HashMap<>();

  final Map<TopicPartition, StoredOffset> offsets = new HashMap<>();

  /** Offset commits appended but not yet applied; the group must not be retired meanwhile. */
  int pendingOffsetWrites;

  /** Fires when the join phase must end (rebalance timeout or initial delay). */
  ScheduledFuture<?> joinTimer;

  /** Bumped at each rebalance and each timer (re)arm so a stale timer does nothing. */
  long joinTimerId;

  /** During the initial delay of an empty group's first rebalance, no early completion. */
  boolean initialDelayActive;

  boolean newMemberJoinedDuringDelay;
  long initialDelayRemainingMs;

  ClassicGroup(String groupId, int offsetsPartition, long nowMs) {
    this.groupId = groupId;
    this.offsetsPartition = offsetsPartition;
    this.stateTimestampMs = nowMs;
  }

  void transitionTo(GroupState next, long nowMs) {
    state = next;
    stateTimestampMs = nowMs;
  }

  boolean is(GroupState s) {
    return state == s;
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
      leaderId = members.isEmpty() ? null : members.keySet().iterator().next();
    }
  }

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
  String selectProtocol() {
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

  void cancelJoinTimer() {
    if (joinTimer != null) {
      joinTimer.cancel(false);
      joinTimer = null;
    }
    joinTimerId++;
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
