package dev.ferry.metadata;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.common.Uuid;

/**
 * A topic's id and replica assignment as a metadata store keeps it, without its configs (which a
 * store keeps apart, so that changing one does not rewrite the other).
 *
 * @param reassignments the replica moves in progress, by partition (none for most topics)
 */
public record TopicAssignment(
    Uuid topicId,
    SortedMap<Integer, List<Integer>> partitions,
    Map<Integer, Reassignment> reassignments) {

  public TopicAssignment {
    reassignments = Map.copyOf(reassignments);
  }

  /** An assignment without moves in progress. */
  public TopicAssignment(Uuid topicId, SortedMap<Integer, List<Integer>> partitions) {
    this(topicId, partitions, Map.of());
  }

  /**
   * This assignment with one partition's replicas and move in progress replaced by {@code next}
   * (its move removed when {@code next} has none).
   */
  public TopicAssignment withPartition(int partition, PartitionReplicas next) {
    TreeMap<Integer, List<Integer>> replaced = new TreeMap<>(partitions);
    replaced.put(partition, next.replicas());
    Map<Integer, Reassignment> moves = new TreeMap<>(reassignments);
    if (next.ongoing() == null) {
      moves.remove(partition);
    } else {
      moves.put(partition, next.ongoing());
    }
    return new TopicAssignment(topicId, Collections.unmodifiableSortedMap(replaced), moves);
  }
}
