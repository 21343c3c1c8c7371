package dev.ferry.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.broker.FerryBroker;
import dev.ferry.security.CountingSslEngineFactory;
import dev.ferry.security.DenialMatrixTest;
import dev.ferry.security.SecureClusterConfig;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.security.auth.KafkaPrincipal;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three brokers whose only listener is SASL_SSL: followers replicate through it (TLS, SASL PLAIN as
 * the broker's super user) with the engines of the listener's {@code ssl.engine.factory.class}, and
 * an ACL created through one broker is enforced by all three within a second.
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
    // A custom engine factory: the followers' fetches must go through it too, as in Kafka.
    settings.put("ssl.engine.factory.class", CountingSslEngineFactory.class.getName());
    CountingSslEngineFactory.reset();
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
      // Two followers fetching from the leader: at least one client engine each, all made by the
      // configured factory (the test's Kafka clients make their own).
      assertThat(CountingSslEngineFactory.clientEngines()).isGreaterThanOrEqualTo(2);
      assertThat(CountingSslEngineFactory.serverEngines())
          .isGreaterThanOrEqualTo(CountingSslEngineFactory.clientEngines());

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

  /**
   * A transaction across brokers whose only listener is SASL_SSL: the coordinator's WriteTxnMarkers
   * and the partition leaders' AddPartitionsToTxn verification go broker to broker over TLS with
   * SASL (the inter-broker listener's protocol); the committed records and offsets are visible, the
   * aborted ones are not.
   */
  @Test
  void transactionAcrossBrokersCommitsOverSaslSsl() throws Exception {
    Map<String, String> settings = new HashMap<>(SecureClusterConfig.brokerSettings());
    settings.put("listeners", "SASL_SSL://127.0.0.1:0");
    settings.put("inter.broker.listener.name", "SASL_SSL");
    settings.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
    settings.put(
        "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    settings.put("super.users", "User:admin");
    try (TestCluster cluster = TestCluster.start(dir, 3, settings)) {
      Properties admin =
          SecureClusterConfig.client(cluster.bootstrap(), "SASL_SSL", "PLAIN", "admin");
      Set<Integer> leaders = new HashSet<>();
      try (Admin a = Admin.create(admin)) {
        a.createTopics(List.of(new NewTopic("payments", 3, (short) 3)))
            .all()
            .get(30, TimeUnit.SECONDS);
        Awaitility.await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    a
                        .describeTopics(List.of("payments"))
                        .allTopicNames()
                        .get(10, TimeUnit.SECONDS)
                        .get("payments")
                        .partitions()
                        .stream()
                        .allMatch(p -> p.leader() != null && p.isr().size() == 3));
        a.describeTopics(List.of("payments"))
            .allTopicNames()
            .get(10, TimeUnit.SECONDS)
            .get("payments")
            .partitions()
            .forEach(p -> leaders.add(p.leader().id()));
      }
      // Partitions led by at least two brokers: whichever coordinates, markers cross brokers.
      assertThat(leaders).hasSizeGreaterThan(1);

      Properties producerProps =
          SecureClusterConfig.client(cluster.bootstrap(), "SASL_SSL", "PLAIN", "admin");
      producerProps.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "payments-tx");
      producerProps.put(
          ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
      producerProps.put(
          ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
      producerProps.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "30000");
      List<String> committed = new ArrayList<>();
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps)) {
        producer.initTransactions();
        producer.beginTransaction();
        for (int p = 0; p < 3; p++) {
          producer.send(new ProducerRecord<>("payments", p, "k", "aborted-" + p));
        }
        producer.flush();
        producer.abortTransaction();
        producer.beginTransaction();
        for (int i = 0; i < 30; i++) {
          String value = "committed-" + i;
          producer.send(new ProducerRecord<>("payments", i % 3, "k" + i, value));
          committed.add(value);
        }
        producer.sendOffsetsToTransaction(
            Map.of(
                new org.apache.kafka.common.TopicPartition("payments", 0),
                new org.apache.kafka.clients.consumer.OffsetAndMetadata(7)),
            new org.apache.kafka.clients.consumer.ConsumerGroupMetadata("billing"));
        producer.commitTransaction();
      }

      Properties consumerProps =
          SecureClusterConfig.client(cluster.bootstrap(), "SASL_SSL", "PLAIN", "admin");
      consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
      consumerProps.put(
          ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
      consumerProps.put(
          ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
      List<String> read = new ArrayList<>();
      try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(consumerProps)) {
        List<org.apache.kafka.common.TopicPartition> tps = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
          tps.add(new org.apache.kafka.common.TopicPartition("payments", p));
        }
        consumer.assign(tps);
        consumer.seekToBeginning(tps);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (read.size() < committed.size() && System.nanoTime() < deadline) {
          for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
            read.add(r.value());
          }
        }
      }
      assertThat(read).containsExactlyInAnyOrderElementsOf(committed);
      try (Admin a = Admin.create(admin)) {
        assertThat(
                a.listConsumerGroupOffsets("billing")
                    .partitionsToOffsetAndMetadata()
                    .get(10, TimeUnit.SECONDS)
                    .get(new org.apache.kafka.common.TopicPartition("payments", 0))
                    .offset())
            .isEqualTo(7);
      }
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
