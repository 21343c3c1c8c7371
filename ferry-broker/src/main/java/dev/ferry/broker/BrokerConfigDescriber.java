package dev.ferry.broker;

import dev.ferry.controller.BrokerConfigDefinitions;
import dev.ferry.controller.KafkaBrokerConfigCatalog;
import dev.ferry.server.admin.BrokerConfigSource;
import dev.ferry.server.admin.ConfigEntry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;

/**
 * DescribeConfigs of this broker as Kafka answers it: every Kafka broker config (from {@link
 * KafkaBrokerConfigCatalog}), every config Ferry reads, every setting of the properties file and
 * the dynamic overrides, each with the value in force and its source in Kafka's precedence: this
 * broker's dynamic override, the cluster's dynamic default, the properties file, the default.
 *
 * <p>The default of a config Ferry reads is Ferry's (which may differ from Kafka's where Ferry says
 * why); a Kafka config Ferry does not act on is listed with Kafka's default, so tools that expect
 * it find it. Synonyms follow Kafka's rule: every level is searched for the config and its unit
 * variants ({@code log.retention.ms/minutes/hours}), and the list starts at the first entry of the
 * config itself. Passwords, and settings of unknown type (they may hold a plugin's secrets) other
 * than Ferry's own, are flagged sensitive and their values withheld, as Kafka does.
 */
final class BrokerConfigDescriber implements BrokerConfigSource {

  /**
   * Settings of Ferry's own that neither Kafka's catalogue nor a Ferry default types (ZooKeeper's
   * and Ferry's): shown; any other unknown setting may be a plugin's secret and is withheld.
   */
  private static final Pattern FERRY_PREFIXES = Pattern.compile("(zookeeper|ferry|metrics)\\.");

  private final Map<String, String> ferryDefaults;
  private final Map<String, String> statics;
  private final Supplier<Map<String, String>> perBroker;
  private final Supplier<Map<String, String>> clusterDefault;

  /**
   * {@code ferryDefaults}: the configs Ferry reads, with its defaults; {@code statics}: the
   * properties file; the suppliers give the current dynamic overrides of this broker and of the
   * cluster default.
   */
  BrokerConfigDescriber(
      Map<String, String> ferryDefaults,
      Map<String, String> statics,
      Supplier<Map<String, String>> perBroker,
      Supplier<Map<String, String>> clusterDefault) {
    this.ferryDefaults = ferryDefaults;
    this.statics = statics;
    this.perBroker = perBroker;
    this.clusterDefault = clusterDefault;
  }

  BrokerConfigDescriber(BrokerConfig config, DynamicBrokerConfigs dynamic) {
    this(
        config.knownDefaults(),
        config.originals(),
        dynamic::brokerOverrides,
        dynamic::defaultOverrides);
  }

  @Override
  public List<Entry> describe(List<String> keys, boolean forClusterDefault) {
    Levels levels = new Levels(perBroker.get(), clusterDefault.get());
    Set<String> names = new TreeSet<>(levels.clusterDefault.keySet());
    if (!forClusterDefault) {
      names.addAll(KafkaBrokerConfigCatalog.all().keySet());
      names.addAll(ferryDefaults.keySet());
      names.addAll(statics.keySet());
      names.addAll(levels.perBroker.keySet());
    }
    List<Entry> out = new ArrayList<>(names.size());
    for (String name : names) {
      if (keys == null || keys.isEmpty() || keys.contains(name)) {
        out.add(entry(name, levels, forClusterDefault));
      }
    }
    return out;
  }

