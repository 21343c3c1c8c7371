package dev.ferry.server.admin;

import dev.ferry.controller.TopicConfigValidator;
import dev.ferry.storage.LogConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;

/**
 * The effective value of every topic-level config for a topic: its override if it has one,
 * otherwise the broker's default. Tools such as Kafka Connect read these (e.g. cleanup.policy), so
 * every known name is reported, not only overrides.
 */
public final class TopicConfigDescriber {

  private final Map<String, String> brokerDefaults;

  /**
   * @param logDefaults the broker's log defaults (from its log.* settings)
   * @param minInsyncReplicas the broker's min.insync.replicas
   */
  public TopicConfigDescriber(LogConfig logDefaults, int minInsyncReplicas) {
    Map<String, String> d = new HashMap<>(logDefaults.toMap());
    d.put("min.insync.replicas", String.valueOf(minInsyncReplicas));
    d.put("unclean.leader.election.enable", "false");
    d.put("compression.type", "producer");
    d.put("compression.gzip.level", "-1");
    d.put("compression.lz4.level", "9");
    d.put("compression.zstd.level", "3");
    d.put("preallocate", "false");
    d.put("segment.jitter.ms", "0");
    d.put("message.timestamp.before.max.ms", String.valueOf(Long.MAX_VALUE));
    d.put("message.timestamp.after.max.ms", "3600000");
    d.put("local.retention.ms", "-2");
    d.put("local.retention.bytes", "-2");
    d.put("remote.storage.enable", "false");
    d.put("leader.replication.throttled.replicas", "");
    d.put("follower.replication.throttled.replicas", "");
    this.brokerDefaults = Map.copyOf(d);
  }

  /** Every topic config, sorted by name, optionally restricted to {@code keys}. */
  public List<ConfigEntry> describe(Map<String, String> overrides, List<String> keys) {
    List<ConfigEntry> out = new ArrayList<>();
    TreeSet<String> names = new TreeSet<>(TopicConfigValidator.names());
    overrides.keySet().stream().filter(TopicConfigValidator::isExtension).forEach(names::add);
    for (String name : names) {
      if (keys != null && !keys.isEmpty() && !keys.contains(name)) {
        continue;
      }
      String override = overrides.get(name);
      if (override != null) {
        out.add(
            new ConfigEntry(
                name, override, ConfigSource.TOPIC_CONFIG, TopicConfigValidator.typeOf(name)));
      } else {
        out.add(
            new ConfigEntry(
                name,
                brokerDefaults.get(name),
                ConfigSource.DEFAULT_CONFIG,
                TopicConfigValidator.typeOf(name)));
      }
    }
    return out;
  }
}
