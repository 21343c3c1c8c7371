package dev.ferry.coordinator.group;

import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.common.Uuid;

/**
 * One consumer-protocol group (KIP-848): members with their epochs and assignments, the group epoch
 * (bumped by every membership or subscription change) and the target assignment computed at the
 * assignment epoch. Every field is guarded by {@link #lock()}.
 */
final class ConsumerGroup {

  /** The states Kafka reports for consumer-protocol groups. */
  enum State {
    EMPTY("Empty"),
    ASSIGNING("Assigning"),
    RECONCILING("Reconciling"),
    STABLE("Stable"),
    DEAD("Dead");

    private final String displayName;

    State(String displayName) {
      this.displayName = displayName;
    }

    String displayName() {
      return displayName;
    }
  }

  private final String groupId;
  private final int offsetsPartition;
  private final ReentrantLock lock = new ReentrantLock();

  private int groupEpoch;
  private int assignmentEpoch;
  private boolean dead;

  /** In join order. */
  private final LinkedHashMap<String, ConsumerGroupMember> members = new LinkedHashMap<>();

  private final Map<String, String> staticMembers = new HashMap<>();

  /** Member id to its target partitions at {@link #assignmentEpoch}. */
  private Map<String, Map<Uuid, Set<Integer>>> targetAssignment = Map.of();

  /** Topics the members subscribe to, with partition counts, as of the last group epoch bump. */
  private Map<String, SubscribableTopics.Topic> subscribedTopics = Map.of();

  /** The assignor of the last target assignment. */
  private String assignorName;

  ConsumerGroup(String groupId, int offsetsPartition) {
    this.groupId = groupId;
    this.offsetsPartition = offsetsPartition;
  }

  String groupId() {
    return groupId;
  }

  int offsetsPartition() {
    return offsetsPartition;
  }

  ReentrantLock lock() {
    return lock;
  }

  int groupEpoch() {
    return groupEpoch;
  }

  /** A membership or subscription change: the target assignment must be recomputed. */
  void bumpGroupEpoch() {
    groupEpoch++;
  }

  int assignmentEpoch() {
    return assignmentEpoch;
  }

  String assignorName() {
    return assignorName;
  }

  void setTargetAssignment(
      int epoch, String assignor, Map<String, Map<Uuid, Set<Integer>>> assignment) {
    this.assignmentEpoch = epoch;
    this.assignorName = assignor;
    this.targetAssignment = Map.copyOf(assignment);
  }

  /** Installs the epochs and assignments a loaded group had; members are already added. */
  void restore(
      int groupEpoch,
      int assignmentEpoch,
      String assignor,
      Map<String, Map<Uuid, Set<Integer>>> target,
      Map<String, SubscribableTopics.Topic> topics) {
    this.groupEpoch = groupEpoch;
    setTargetAssignment(assignmentEpoch, assignor, target);
    setSubscribedTopics(topics);
  }

  Map<Uuid, Set<Integer>> targetOf(String memberId) {
    return targetAssignment.getOrDefault(memberId, Map.of());
  }

  /** A static member's replacement inherits its target (no rebalance for a restart). */
  void replaceTarget(String oldMemberId, String newMemberId) {
    Map<Uuid, Set<Integer>> t = targetAssignment.get(oldMemberId);
    if (t != null) {
      Map<String, Map<Uuid, Set<Integer>>> next = new HashMap<>(targetAssignment);
      next.remove(oldMemberId);
      next.put(newMemberId, t);
      targetAssignment = Map.copyOf(next);
    }
  }

  Map<String, SubscribableTopics.Topic> subscribedTopics() {
    return subscribedTopics;
  }

  void setSubscribedTopics(Map<String, SubscribableTopics.Topic> topics) {
    this.subscribedTopics = Map.copyOf(topics);
  }

  // ---------------------------------------------------------------- members

  Collection<ConsumerGroupMember> members() {
    return Collections.unmodifiableCollection(members.values());
  }

  ConsumerGroupMember member(String memberId) {
    return members.get(memberId);
  }

  String staticMemberId(String instanceId) {
    return staticMembers.get(instanceId);
  }

  void addMember(ConsumerGroupMember m) {
    members.put(m.memberId, m);
    if (m.instanceId != null) {
      staticMembers.put(m.instanceId, m.memberId);
    }
  }

  void removeMember(ConsumerGroupMember m) {
    members.remove(m.memberId);
    m.cancelTimers();
    if (m.instanceId != null && m.memberId.equals(staticMembers.get(m.instanceId))) {
      staticMembers.remove(m.instanceId);
    }
  }

  /** Who holds each partition now (assigned or pending revocation), for reconciliation. */
  ConsumerReconciler.Owners owners() {
    Map<Uuid, Map<Integer, String>> owners = new HashMap<>();
    for (ConsumerGroupMember m : members.values()) {
      for (Map<Uuid, Set<Integer>> held : java.util.List.of(m.assigned, m.pendingRevocation)) {
        for (Map.Entry<Uuid, Set<Integer>> e : held.entrySet()) {
          Map<Integer, String> byPartition =
              owners.computeIfAbsent(e.getKey(), k -> new HashMap<>());
          for (int p : e.getValue()) {
            byPartition.put(p, m.memberId);
          }
        }
      }
    }
    return (topic, partition) -> owners.getOrDefault(topic, Map.of()).get(partition);
  }

  State state() {
    if (dead) {
      return State.DEAD;
    }
    if (members.isEmpty()) {
      return State.EMPTY;
    }
    if (groupEpoch > assignmentEpoch) {
      return State.ASSIGNING;
    }
    for (ConsumerGroupMember m : members.values()) {
      if (m.memberEpoch != assignmentEpoch || m.state != ConsumerGroupMember.State.STABLE) {
        return State.RECONCILING;
      }
    }
    return State.STABLE;
  }

  boolean isDead() {
    return dead;
  }

  /** Unloaded or deleted: the object must no longer be used. */
  void markDead() {
    dead = true;
    for (ConsumerGroupMember m : members.values()) {
      m.cancelTimers();
    }
  }

  @Override
  public String toString() {
    return "consumer group " + groupId;
  }
}
