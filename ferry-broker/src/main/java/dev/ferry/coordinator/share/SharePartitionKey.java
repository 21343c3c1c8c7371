package dev.ferry.coordinator.share;

import org.apache.kafka.common.TopicIdPartition;

/** One share-partition: a share group's view of one topic partition. */
public record SharePartitionKey(String groupId, TopicIdPartition partition) {

  @Override
  public String toString() {
    return groupId + ":" + partition;
  }
}
