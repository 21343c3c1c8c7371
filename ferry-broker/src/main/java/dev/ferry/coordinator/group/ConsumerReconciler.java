package dev.ferry.coordinator.group;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData.TopicPartitions;

/**
 * Moves one member towards its target assignment without ever letting two members own a partition
 * at once (KIP-848's incremental reconciliation): a member first keeps what it has and is still
 * targeted, gives up what moves elsewhere, and receives a new partition only once no other member
 * holds it (neither assigned nor pending revocation). A member that must revoke keeps its epoch
 * until it reports the revocation done; then it moves to the target epoch.
 */
final class ConsumerReconciler {

  /** Who holds a partition now: the member id, or null when it is free. */
  interface Owners {
    String ownerOf(Uuid topicId, int partition);
  }

  private ConsumerReconciler() {}

  /**
   * Updates {@code m} for target assignment {@code target} at {@code targetEpoch}; {@code owned} is
   * what the member reported owning (null when it did not say).
   */
  static void reconcile(
      ConsumerGroupMember m,
      int targetEpoch,
      Map<Uuid, Set<Integer>> target,
      Owners owners,
      List<TopicPartitions> owned) {
    switch (m.state) {
      case STABLE -> {
        if (m.memberEpoch != targetEpoch) {
          computeNext(m, targetEpoch, target, owners, owned);
        }
      }
      case UNREVOKED_PARTITIONS -> {
        if (!ownsAny(owned, m.pendingRevocation)) {
          m.pendingRevocation = Map.of();
          computeNext(m, targetEpoch, target, owners, owned);
        }
      }
      case UNRELEASED_PARTITIONS -> computeNext(m, targetEpoch, target, owners, owned);
      default -> throw new IllegalStateException("Unknown member state " + m.state);
    }
  }

  private static void computeNext(
      ConsumerGroupMember m,
      int targetEpoch,
      Map<Uuid, Set<Integer>> target,
      Owners owners,
      List<TopicPartitions> owned) {
    Map<Uuid, Set<Integer>> next = new TreeMap<>();
    Map<Uuid, Set<Integer>> revoke = new TreeMap<>();
    boolean unreleased = false;
    Set<Uuid> topics = new HashSet<>(target.keySet());
    topics.addAll(m.assigned.keySet());
    for (Uuid topic : topics) {
      Set<Integer> wanted = target.getOrDefault(topic, Set.of());
      Set<Integer> current = m.assigned.getOrDefault(topic, Set.of());
      Set<Integer> keep = new TreeSet<>();
      Set<Integer> give = new TreeSet<>();
      for (int p : current) {
        (wanted.contains(p) ? keep : give).add(p);
      }
      for (int p : wanted) {
        if (!current.contains(p)) {
          String owner = owners.ownerOf(topic, p);
          if (owner == null || owner.equals(m.memberId)) {
            keep.add(p);
          } else {
            unreleased = true;
          }
        }
      }
      if (!keep.isEmpty()) {
        next.put(topic, keep);
      }
      if (!give.isEmpty()) {
        revoke.put(topic, give);
      }
    }
    m.assigned = next;
    if (!revoke.isEmpty() && ownsAny(owned, revoke)) {
      m.pendingRevocation = revoke;
      m.state = ConsumerGroupMember.State.UNREVOKED_PARTITIONS;
      m.setEpoch(m.memberEpoch);
    } else {
      m.pendingRevocation = Map.of();
      m.state =
          unreleased
              ? ConsumerGroupMember.State.UNRELEASED_PARTITIONS
              : ConsumerGroupMember.State.STABLE;
      m.setEpoch(targetEpoch);
    }
  }

  /** Whether the member still owns any of {@code partitions}; unknown ({@code null}) means yes. */
  static boolean ownsAny(List<TopicPartitions> owned, Map<Uuid, Set<Integer>> partitions) {
    if (partitions.isEmpty()) {
      return false;
    }
    if (owned == null) {
      return true;
    }
    for (TopicPartitions tp : owned) {
      Set<Integer> ps = partitions.get(tp.topicId());
      if (ps != null) {
        for (int p : tp.partitions()) {
          if (ps.contains(p)) {
            return true;
          }
        }
      }
    }
    return false;
  }

  /** Whether everything the member reports owning is within {@code assigned}. */
  static boolean isSubset(List<TopicPartitions> owned, Map<Uuid, Set<Integer>> assigned) {
    if (owned == null) {
      return false;
    }
    for (TopicPartitions tp : owned) {
      Set<Integer> ps = assigned.get(tp.topicId());
      for (int p : tp.partitions()) {
        if (ps == null || !ps.contains(p)) {
          return false;
        }
      }
    }
    return true;
  }
}
