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
 */
public record TopicMetadata(
    String name,
    Uuid topicId,
    Map<Integer, List<Integer>> replicaAssignment,
    Map<String, String> configs) {

  public int partitionCount() {
    return replicaAssignment.size();
  }
}
