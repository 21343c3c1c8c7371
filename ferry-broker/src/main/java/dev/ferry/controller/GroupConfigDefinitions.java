package dev.ferry.controller;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

/**
 * The group-level configs of Kafka 4.4 (KIP-848 consumer groups, KIP-932 share groups, KIP-1071
 * streams groups, share-group dead-letter queues): names, types, broker defaults and the values
 * each takes. Ferry stores and describes them like Kafka, so tools that read or set them work;
 * Ferry's classic groups take their timeouts from the client, so none of them changes a classic
 * group's behaviour (as in Kafka, where they apply to the newer group types).
 */
public final class GroupConfigDefinitions {

  /** One config: its declared type, the broker default and the values it accepts. */
  public record Definition(ConfigType type, String defaultValue, Predicate<String> valid) {}

  private static final Predicate<String> ANY_INT = v -> intIn(v, 0, Integer.MAX_VALUE);
  private static final Predicate<String> BOOLEAN =
      v -> v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false");

  private static final Map<String, Definition> DEFINITIONS = new TreeMap<>();

  static {
    // Session and heartbeat bounds are the broker's group.<type>.{min,max}.* defaults.
    define("consumer.session.timeout.ms", ConfigType.INT, "45000", v -> intIn(v, 45000, 60000));
    define("consumer.heartbeat.interval.ms", ConfigType.INT, "5000", v -> intIn(v, 5000, 15000));
    define("consumer.assignment.interval.ms", ConfigType.INT, "1000", ANY_INT);
    define("share.session.timeout.ms", ConfigType.INT, "45000", v -> intIn(v, 45000, 60000));
    define("share.heartbeat.interval.ms", ConfigType.INT, "5000", v -> intIn(v, 5000, 15000));
    define("share.record.lock.duration.ms", ConfigType.INT, "30000", v -> intIn(v, 15000, 60000));
    define("share.delivery.count.limit", ConfigType.INT, "5", v -> intIn(v, 2, 10));
    define("share.partition.max.record.locks", ConfigType.INT, "2000", ANY_INT);
    define("share.assignment.interval.ms", ConfigType.INT, "1000", ANY_INT);
    define(
        "share.auto.offset.reset",
        ConfigType.STRING,
        "latest",
        v -> v.equals("latest") || v.equals("earliest") || v.startsWith("by_duration:"));
    define(
        "share.isolation.level",
        ConfigType.STRING,
        "read_uncommitted",
        v -> v.equals("read_uncommitted") || v.equals("read_committed"));
    define("share.renew.acknowledge.enable", ConfigType.BOOLEAN, "true", BOOLEAN);
    define("streams.session.timeout.ms", ConfigType.INT, "45000", v -> intIn(v, 45000, 60000));
    define("streams.heartbeat.interval.ms", ConfigType.INT, "5000", v -> intIn(v, 5000, 15000));
    define("streams.num.standby.replicas", ConfigType.INT, "0", v -> intIn(v, 0, 2));
    define("streams.initial.rebalance.delay.ms", ConfigType.INT, "3000", ANY_INT);
    define("streams.assignment.interval.ms", ConfigType.INT, "1000", ANY_INT);
    define("streams.assignor.name", ConfigType.STRING, "sticky", v -> !v.isBlank());
    define("streams.rack.aware.assignment.tags", ConfigType.LIST, "", v -> true);
    define("errors.deadletterqueue.topic.name", ConfigType.STRING, "", v -> true);
    define("errors.deadletterqueue.copy.record.enable", ConfigType.BOOLEAN, "false", BOOLEAN);
  }

  private GroupConfigDefinitions() {}

  private static void define(
      String name, ConfigType type, String defaultValue, Predicate<String> valid) {
    DEFINITIONS.put(name, new Definition(type, defaultValue, valid));
  }

  /** Every group config name, sorted. */
  public static Set<String> names() {
    return DEFINITIONS.keySet();
  }

  public static Definition definition(String name) {
    return DEFINITIONS.get(name);
  }

  /**
   * @throws InvalidConfigurationException naming the first unknown name or bad value
   */
  public static void validate(Map<String, String> configs) {
    for (Map.Entry<String, String> e : configs.entrySet()) {
      Definition d = DEFINITIONS.get(e.getKey());
      if (d == null) {
        throw new InvalidConfigurationException("Unknown group config name: " + e.getKey());
      }
      String value = e.getValue();
      if (value == null || !d.valid().test(value.trim())) {
        throw new InvalidConfigurationException(
            "Invalid value " + value + " for group configuration " + e.getKey());
      }
    }
  }

  private static boolean intIn(String v, int min, int max) {
    try {
      int i = Integer.parseInt(v);
      return i >= min && i <= max;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
