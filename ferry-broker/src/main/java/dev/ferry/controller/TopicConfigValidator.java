package dev.ferry.controller;

import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

/**
 * Knows which topic-level configs exist and what values they take. Names outside this table are
 * rejected with INVALID_CONFIG rather than silently stored, so a typo never looks accepted.
 */
public final class TopicConfigValidator {

  private static final Predicate<String> LONG = v -> parsesAs(v, true);
  private static final Predicate<String> INT = v -> parsesAs(v, false);
  private static final Predicate<String> BOOLEAN =
      v -> v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false");

  private static final Map<String, Predicate<String>> KNOWN =
      Map.ofEntries(
          Map.entry("segment.bytes", v -> INT.test(v) && Integer.parseInt(v) >= 14),
          Map.entry("segment.ms", v -> LONG.test(v) && Long.parseLong(v) >= 1),
          Map.entry("segment.index.bytes", v -> INT.test(v) && Integer.parseInt(v) >= 8),
          Map.entry("segment.jitter.ms", LONG),
          Map.entry("index.interval.bytes", INT),
          Map.entry("retention.ms", v -> LONG.test(v) && Long.parseLong(v) >= -1),
          Map.entry("retention.bytes", LONG),
          Map.entry("flush.messages", v -> LONG.test(v) && Long.parseLong(v) >= 1),
          Map.entry("flush.ms", v -> LONG.test(v) && Long.parseLong(v) >= 0),
          Map.entry("max.message.bytes", v -> INT.test(v) && Integer.parseInt(v) >= 0),
          Map.entry(
              "message.timestamp.type", v -> v.equals("CreateTime") || v.equals("LogAppendTime")),
          Map.entry("message.timestamp.before.max.ms", LONG),
          Map.entry("message.timestamp.after.max.ms", LONG),
          Map.entry("cleanup.policy", TopicConfigValidator::isCleanupPolicy),
          Map.entry("file.delete.delay.ms", LONG),
          Map.entry("delete.retention.ms", v -> LONG.test(v) && Long.parseLong(v) >= 0),
          Map.entry("min.compaction.lag.ms", v -> LONG.test(v) && Long.parseLong(v) >= 0),
          Map.entry("max.compaction.lag.ms", v -> LONG.test(v) && Long.parseLong(v) >= 1),
          Map.entry("min.cleanable.dirty.ratio", TopicConfigValidator::isRatio),
          Map.entry("min.insync.replicas", v -> INT.test(v) && Integer.parseInt(v) >= 1),
          Map.entry("unclean.leader.election.enable", BOOLEAN),
          Map.entry("preallocate", BOOLEAN),
          Map.entry(
              "compression.type",
              v -> Set.of("uncompressed", "zstd", "lz4", "snappy", "gzip", "producer").contains(v)),
          Map.entry("compression.gzip.level", INT),
          Map.entry("compression.lz4.level", INT),
          Map.entry("compression.zstd.level", INT),
          Map.entry("leader.replication.throttled.replicas", v -> true),
          Map.entry("follower.replication.throttled.replicas", v -> true),
          Map.entry("local.retention.ms", LONG),
          Map.entry("local.retention.bytes", LONG),
          Map.entry("remote.storage.enable", BOOLEAN));