  private Entry entry(String name, Levels levels, boolean forClusterDefault) {
    Optional<KafkaBrokerConfigCatalog.Definition> kafka = KafkaBrokerConfigCatalog.definition(name);
    ConfigType type = kafka.map(KafkaBrokerConfigCatalog.Definition::type).orElse(null);
    if (type == null && ferryDefaults.containsKey(name)) {
      type = typeOf(ferryDefaults.get(name));
    }
    boolean sensitive =
        type == null
            ? !FERRY_PREFIXES.matcher(name).lookingAt() || isSensitive(name)
            : type == ConfigType.PASSWORD || isSensitive(name);
    List<ConfigEntry> synonyms = synonyms(name, levels, sensitive, forClusterDefault);
    ConfigSource source =
        synonyms.isEmpty() ? ConfigSource.DEFAULT_CONFIG : synonyms.get(0).source();
    String value = sensitive ? null : levels.ownValue(name, forClusterDefault);
    ConfigType described = type == null ? ConfigType.UNKNOWN : type;
    return new Entry(
        new ConfigEntry(name, value, source, described),
        !BrokerConfigDefinitions.dynamicNames().contains(name),
        sensitive,
        List.copyOf(synonyms));
  }

  /**
   * Kafka's synonym list: each level in precedence order, within it the config's synonyms in
   * theirs; entries before the config's own first one are dropped (a listener override is not a
   * synonym of the base config). Only the cluster default level for that resource.
   */
  private List<ConfigEntry> synonyms(
      String name, Levels levels, boolean sensitive, boolean forClusterDefault) {
    List<String> group = KafkaBrokerConfigCatalog.synonyms(name);
    List<ConfigEntry> all = new ArrayList<>(4);
    if (!forClusterDefault) {
      add(all, group, levels.perBroker, ConfigSource.DYNAMIC_BROKER_CONFIG, sensitive);
    }
    add(all, group, levels.clusterDefault, ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, sensitive);
    if (!forClusterDefault) {
      add(all, group, statics, ConfigSource.STATIC_BROKER_CONFIG, sensitive);
      for (String s : group) {
        String def = defaultOf(s);
        if (def != null) {
          all.add(new ConfigEntry(s, sensitive ? null : def, ConfigSource.DEFAULT_CONFIG));
        }
      }
    }
    int first = 0;
    while (first < all.size() && !all.get(first).name().equals(name)) {
      first++;
    }
    return all.subList(first, all.size());
  }

  private static void add(
      List<ConfigEntry> out,
      List<String> group,
      Map<String, String> level,
      ConfigSource source,
      boolean sensitive) {
    for (String s : group) {
      String v = level.get(s);
      if (v != null) {
        out.add(new ConfigEntry(s, sensitive ? null : v, source));
      }
    }
  }

  /** Ferry's default where Ferry reads the config, else Kafka's; null when there is none. */
  private String defaultOf(String name) {
    String ferry = ferryDefaults.get(name);
    if (ferry != null) {
      return ferry;
    }
    return KafkaBrokerConfigCatalog.all().containsKey(name)
        ? KafkaBrokerConfigCatalog.all().get(name).defaultValue()
        : null;
  }

  /** The type of a Ferry-only config, from the shape of its default. */
  private static ConfigType typeOf(String defaultValue) {
    if (defaultValue.equals("true") || defaultValue.equals("false")) {
      return ConfigType.BOOLEAN;
    }
    try {
      long v = Long.parseLong(defaultValue);
      return v == (int) v ? ConfigType.INT : ConfigType.LONG;
    } catch (NumberFormatException e) {
      return ConfigType.STRING;
    }
  }

  /** Passwords, keys and JAAS settings: described without their values. */
  static boolean isSensitive(String name) {
    return name.contains("password")
        || name.endsWith(".jaas.config")
        || name.endsWith(".secret")
        || name.contains(".key.");
  }

  /** One consistent read of the dynamic levels for a whole answer. */
  private final class Levels {
    final Map<String, String> perBroker;
    final Map<String, String> clusterDefault;

    Levels(Map<String, String> perBroker, Map<String, String> clusterDefault) {
      this.perBroker = perBroker;
      this.clusterDefault = clusterDefault;
    }

    /** The config's own value at the highest level that sets it, else its default. */
    String ownValue(String name, boolean forClusterDefault) {
      if (forClusterDefault) {
        return clusterDefault.get(name);
      }
      String v = perBroker.get(name);
      if (v == null) {
        v = clusterDefault.get(name);
      }
      if (v == null) {
        v = statics.get(name);
      }
      return v != null ? v : defaultOf(name);
    }
  }
}
