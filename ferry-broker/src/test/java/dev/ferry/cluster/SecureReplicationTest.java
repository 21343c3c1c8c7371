package dev.ferry.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.broker.FerryBroker;
import dev.ferry.security.DenialMatrixTest;
import dev.ferry.security.SecureClusterConfig;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three brokers whose only listener is SASL_SSL: followers replicate through it (TLS, SASL PLAIN as
 * the broker's super user), and an ACL created through one broker is enforced by all three within a
 * second.
 */
class SecureReplicationTest {

  @TempDir Path dir;

  @Test
  void replicatesOverSaslSslAndAclsReachEveryBrokerWithinASecond() throws Exception {
    Map<String, String> settings = new HashMap<>(SecureClusterConfig.brokerSettings());
    settings.put("listeners", "SASL_SSL://127.0.0.1:0");
    settings.put("inter.broker.listener.name", "SASL_SSL");
    settings.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
    settings.put("authorizer.class.name", "kafka.security.authorizer.AclAuthorizer");
    settings.put("super.users", "User:admin");
    try (TestCluster cluster = TestCluster.start(dir, 3, settings)) {
      Properties admin =
          SecureClusterConfig.client(
              cluster.broker(0).bootstrapServers(), "SASL_SSL", "PLAIN", "admin");
      try (Admin a = Admin.create(admin)) {
        a.createTopics(List.of(new NewTopic("orders", 1, (short) 3)))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
      cluster.awaitFullIsr("orders", 0, 3);

      Properties producerProps =
          SecureClusterConfig.client(cluster.bootstrap(), "SASL_SSL", "PLAIN", "admin");
      producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
      producerProps.put(
          ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
      producerProps.put(
          ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
      long last = -1;
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps)) {
        for (int i = 0; i < 100; i++) {
          RecordMetadata md =
              producer
                  .send(new ProducerRecord<>("orders", "k" + i, "v" + i))
                  .get(30, TimeUnit.SECONDS);
          last = md.offset();
        }
      }
      assertThat(last).isEqualTo(99);
      long end = last + 1;
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  cluster.runningIds().stream()
                      .allMatch(
                          id ->
                              cluster.partition(id, "orders", 0) != null
                                  && cluster.partition(id, "orders", 0).logEndOffset() == end));
      byte[] leaderLog = TestCluster.logBytes(cluster.partition(0, "orders", 0), end);
      for (int id : cluster.runningIds()) {
        assertThat(TestCluster.logBytes(cluster.partition(id, "orders", 0), end))
            .isEqualTo(leaderLog);
      }

      KafkaPrincipal alice = new KafkaPrincipal(KafkaPrincipal.USER_TYPE, "alice");
      InetAddress loopback = InetAddress.getLoopbackAddress();
      for (int id : cluster.runningIds()) {
        assertThat(authorizes(cluster.broker(id), alice, loopback)).isFalse();
      }
      try (Admin a = Admin.create(admin)) {
        a.createAcls(
                List.of(
                    DenialMatrixTest.acl(
                        ResourceType.TOPIC, "orders", "User:alice", AclOperation.READ)))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
      long created = System.nanoTime();
      Awaitility.await()
          .atMost(Duration.ofSeconds(1))
          .pollInterval(Duration.ofMillis(10))
          .until(
              () ->
                  cluster.runningIds().stream()
                      .allMatch(id -> authorizes(cluster.broker(id), alice, loopback)));
      assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - created)).isLessThan(1_000);
      assertThat(
              DenialMatrixTest.fetch(
                  SecureClusterConfig.client(cluster.bootstrap(), "SASL_SSL", "PLAIN", "alice"),
                  "orders"))
          .startsWith("v0", "v1", "v2");
    }
  }

  private static boolean authorizes(
      FerryBroker broker, KafkaPrincipal principal, InetAddress host) {
    return broker
        .security()
        .authorizer()
        .authorize(principal, host, AclOperation.READ, ResourceType.TOPIC, "orders");
  }
}
