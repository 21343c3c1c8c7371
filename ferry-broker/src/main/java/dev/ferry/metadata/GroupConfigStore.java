package dev.ferry.metadata;

import java.util.Map;
import java.util.Set;

/**
 * Per-group config overrides (Kafka 4's group configs, e.g. {@code consumer.session.timeout.ms}),
 * kept like topic overrides: durable cluster metadata, set by IncrementalAlterConfigs and read by
 * DescribeConfigs. Both calls block (they go to the metadata store): call them off network threads.
 */
public interface GroupConfigStore {

  /** The group's overrides; empty if it has none (a group need not exist to have configs). */
  Map<String, String> groupConfigs(String groupId);

  /** Every group that has overrides (ListConfigResources). */
  Set<String> groupIdsWithConfigs();

  /** Replaces the group's overrides; an empty map removes them. */
  void setGroupConfigs(String groupId, Map<String, String> configs);
}