  /**
   * The type Kafka declares for each topic config, reported by DescribeConfigs v3+ (tools use it to
   * parse and edit values).
   */
  private static final Map<String, ConfigType> TYPES =
      Map.ofEntries(
          Map.entry("segment.bytes", ConfigType.INT),
          Map.entry("segment.ms", ConfigType.LONG),
          Map.entry("segment.index.bytes", ConfigType.INT),
          Map.entry("segment.jitter.ms", ConfigType.LONG),
          Map.entry("index.interval.bytes", ConfigType.INT),
          Map.entry("retention.ms", ConfigType.LONG),
          Map.entry("retention.bytes", ConfigType.LONG),
          Map.entry("flush.messages", ConfigType.LONG),
          Map.entry("flush.ms", ConfigType.LONG),
          Map.entry("max.message.bytes", ConfigType.INT),
          Map.entry("message.timestamp.type", ConfigType.STRING),
          Map.entry("message.timestamp.before.max.ms", ConfigType.LONG),
          Map.entry("message.timestamp.after.max.ms", ConfigType.LONG),
          Map.entry("cleanup.policy", ConfigType.LIST),
          Map.entry("file.delete.delay.ms", ConfigType.LONG),
          Map.entry("delete.retention.ms", ConfigType.LONG),
          Map.entry("min.compaction.lag.ms", ConfigType.LONG),
          Map.entry("max.compaction.lag.ms", ConfigType.LONG),
          Map.entry("min.cleanable.dirty.ratio", ConfigType.DOUBLE),
          Map.entry("min.insync.replicas", ConfigType.INT),
          Map.entry("unclean.leader.election.enable", ConfigType.BOOLEAN),
          Map.entry("preallocate", ConfigType.BOOLEAN),
          Map.entry("compression.type", ConfigType.STRING),
          Map.entry("compression.gzip.level", ConfigType.INT),
          Map.entry("compression.lz4.level", ConfigType.INT),
          Map.entry("compression.zstd.level", ConfigType.INT),
          Map.entry("leader.replication.throttled.replicas", ConfigType.LIST),
          Map.entry("follower.replication.throttled.replicas", ConfigType.LIST),
          Map.entry("local.retention.ms", ConfigType.LONG),
          Map.entry("local.retention.bytes", ConfigType.LONG),
          Map.entry("remote.storage.enable", ConfigType.BOOLEAN));

  /**
   * Configs that are not Kafka's but that Ferry honours (Confluent's names for broker-side schema
   * validation): accepted when set, described only when set, so a topic without them describes
   * exactly as in Kafka.
   */
  private static final Map<String, Predicate<String>> EXTENSIONS =
      Map.of(
          "confluent.value.schema.validation", BOOLEAN,
          "confluent.key.schema.validation", BOOLEAN);

  private TopicConfigValidator() {}

  /** Whether {@code name} is one of the non-Kafka configs of {@link #EXTENSIONS}. */
  public static boolean isExtension(String name) {
    return EXTENSIONS.containsKey(name);
  }

  public static Set<String> names() {
    return KNOWN.keySet();
  }

  /** The declared type of topic config {@code name} (UNKNOWN for names not in the table). */
  public static ConfigType typeOf(String name) {
    return EXTENSIONS.containsKey(name)
        ? ConfigType.BOOLEAN
        : TYPES.getOrDefault(name, ConfigType.UNKNOWN);
  }

  /**
   * @throws InvalidConfigurationException naming the first unknown name or bad value
   */
  public static void validate(Map<String, String> configs) {
    for (Map.Entry<String, String> e : configs.entrySet()) {
      Predicate<String> check = KNOWN.getOrDefault(e.getKey(), EXTENSIONS.get(e.getKey()));
      if (check == null) {
        throw new InvalidConfigurationException("Unknown topic config name: " + e.getKey());
      }
      String value = e.getValue();
      if (value == null || !check.test(value.trim())) {
        throw new InvalidConfigurationException(
            "Invalid value " + value + " for configuration " + e.getKey());
      }
    }
  }

  private static boolean isCleanupPolicy(String v) {
    for (String part : v.split(",")) {
      String p = part.trim();
      if (!p.equals("delete") && !p.equals("compact")) {
        return false;
      }
    }
    return true;
  }

  /** A number from 0 to 1. */
  private static boolean isRatio(String v) {
    try {
      double d = Double.parseDouble(v);
      return d >= 0 && d <= 1;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static boolean parsesAs(String v, boolean asLong) {
    try {
      if (asLong) {
        Long.parseLong(v);
      } else {
        Integer.parseInt(v);
      }
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
