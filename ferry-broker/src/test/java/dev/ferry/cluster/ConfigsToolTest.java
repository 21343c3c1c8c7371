package dev.ferry.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.quota.ClientQuotas;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's {@code kafka-configs.sh} (ConfigCommand) against a Ferry broker: client and user quotas
 * (clients, users, defaults; stored in ZooKeeper and resolved by the broker), and broker configs
 * (describe --all with sources, a dynamic change applied at once, a static one refused by name);
 * and {@code kafka-features.sh describe} (FeatureCommand).
 */
class ConfigsToolTest {

  @TempDir Path dir;

  @Test
  void clientAndUserQuotas() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 1, Map.of());
        Admin admin = cluster.admin()) {
      assertThat(
              KafkaTool.configs(
                  admin,
                  "--alter",
                  "--entity-type",
                  "clients",
                  "--entity-name",
                  "app",
                  "--add-config",
                  "producer_byte_rate=1048576,consumer_byte_rate=2097152"))
          .contains("Completed updating config for client app.");
      assertThat(
              KafkaTool.configs(
                  admin, "--describe", "--entity-type", "clients", "--entity-name", "app"))
          .contains(
              "Quota configs for client-id 'app' are consumer_byte_rate=2097152.0,"
                  + " producer_byte_rate=1048576.0");
      KafkaTool.configs(
          admin,
          "--alter",
          "--entity-type",
          "users",
          "--entity-name",
          "alice",
          "--entity-type",
          "clients",
          "--entity-default",
          "--add-config",
          "request_percentage=50");
      KafkaTool.configs(
          admin,
          "--alter",
          "--entity-type",
          "users",
          "--entity-default",
          "--add-config",
          "producer_byte_rate=500000");
      String users =
          KafkaTool.configs(admin, "--describe", "--entity-type", "users", "--entity-default");
      assertThat(users)
          .contains("Quota configs for the default user-principal are producer_byte_rate=500000.0");
      String aliceClients =
          KafkaTool.configs(
              admin,
              "--describe",
              "--entity-type",
              "users",
              "--entity-name",
              "alice",
              "--entity-type",
              "clients",
              "--entity-default");
      assertThat(aliceClients)
          .contains(
              "Quota configs for user-principal 'alice', the default client-id are"
                  + " request_percentage=50.0");

      // The broker resolves them as Kafka does: most specific entity first.
      var configs = cluster.broker(0).clientQuotas().configs();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> configs.resolve("alice", "x", ClientQuotas.REQUEST_PERCENTAGE) != null);
      assertThat(configs.resolve("bob", "app", ClientQuotas.PRODUCER_BYTE_RATE).limit())
          .isEqualTo(500000.0); // default user wins over the client-id
      assertThat(configs.resolve("alice", "x", ClientQuotas.REQUEST_PERCENTAGE).limit())
          .isEqualTo(50.0);
      assertThat(configs.resolve("alice", "app", ClientQuotas.CONSUMER_BYTE_RATE).limit())
          .isEqualTo(2097152.0);

      KafkaTool.configs(
          admin,
          "--alter",
          "--entity-type",
          "clients",
          "--entity-name",
          "app",
          "--delete-config",
          "producer_byte_rate");
      assertThat(
              KafkaTool.configs(
                  admin, "--describe", "--entity-type", "clients", "--entity-name", "app"))
          .contains("Quota configs for client-id 'app' are consumer_byte_rate=2097152.0")
          .doesNotContain("producer_byte_rate");
    }
  }

  @Test
  void brokerConfigsDescribeAllAndDynamicChanges() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 1, Map.of());
        Admin admin = cluster.admin()) {
      String all =
          KafkaTool.configs(
              admin, "--describe", "--all", "--entity-type", "brokers", "--entity-name", "0");
      assertThat(all)
          .contains("All configs for broker 0 are:")
          .contains("num.partitions=1 sensitive=false synonyms={DEFAULT_CONFIG:num.partitions=1}")
          .contains(
              "replica.lag.time.max.ms=3000 sensitive=false"
                  + " synonyms={STATIC_BROKER_CONFIG:replica.lag.time.max.ms=3000,"
                  + " DEFAULT_CONFIG:replica.lag.time.max.ms=30000}");
      // Every Kafka 4.4 broker config is listed, as Kafka lists them (353 for a default broker).
      assertThat(all.lines().count()).isGreaterThan(350);
      assertThat(all)
          .contains(
              "max.incremental.fetch.session.cache.slots=1000 sensitive=false"
                  + " synonyms={DEFAULT_CONFIG:max.incremental.fetch.session.cache.slots=1000}")
          .contains(
              "log.retention.hours=168 sensitive=false"
                  + " synonyms={DEFAULT_CONFIG:log.retention.hours=168}")
          .contains("log.retention.ms=null sensitive=false synonyms={}")
          .contains("ssl.keystore.password=null sensitive=true synonyms={}");

      assertThat(
              KafkaTool.configs(
                  admin,
                  "--alter",
                  "--entity-type",
                  "brokers",
                  "--entity-name",
                  "0",
                  "--add-config",
                  "leader.replication.throttled.rate=1000"))
          .contains("Completed updating config for broker 0.");
      KafkaTool.configs(
          admin,
          "--alter",
          "--entity-type",
          "brokers",
          "--entity-default",
          "--add-config",
          "follower.replication.throttled.rate=2000");
      var throttles = cluster.broker(0).replicationThrottles();
      await().atMost(Duration.ofSeconds(10)).until(() -> throttles.leaderQuota().bound() == 1000);
      await().atMost(Duration.ofSeconds(10)).until(() -> throttles.followerQuota().bound() == 2000);
      assertThat(
              KafkaTool.configs(
                  admin, "--describe", "--entity-type", "brokers", "--entity-name", "0"))
          .contains(
              "leader.replication.throttled.rate=1000 sensitive=false"
                  + " synonyms={DYNAMIC_BROKER_CONFIG:leader.replication.throttled.rate=1000,"
                  + " DEFAULT_CONFIG:leader.replication.throttled.rate=9223372036854775807}");
      assertThat(
              KafkaTool.configs(
                  admin, "--describe", "--entity-type", "brokers", "--entity-default"))
          .contains("follower.replication.throttled.rate=2000");

      assertThatThrownBy(
              () ->
                  KafkaTool.configs(
                      admin,
                      "--alter",
                      "--entity-type",
                      "brokers",
                      "--entity-name",
                      "0",
                      "--add-config",
                      "num.io.threads=4"))
          .hasStackTraceContaining("Cannot update these configs dynamically: [num.io.threads]")
          .hasStackTraceContaining("num.io.threads is dynamic in Kafka but Ferry reads it only");

      KafkaTool.configs(
          admin,
          "--alter",
          "--entity-type",
          "brokers",
          "--entity-name",
          "0",
          "--delete-config",
          "leader.replication.throttled.rate");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> throttles.leaderQuota().bound() == Long.MAX_VALUE);
    }
  }

  @Test
  void featuresToolDescribesTheFinalizedFeatures() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 1, Map.of())) {
      String out =
          KafkaTool.main(
              "org.apache.kafka.tools.FeatureCommand",
              "--bootstrap-server",
              cluster.bootstrap(),
              "describe");
      assertThat(out)
          .containsPattern(
              "Feature: group.version\\s+SupportedMinVersion: 0\\s+SupportedMaxVersion: 1\\s+"
                  + "FinalizedVersionLevel: 1\\s+Epoch: 1")
          .containsPattern(
              "Feature: metadata.version\\s+SupportedMinVersion: 3.3-IV3\\s+"
                  + "SupportedMaxVersion: 4.4-IV2\\s+FinalizedVersionLevel: 4.4-IV2\\s+Epoch: 1")
          .containsPattern(
              "Feature: transaction.version\\s+SupportedMinVersion: 0\\s+SupportedMaxVersion: 2\\s+"
                  + "FinalizedVersionLevel: 2\\s+Epoch: 1")
          .containsPattern(
              "Feature: share.version\\s+SupportedMinVersion: 0\\s+SupportedMaxVersion: 2\\s+"
                  + "FinalizedVersionLevel: 2\\s+Epoch: 1");
    }
  }
}
