package dev.ferry.metadata;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;

/**
 * A topic as stored in ZooKeeper.
 *
 * @param replicaAssignment partition number to the broker ids holding a replica, preferred leader
 *     first
 * @param configs topic-level overrides only (Kafka names); defaults come from the broker
 * @param reassignments replica moves in progress by partition; a moving partition's replicas in
 *     {@code replicaAssignment} are its target replicas followed by the leaving ones
 */
public record TopicMetadata(
    String name,
    Uuid topicId,
    Map<Integer, List<Integer>> replicaAssignment,
    Map<String, String> configs,
    Map<Integer, Reassignment> reassignments) {

  public TopicMetadata {
    reassignments = Map.copyOf(reassignments);
  }

  /** A topic with no replica move in progress. */
  public TopicMetadata(
      String name,
      Uuid topicId,
      Map<Integer, List<Integer>> replicaAssignment,
      Map<String, String> configs) {
    this(name, topicId, replicaAssignment, configs, Map.of());
  }

  public int partitionCount() {
    return replicaAssignment.size();
  }
}
