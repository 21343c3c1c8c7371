package dev.ferry.coordinator.share;

import java.util.Map;
import org.apache.kafka.common.config.ConfigException;

/**
 * Broker-wide settings of share groups (KIP-932), named and defaulted as Kafka 4.4's {@code
 * group.share.*} broker configs. A group may override the lock duration, the delivery count limit
 * and {@code share.auto.offset.reset} with its own group configs (see {@link ShareGroupSettings}).
 *
 * @param sessionTimeoutMs {@code group.share.session.timeout.ms}: a member silent this long leaves
 * @param heartbeatIntervalMs {@code group.share.heartbeat.interval.ms}
 * @param maxSize {@code group.share.max.size}: most members in one share group
 * @param recordLockDurationMs {@code group.share.record.lock.duration.ms}: how long an acquired
 *     record stays with its consumer before it is released to others
 * @param minRecordLockDurationMs {@code group.share.min.record.lock.duration.ms}
 * @param maxRecordLockDurationMs {@code group.share.max.record.lock.duration.ms}
 * @param deliveryCountLimit {@code group.share.delivery.count.limit}: deliveries after which a
 *     released record is archived instead of made available again
 * @param partitionMaxRecordLocks {@code group.share.partition.max.record.locks}: most in-flight
 *     records per share-partition (bounds acquisition)
 * @param maxShareSessions {@code group.share.max.share.sessions}: share sessions per broker
 */
public record ShareGroupConfig(
    int sessionTimeoutMs,
    int heartbeatIntervalMs,
    int maxSize,
    int recordLockDurationMs,
    int minRecordLockDurationMs,
    int maxRecordLockDurationMs,
    int deliveryCountLimit,
    int partitionMaxRecordLocks,
    int maxShareSessions) {

  public static final String SESSION_TIMEOUT_MS = "group.share.session.timeout.ms";
  public static final String HEARTBEAT_INTERVAL_MS = "group.share.heartbeat.interval.ms";
  public static final String MAX_SIZE = "group.share.max.size";
  public static final String RECORD_LOCK_DURATION_MS = "group.share.record.lock.duration.ms";
  public static final String MIN_RECORD_LOCK_DURATION_MS =
      "group.share.min.record.lock.duration.ms";
  public static final String MAX_RECORD_LOCK_DURATION_MS =
      "group.share.max.record.lock.duration.ms";
  public static final String DELIVERY_COUNT_LIMIT = "group.share.delivery.count.limit";
  public static final String PARTITION_MAX_RECORD_LOCKS = "group.share.partition.max.record.locks";
  public static final String MAX_SHARE_SESSIONS = "group.share.max.share.sessions";

  /** Kafka 4.4's defaults. */
  public static final ShareGroupConfig DEFAULTS =
      new ShareGroupConfig(45_000, 5_000, 200, 30_000, 15_000, 60_000, 5, 2_000, 2_000);

  public ShareGroupConfig {
    if (minRecordLockDurationMs > recordLockDurationMs
        || recordLockDurationMs > maxRecordLockDurationMs) {
      throw new ConfigException(
          RECORD_LOCK_DURATION_MS,
          recordLockDurationMs,
          "must lie within " + MIN_RECORD_LOCK_DURATION_MS + " and " + MAX_RECORD_LOCK_DURATION_MS);
    }
    if (deliveryCountLimit < 2 || deliveryCountLimit > 10) {
      throw new ConfigException(DELIVERY_COUNT_LIMIT, deliveryCountLimit, "must be in [2, 10]");
    }
    if (partitionMaxRecordLocks < 100) {
      throw new ConfigException(
          PARTITION_MAX_RECORD_LOCKS, partitionMaxRecordLocks, "must be at least 100");
    }
    if (heartbeatIntervalMs >= sessionTimeoutMs) {
      throw new ConfigException(
          HEARTBEAT_INTERVAL_MS, heartbeatIntervalMs, "must be less than " + SESSION_TIMEOUT_MS);
    }
  }

  /** The settings in {@code props} (a broker's configs), Kafka's defaults for the absent ones. */
  public static ShareGroupConfig from(Map<String, String> props) {
    ShareGroupConfig d = DEFAULTS;
    return new ShareGroupConfig(
        intOf(props, SESSION_TIMEOUT_MS, d.sessionTimeoutMs),
        intOf(props, HEARTBEAT_INTERVAL_MS, d.heartbeatIntervalMs),
        intOf(props, MAX_SIZE, d.maxSize),
        intOf(props, RECORD_LOCK_DURATION_MS, d.recordLockDurationMs),
        intOf(props, MIN_RECORD_LOCK_DURATION_MS, d.minRecordLockDurationMs),
        intOf(props, MAX_RECORD_LOCK_DURATION_MS, d.maxRecordLockDurationMs),
        intOf(props, DELIVERY_COUNT_LIMIT, d.deliveryCountLimit),
        intOf(props, PARTITION_MAX_RECORD_LOCKS, d.partitionMaxRecordLocks),
        intOf(props, MAX_SHARE_SESSIONS, d.maxShareSessions));
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
