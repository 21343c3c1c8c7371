package dev.ferry.broker;

import dev.ferry.controller.BrokerConfigDefinitions;
import dev.ferry.server.admin.BrokerConfigSource;
import dev.ferry.server.admin.ConfigEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;

/**
 * DescribeConfigs of this broker: every config Ferry reads (with its default), every setting of the
 * properties file, and the dynamic overrides, each with the value in force and its source in
 * Kafka's precedence: this broker's dynamic override, the cluster's dynamic default, the properties
 * file, the default. Secrets are flagged sensitive and their values withheld, as Kafka does.
 */
final class BrokerConfigDescriber implements BrokerConfigSource {

  private final BrokerConfig config;
  private final DynamicBrokerConfigs dynamic;

  BrokerConfigDescriber(BrokerConfig config, DynamicBrokerConfigs dynamic) {
    this.config = config;
    this.dynamic = dynamic;
  }

  @Override
  public List<Entry> describe(List<String> keys) {
    Map<String, String> defaults = config.knownDefaults();
    Map<String, String> statics = config.originals();
    Map<String, String> perBroker = dynamic.brokerOverrides();
    Map<String, String> clusterDefault = dynamic.defaultOverrides();
    Set<String> names = new TreeSet<>(defaults.keySet());
    names.addAll(statics.keySet());
    names.addAll(perBroker.keySet());
    names.addAll(clusterDefault.keySet());
    List<Entry> out = new ArrayList<>();
    for (String name : names) {
      if (keys != null && !keys.isEmpty() && !keys.contains(name)) {
        continue;
      }
      boolean sensitive = isSensitive(name);
      List<ConfigEntry> synonyms = new ArrayList<>(4);
      add(synonyms, name, perBroker, ConfigSource.DYNAMIC_BROKER_CONFIG, sensitive);
      add(synonyms, name, clusterDefault, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, sensitive);
      add(synonyms, name, statics, ConfigSource.STATIC_BROKER_CONFIG, sensitive);
      add(synonyms, name, defaults, ConfigSource.DEFAULT_CONFIG, sensitive);
      ConfigEntry value = synonyms.get(0);
      out.add(
          new Entry(
              value,
              !BrokerConfigDefinitions.dynamicNames().contains(name),
              sensitive,
              List.copyOf(synonyms)));
    }
    return out;
  }

  private static void add(
      List<ConfigEntry> out,
      String name,
      Map<String, String> level,
      ConfigSource source,
      boolean sensitive) {
    String v = level.get(name);
    if (v != null) {
      out.add(new ConfigEntry(name, sensitive ? null : v, source));
    }
  }

  /** Passwords, keys and JAAS settings: described without their values. */
  static boolean isSensitive(String name) {
    return name.contains("password")
        || name.endsWith(".jaas.config")
        || name.endsWith(".secret")
        || name.contains(".key.");
  }
}
