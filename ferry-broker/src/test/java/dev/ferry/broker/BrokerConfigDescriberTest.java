package dev.ferry.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.server.admin.BrokerConfigSource.Entry;
import dev.ferry.server.admin.ConfigEntry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigType;
import org.junit.jupiter.api.Test;

/**
 * What DescribeConfigs answers for a broker: every Kafka broker config, values from the right
 * level, Kafka's synonym lists and sensitivity; Ferry's own defaults where it reads a config.
 */
class BrokerConfigDescriberTest {

  private final Map<String, String> ferryDefaults =
      Map.of(
          "num.network.threads", "2",
          "leader.replication.throttled.rate", String.valueOf(Long.MAX_VALUE),
          "zookeeper.session.timeout.ms", "18000");
  private final Map<String, String> statics = new HashMap<>();
  private final Map<String, String> perBroker = new HashMap<>();
  private final Map<String, String> clusterDefault = new HashMap<>();
  private final BrokerConfigDescriber describer =
      new BrokerConfigDescriber(
          ferryDefaults, statics, () -> Map.copyOf(perBroker), () -> Map.copyOf(clusterDefault));

  private Entry one(String name) {
    List<Entry> entries = describer.describe(List.of(name), false);
    assertThat(entries).hasSize(1);
    return entries.get(0);
  }

  @Test
  void listsEveryKafkaBrokerConfigWithItsDefault() {
    List<Entry> all = describer.describe(null, false);
    assertThat(all.size()).isGreaterThan(340);
    Entry slots = one("max.incremental.fetch.session.cache.slots");
    assertThat(slots.value())
        .isEqualTo(
            new ConfigEntry(
                "max.incremental.fetch.session.cache.slots",
                "1000",
                ConfigSource.DEFAULT_CONFIG,
                ConfigType.INT));
    assertThat(slots.readOnly()).isTrue();
    assertThat(slots.synonyms())
        .containsExactly(
            new ConfigEntry(
                "max.incremental.fetch.session.cache.slots", "1000", ConfigSource.DEFAULT_CONFIG));
  }

  @Test
  void ferrysOwnDefaultWinsOverKafkasAndFerryOnlyConfigsAreTyped() {
    assertThat(one("num.network.threads").value().value()).isEqualTo("2");
    Entry zk = one("zookeeper.session.timeout.ms");
    assertThat(zk.value().type()).isEqualTo(ConfigType.INT);
    assertThat(zk.sensitive()).isFalse();
    assertThat(one("leader.replication.throttled.rate").value().type()).isEqualTo(ConfigType.LONG);
    assertThat(one("leader.replication.throttled.rate").readOnly()).isFalse();
  }

  @Test
  void valueAndSourceComeFromTheHighestLevelThatSetsIt() {
    statics.put("num.io.threads", "4");
    clusterDefault.put("num.io.threads", "6");
    perBroker.put("num.io.threads", "7");
    Entry e = one("num.io.threads");
    assertThat(e.value().value()).isEqualTo("7");
    assertThat(e.value().source()).isEqualTo(ConfigSource.DYNAMIC_BROKER_CONFIG);
    assertThat(e.synonyms())
        .extracting(ConfigEntry::source, ConfigEntry::value)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(ConfigSource.DYNAMIC_BROKER_CONFIG, "7"),
            org.assertj.core.groups.Tuple.tuple(ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG, "6"),
            org.assertj.core.groups.Tuple.tuple(ConfigSource.STATIC_BROKER_CONFIG, "4"),
            org.assertj.core.groups.Tuple.tuple(ConfigSource.DEFAULT_CONFIG, "8"));
  }

  @Test
  void unitVariantsAreSynonymsFromTheConfigItselfOnAsKafkaListsThem() {
    // Nothing set: log.retention.ms has no value and no synonyms, hours has its default.
    assertThat(one("log.retention.ms").value().value()).isNull();
    assertThat(one("log.retention.ms").synonyms()).isEmpty();
    assertThat(one("log.retention.hours").synonyms())
        .containsExactly(
            new ConfigEntry("log.retention.hours", "168", ConfigSource.DEFAULT_CONFIG));

    statics.put("log.retention.ms", "60000");
    assertThat(one("log.retention.ms").synonyms())
        .containsExactly(
            new ConfigEntry("log.retention.ms", "60000", ConfigSource.STATIC_BROKER_CONFIG),
            new ConfigEntry("log.retention.hours", "168", ConfigSource.DEFAULT_CONFIG));
    // The hours entry lists only what follows its own first entry.
    assertThat(one("log.retention.hours").synonyms())
        .containsExactly(
            new ConfigEntry("log.retention.hours", "168", ConfigSource.DEFAULT_CONFIG));
    assertThat(one("log.retention.hours").value().source()).isEqualTo(ConfigSource.DEFAULT_CONFIG);
  }

  @Test
  void passwordsAndUnknownSettingsAreWithheld() {
    statics.put("ssl.keystore.password", "secret");
    statics.put("my.plugin.token", "secret");
    statics.put("ferry.embedded.zookeeper.port", "2181");
    Entry password = one("ssl.keystore.password");
    assertThat(password.sensitive()).isTrue();
    assertThat(password.value().value()).isNull();
    assertThat(password.value().type()).isEqualTo(ConfigType.PASSWORD);
    assertThat(password.synonyms()).extracting(ConfigEntry::value).containsOnlyNulls();
    Entry plugin = one("my.plugin.token");
    assertThat(plugin.sensitive()).isTrue();
    assertThat(plugin.value().value()).isNull();
    assertThat(plugin.value().type()).isEqualTo(ConfigType.UNKNOWN);
    assertThat(one("ferry.embedded.zookeeper.port").value().value()).isEqualTo("2181");
    // A listener override has the type of the config it overrides.
    statics.put("listener.name.internal.ssl.key.password", "k");
    assertThat(one("listener.name.internal.ssl.key.password").value().type())
        .isEqualTo(ConfigType.PASSWORD);
  }

  @Test
  void theClusterDefaultResourceListsOnlyTheDynamicDefaults() {
    statics.put("num.io.threads", "4");
    perBroker.put("follower.replication.throttled.rate", "5");
    clusterDefault.put("leader.replication.throttled.rate", "1000");
    List<Entry> entries = describer.describe(null, true);
    assertThat(entries).hasSize(1);
    Entry e = entries.get(0);
    assertThat(e.value())
        .isEqualTo(
            new ConfigEntry(
                "leader.replication.throttled.rate",
                "1000",
                ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG,
                ConfigType.LONG));
    assertThat(e.synonyms())
        .containsExactly(
            new ConfigEntry(
                "leader.replication.throttled.rate",
                "1000",
                ConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG));
  }
}
