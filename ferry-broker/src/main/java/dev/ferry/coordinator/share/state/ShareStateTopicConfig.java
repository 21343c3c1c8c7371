package dev.ferry.coordinator.share.state;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * Settings of the replicated share-group state topic, named and defaulted as Kafka 4.4's {@code
 * share.coordinator.*} broker configs.
 *
 * @param numPartitions {@code share.coordinator.state.topic.num.partitions}
 * @param replicationFactor {@code share.coordinator.state.topic.replication.factor} (capped at the
 *     live brokers when the topic is created, as for {@code __consumer_offsets})
 * @param minIsr {@code share.coordinator.state.topic.min.isr}: the topic's {@code
 *     min.insync.replicas}
 * @param segmentBytes {@code share.coordinator.state.topic.segment.bytes}
 * @param writeTimeoutMs {@code share.coordinator.write.timeout.ms}: how long a state write waits
 *     for the in-sync replicas before it fails
 */
public record ShareStateTopicConfig(
    int numPartitions,
    short replicationFactor,
    short minIsr,
    int segmentBytes,
    int writeTimeoutMs) {

  public static final String TOPIC = "__share_group_state";

  public static final String NUM_PARTITIONS = "share.coordinator.state.topic.num.partitions";
  public static final String REPLICATION_FACTOR =
      "share.coordinator.state.topic.replication.factor";
  public static final String MIN_ISR = "share.coordinator.state.topic.min.isr";
  public static final String SEGMENT_BYTES = "share.coordinator.state.topic.segment.bytes";
  public static final String WRITE_TIMEOUT_MS = "share.coordinator.write.timeout.ms";

  /** Kafka 4.4's defaults. */
  public static final ShareStateTopicConfig DEFAULTS =
      new ShareStateTopicConfig(50, (short) 3, (short) 2, 100 * 1024 * 1024, 5_000);

  public ShareStateTopicConfig {
    if (numPartitions < 1) {
      throw new ConfigException(NUM_PARTITIONS, numPartitions, "must be at least 1");
    }
    if (replicationFactor < 1) {
      throw new ConfigException(REPLICATION_FACTOR, replicationFactor, "must be at least 1");
    }
    if (minIsr < 1) {
      throw new ConfigException(MIN_ISR, minIsr, "must be at least 1");
    }
  }

  /** The settings in {@code props} (a broker's configs), Kafka's defaults for the absent ones. */
  public static ShareStateTopicConfig from(Map<String, String> props) {
    ShareStateTopicConfig d = DEFAULTS;
    return new ShareStateTopicConfig(
        intOf(props, NUM_PARTITIONS, d.numPartitions),
        (short) intOf(props, REPLICATION_FACTOR, d.replicationFactor),
        (short) intOf(props, MIN_ISR, d.minIsr),
        intOf(props, SEGMENT_BYTES, d.segmentBytes),
        intOf(props, WRITE_TIMEOUT_MS, d.writeTimeoutMs));
  }

  /**
   * The state topic's partition of a share-partition, as Kafka's share coordinator picks it: the
   * hash of {@code "group:topicId:partition"}.
   */
  public int partitionFor(String groupId, org.apache.kafka.common.Uuid topicId, int partition) {
    String key = groupId + ":" + topicId + ":" + partition;
    return (key.hashCode() & 0x7fffffff) % numPartitions;
  }

  /**
   * Topic configs: compacted (the latest state of each share-partition is kept), segments of {@code
   * segmentBytes}, and {@code min.insync.replicas} of {@code minIsr} (capped at the replication
   * factor the topic gets).
   */
  public Map<String, String> topicConfigs(short replicas) {
    return Map.of(
        "cleanup.policy", "compact",
        "segment.bytes", String.valueOf(segmentBytes),
        "min.insync.replicas", String.valueOf(Math.min(minIsr, replicas)));
  }

  private static int intOf(Map<String, String> props, String name, int fallback) {
    String v = props.get(name);
    if (v == null || v.isBlank()) {
      return fallback;
    }
    try {
      return Integer.parseInt(v.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(name, v, "not an integer");
    }
  }
}
