package dev.ferry.coordinator.group;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.ToIntFunction;
import org.apache.kafka.common.TopicPartition;

/**
 * Offsets committed inside transactions (TxnOffsetCommit) that are not decided yet: written to the
 * offsets log in the producer's transactional batch, but applied to the group only when the
 * transaction's COMMIT marker reaches that offsets partition, and dropped on ABORT. Until then an
 * OffsetFetch sees the previous committed offset.
 *
 * <p>Thread-safe (its own monitor); never held while a group lock is taken.
 */
final class TransactionalOffsets {

  /** producer id → group → partition → offset. */
  private final Map<Long, Map<String, Map<TopicPartition, ClassicGroup.StoredOffset>>> pending =
      new HashMap<>();

  synchronized void add(
      long producerId, String groupId, Map<TopicPartition, ClassicGroup.StoredOffset> offsets) {
    pending
        .computeIfAbsent(producerId, id -> new HashMap<>())
        .computeIfAbsent(groupId, id -> new HashMap<>())
        .putAll(offsets);
  }

  /**
   * Removes and returns the producer's pending offsets of the groups in {@code offsetsPartition}.
   */
  synchronized Map<String, Map<TopicPartition, ClassicGroup.StoredOffset>> take(
      long producerId, int offsetsPartition, ToIntFunction<String> partitionOf) {
    Map<String, Map<TopicPartition, ClassicGroup.StoredOffset>> byGroup = pending.get(producerId);
    Map<String, Map<TopicPartition, ClassicGroup.StoredOffset>> out = new HashMap<>();
    if (byGroup == null) {
      return out;
    }
    Iterator<Map.Entry<String, Map<TopicPartition, ClassicGroup.StoredOffset>>> it =
        byGroup.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Map<TopicPartition, ClassicGroup.StoredOffset>> e = it.next();
      if (partitionOf.applyAsInt(e.getKey()) == offsetsPartition) {
        out.put(e.getKey(), e.getValue());
        it.remove();
      }
    }
    if (byGroup.isEmpty()) {
      pending.remove(producerId);
    }
    return out;
  }

  /** A copy of the producer's pending offsets of the groups in {@code offsetsPartition}. */
  synchronized Map<String, Map<TopicPartition, ClassicGroup.StoredOffset>> peek(
      long producerId, int offsetsPartition, ToIntFunction<String> partitionOf) {
    Map<String, Map<TopicPartition, ClassicGroup.StoredOffset>> byGroup = pending.get(producerId);
    Map<String, Map<TopicPartition, ClassicGroup.StoredOffset>> out = new HashMap<>();
    if (byGroup != null) {
      byGroup.forEach(
          (group, offsets) -> {
            if (partitionOf.applyAsInt(group) == offsetsPartition) {
              out.put(group, new HashMap<>(offsets));
            }
          });
    }
    return out;
  }

  /**
   * Forgets the producer's pending offsets of one group that {@link #peek} returned (its
   * transaction was decided); an entry replaced since then stays.
   */
  synchronized void remove(
      long producerId, String groupId, Map<TopicPartition, ClassicGroup.StoredOffset> decided) {
    Map<String, Map<TopicPartition, ClassicGroup.StoredOffset>> byGroup = pending.get(producerId);
    Map<TopicPartition, ClassicGroup.StoredOffset> offsets =
        byGroup == null ? null : byGroup.get(groupId);
    if (offsets == null) {
      return;
    }
    decided.forEach(offsets::remove);
    if (offsets.isEmpty()) {
      byGroup.remove(groupId);
    }
    if (byGroup.isEmpty()) {
      pending.remove(producerId);
    }
  }

  /** Whether some open transaction holds an offset of this group and partition. */
  synchronized boolean hasPending(String groupId, TopicPartition tp) {
    for (Map<String, Map<TopicPartition, ClassicGroup.StoredOffset>> byGroup : pending.values()) {
      Map<TopicPartition, ClassicGroup.StoredOffset> offsets = byGroup.get(groupId);
      if (offsets != null && offsets.containsKey(tp)) {
        return true;
      }
    }
    return false;
  }

  /** Forgets the pending offsets of an unloaded offsets partition (the next owner reloads them). */
  synchronized void dropPartition(int offsetsPartition, ToIntFunction<String> partitionOf) {
    Iterator<Map<String, Map<TopicPartition, ClassicGroup.StoredOffset>>> it =
        pending.values().iterator();
    while (it.hasNext()) {
      Map<String, Map<TopicPartition, ClassicGroup.StoredOffset>> byGroup = it.next();
      byGroup.keySet().removeIf(g -> partitionOf.applyAsInt(g) == offsetsPartition);
      if (byGroup.isEmpty()) {
        it.remove();
      }
    }
  }
}
