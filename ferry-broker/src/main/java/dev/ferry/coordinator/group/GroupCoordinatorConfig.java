package dev.ferry.coordinator.group;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * Settings of the group coordinator, named after Kafka's broker configs.
 *
 * @param groupMinSessionTimeoutMs {@code group.min.session.timeout.ms}: smallest session timeout a
 *     member may ask for
 * @param groupMaxSessionTimeoutMs {@code group.max.session.timeout.ms}: largest session timeout
 * @param groupInitialRebalanceDelayMs {@code group.initial.rebalance.delay.ms}: how long the first
 *     rebalance of an empty group waits for more members
 * @param groupMaxSize {@code group.max.size}: most members one group may have
 * @param offsetsTopicNumPartitions {@code offsets.topic.num.partitions}: partitions of {@code
 *     __consumer_offsets}; fixes the group to partition mapping, so it must never change
 * @param offsetsRetentionMs {@code offsets.retention.minutes} in ms: how long an empty group's
 *     offsets are kept
 * @param offsetsRetentionCheckIntervalMs {@code offsets.retention.check.interval.ms}
 * @param offsetMetadataMaxBytes {@code offset.metadata.max.bytes}: longest commit metadata string
 */
public record GroupCoordinatorConfig(
    int groupMinSessionTimeoutMs,
    int groupMaxSessionTimeoutMs,
    int groupInitialRebalanceDelayMs,
    int groupMaxSize,
    int offsetsTopicNumPartitions,
    long offsetsRetentionMs,
    long offsetsRetentionCheckIntervalMs,
    int offsetMetadataMaxBytes) {

  public static final String GROUP_MIN_SESSION_TIMEOUT_MS = "group.min.session.timeout.ms";
  public static final String GROUP_MAX_SESSION_TIMEOUT_MS = "group.max.session.timeout.ms";
  public static final String GROUP_INITIAL_REBALANCE_DELAY_MS = "group.initial.rebalance.delay.ms";
  public static final String GROUP_MAX_SIZE = "group.max.size";
  public static final String OFFSETS_TOPIC_NUM_PARTITIONS = "offsets.topic.num.partitions";
  public static final String OFFSETS_RETENTION_MINUTES = "offsets.retention.minutes";
  public static final String OFFSETS_RETENTION_CHECK_INTERVAL_MS =
      "offsets.retention.check.interval.ms";
  public static final String OFFSET_METADATA_MAX_BYTES = "offset.metadata.max.bytes";

  public GroupCoordinatorConfig {
    if (groupMinSessionTimeoutMs < 0 || groupMaxSessionTimeoutMs < groupMinSessionTimeoutMs) {
      throw new ConfigException(
          GROUP_MAX_SESSION_TIMEOUT_MS + " must be >= " + GROUP_MIN_SESSION_TIMEOUT_MS + " >= 0");
    }
    if (groupInitialRebalanceDelayMs < 0) {
      throw new ConfigException(GROUP_INITIAL_REBALANCE_DELAY_MS + " must be >= 0");
    }
    if (groupMaxSize < 1) {
      throw new ConfigException(GROUP_MAX_SIZE + " must be >= 1");
    }
    if (offsetsTopicNumPartitions < 1) {
      throw new ConfigException(OFFSETS_TOPIC_NUM_PARTITIONS + " must be >= 1");
    }
    if (offsetsRetentionMs < 1 || offsetsRetentionCheckIntervalMs < 1) {
      throw new ConfigException(
          OFFSETS_RETENTION_MINUTES
              + " and "
              + OFFSETS_RETENTION_CHECK_INTERVAL_MS
              + " must be > 0");
    }
    if (offsetMetadataMaxBytes < 0) {
      throw new ConfigException(OFFSET_METADATA_MAX_BYTES + " must be >= 0");
    }
  }

  /** Kafka's defaults. */
  public static GroupCoordinatorConfig defaults() {
    return fromProperties(Map.of());
  }

  /** Reads the Kafka-named settings above from broker properties; missing ones take defaults. */
  public static GroupCoordinatorConfig fromProperties(Map<String, String> props) {
    return new GroupCoordinatorConfig(
        (int) number(props, GROUP_MIN_SESSION_TIMEOUT_MS, 6_000),
        (int) number(props, GROUP_MAX_SESSION_TIMEOUT_MS, 1_800_000),
        (int) number(props, GROUP_INITIAL_REBALANCE_DELAY_MS, 3_000),
        (int) number(props, GROUP_MAX_SIZE, Integer.MAX_VALUE),
        (int) number(props, OFFSETS_TOPIC_NUM_PARTITIONS, 50),
        number(props, OFFSETS_RETENTION_MINUTES, 10_080) * 60_000L,
        number(props, OFFSETS_RETENTION_CHECK_INTERVAL_MS, 600_000),
        (int) number(props, OFFSET_METADATA_MAX_BYTES, 4096));
  }

  private static long number(Map<String, String> props, String name, long dflt) {
    String v = props.get(name);
    if (v == null || v.isBlank()) {
      return dflt;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(name, v, "not a number");
    }
  }
}
