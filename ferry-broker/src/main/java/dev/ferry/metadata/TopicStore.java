package dev.ferry.metadata;

import java.util.List;
import java.util.Map;

/**
 * Topic administration writes. Every method blocks until the write is durable, so callers run on
 * the admin thread (see {@link dev.ferry.controller.TopicAdmin}), never a network thread.
 */
public interface TopicStore extends MetadataView {

  /**
   * Creates the topic with a fresh topic id, its configs and the initial state of every partition
   * (first replica leads, all replicas in sync, epochs 0), all or nothing.
   *
   * @throws org.apache.kafka.common.errors.TopicExistsException if the name is taken
   * @throws org.apache.kafka.common.errors.InvalidTopicException for an illegal name
   * @throws org.apache.kafka.common.errors.InvalidPartitionsException if partitions are not 0..n-1
   * @throws org.apache.kafka.common.errors.InvalidReplicaAssignmentException for bad replica lists
   * @throws org.apache.kafka.common.errors.InvalidConfigurationException for a null config value
   */
  TopicMetadata createTopic(
      String name, Map<Integer, List<Integer>> replicaAssignment, Map<String, String> configs);

  /**
   * Deletes the topic (assignment, partition states, configs), all or nothing.
   *
   * @throws org.apache.kafka.common.errors.UnknownTopicOrPartitionException if absent
   */
  void deleteTopic(String name);

  /**
   * Adds partitions; {@code newPartitions} maps each new partition number to its replicas. The new
   * numbers must continue the existing ones and keep the replication factor.
   *
   * @throws org.apache.kafka.common.errors.UnknownTopicOrPartitionException if absent
   * @throws org.apache.kafka.common.errors.InvalidPartitionsException for bad partition numbers
   * @throws org.apache.kafka.common.errors.InvalidReplicaAssignmentException for bad replica lists
   */
  TopicMetadata addPartitions(String name, Map<Integer, List<Integer>> newPartitions);

  /**
   * Replaces the topic's config overrides with {@code configs}.
   *
   * @throws org.apache.kafka.common.errors.UnknownTopicOrPartitionException if absent
   */
  TopicMetadata setTopicConfigs(String name, Map<String, String> configs);
}
