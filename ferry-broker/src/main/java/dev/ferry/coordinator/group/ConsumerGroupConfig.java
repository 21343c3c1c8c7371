package dev.ferry.coordinator.group;

import java.util.List;
import org.apache.kafka.common.config.ConfigException;

/**
 * Settings of consumer-protocol groups (KIP-848), named after Kafka's broker configs.
 *
 * @param sessionTimeoutMs {@code group.consumer.session.timeout.ms}: a member that does not
 *     heartbeat for this long is removed
 * @param heartbeatIntervalMs {@code group.consumer.heartbeat.interval.ms}: how often members
 *     heartbeat (told to them in every response)
 * @param minSessionTimeoutMs {@code group.consumer.min.session.timeout.ms}
 * @param maxSessionTimeoutMs {@code group.consumer.max.session.timeout.ms}
 * @param minHeartbeatIntervalMs {@code group.consumer.min.heartbeat.interval.ms}
 * @param maxHeartbeatIntervalMs {@code group.consumer.max.heartbeat.interval.ms}
 * @param maxSize {@code group.consumer.max.size}: most members one group may have
 * @param assignors {@code group.consumer.assignors}: the server assignors offered, the first being
 *     the default ("uniform" and "range")
 * @param migrationPolicy {@code group.consumer.migration.policy}: whether live groups may move
 *     between the classic and the consumer protocol
 */
public record ConsumerGroupConfig(
    int sessionTimeoutMs,
    int heartbeatIntervalMs,
    int minSessionTimeoutMs,
    int maxSessionTimeoutMs,
    int minHeartbeatIntervalMs,
    int maxHeartbeatIntervalMs,
    int maxSize,
    List<String> assignors,
    ConsumerGroupMigrationPolicy migrationPolicy) {

  public static final String SESSION_TIMEOUT_MS = "group.consumer.session.timeout.ms";
  public static final String HEARTBEAT_INTERVAL_MS = "group.consumer.heartbeat.interval.ms";
  public static final String MIN_SESSION_TIMEOUT_MS = "group.consumer.min.session.timeout.ms";
  public static final String MAX_SESSION_TIMEOUT_MS = "group.consumer.max.session.timeout.ms";
  public static final String MIN_HEARTBEAT_INTERVAL_MS = "group.consumer.min.heartbeat.interval.ms";
  public static final String MAX_HEARTBEAT_INTERVAL_MS = "group.consumer.max.heartbeat.interval.ms";
  public static final String MAX_SIZE = "group.consumer.max.size";
  public static final String ASSIGNORS = "group.consumer.assignors";

  /** Kafka's defaults. */
  public static ConsumerGroupConfig defaults() {
    return new ConsumerGroupConfig(
        45_000,
        5_000,
        45_000,
        60_000,
        5_000,
        15_000,
        Integer.MAX_VALUE,
        List.of(UniformAssignor.NAME, RangeAssignor.NAME),
        ConsumerGroupMigrationPolicy.BIDIRECTIONAL);
  }

  /** The same settings with another migration policy. */
  public ConsumerGroupConfig withMigrationPolicy(ConsumerGroupMigrationPolicy policy) {
    return new ConsumerGroupConfig(
        sessionTimeoutMs,
        heartbeatIntervalMs,
        minSessionTimeoutMs,
        maxSessionTimeoutMs,
        minHeartbeatIntervalMs,
        maxHeartbeatIntervalMs,
        maxSize,
        assignors,
        policy);
  }

  public ConsumerGroupConfig {
    assignors = List.copyOf(assignors);
    java.util.Objects.requireNonNull(migrationPolicy, "migrationPolicy");
    if (minSessionTimeoutMs <= 0 || maxSessionTimeoutMs < minSessionTimeoutMs) {
      throw new ConfigException(MAX_SESSION_TIMEOUT_MS + " must be >= " + MIN_SESSION_TIMEOUT_MS);
    }
    if (sessionTimeoutMs < minSessionTimeoutMs || sessionTimeoutMs > maxSessionTimeoutMs) {
      throw new ConfigException(
          SESSION_TIMEOUT_MS
              + " must be within ["
              + minSessionTimeoutMs
              + ", "
              + maxSessionTimeoutMs
              + "]");
    }
    if (minHeartbeatIntervalMs <= 0 || maxHeartbeatIntervalMs < minHeartbeatIntervalMs) {
      throw new ConfigException(
          MAX_HEARTBEAT_INTERVAL_MS + " must be >= " + MIN_HEARTBEAT_INTERVAL_MS);
    }
    if (heartbeatIntervalMs < minHeartbeatIntervalMs
        || heartbeatIntervalMs > maxHeartbeatIntervalMs) {
      throw new ConfigException(
          HEARTBEAT_INTERVAL_MS
              + " must be within ["
              + minHeartbeatIntervalMs
              + ", "
              + maxHeartbeatIntervalMs
              + "]");
    }
    if (heartbeatIntervalMs >= sessionTimeoutMs) {
      throw new ConfigException(HEARTBEAT_INTERVAL_MS + " must be < " + SESSION_TIMEOUT_MS);
    }
    if (maxSize < 1) {
      throw new ConfigException(MAX_SIZE + " must be >= 1");
    }
    if (assignors.isEmpty()) {
      throw new ConfigException(ASSIGNORS + " must name at least one assignor");
    }
    for (String a : assignors) {
      if (!a.equals(UniformAssignor.NAME) && !a.equals(RangeAssignor.NAME)) {
        throw new ConfigException(ASSIGNORS, a, "known assignors: uniform, range");
      }
    }
  }
}
