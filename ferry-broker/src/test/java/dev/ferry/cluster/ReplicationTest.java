package dev.ferry.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.metadata.PartitionState;
import dev.ferry.replication.Partition;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three in-JVM brokers on one ZooKeeper: replication to followers, the high watermark, leader
 * failover on a clean stop, rejoin and preferred-leader election, and min.insync.replicas.
 */
class ReplicationTest {

  @TempDir Path dir;

  private static ProducerRecord<byte[], byte[]> record(String topic, int partition, String value) {
    return new ProducerRecord<>(topic, partition, null, value.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void replicatesToEveryFollowerAndFailsOverWithoutLosingAcknowledgedRecords() throws Exception {
    try (TestCluster cluster =
        TestCluster.start(dir, 3, Map.of("leader.imbalance.check.interval.seconds", "1"))) {
      try (Admin admin = cluster.admin()) {
        admin
            .createTopics(
                List.of(
                    new NewTopic("orders", 1, (short) 3)
                        .configs(Map.of("min.insync.replicas", "2"))))
            .all()
            .get();
      }
      List<String> acked = new ArrayList<>();
      try (KafkaProducer<byte[], byte[]> producer =
          cluster.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
        for (int i = 0; i < 200; i++) {
          producer.send(record("orders", 0, "a-" + i)).get();
          acked.add("a-" + i);
        }
        PartitionState before = cluster.state("orders", 0);
        int oldLeader = before.leader();
        assertThat(before.isr()).containsExactlyInAnyOrder(0, 1, 2);

        // Every replica holds the same bytes up to the high watermark.
        Partition leader = cluster.partition(oldLeader, "orders", 0);
        assertThat(leader.highWatermark()).isEqualTo(200);
        Awaitility.await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    cluster.runningIds().stream()
                        .allMatch(id -> cluster.partition(id, "orders", 0).highWatermark() == 200));
        byte[] reference = TestCluster.logBytes(leader, 200);
        for (int id : cluster.runningIds()) {
          assertThat(TestCluster.logBytes(cluster.partition(id, "orders", 0), 200))
              .as("replica on broker %d", id)
              .isEqualTo(reference);
        }

        // A clean stop hands leadership to an in-sync follower at a higher epoch.
        long t0 = System.nanoTime();
        cluster.stopBroker(oldLeader);
        PartitionState after = cluster.state("orders", 0);
        assertThat(after.leader()).isNotEqualTo(oldLeader).isNotEqualTo(-1);
        assertThat(after.leaderEpoch()).isGreaterThan(before.leaderEpoch());
        assertThat(after.isr()).doesNotContain(oldLeader);
        for (int i = 0; i < 100; i++) {
          RecordMetadata md = producer.send(record("orders", 0, "b-" + i)).get();
          if (i == 0) {
            System.out.printf(
                "clean failover: first acks=all produce after %d ms%n",
                (System.nanoTime() - t0) / 1_000_000);
          }
          assertThat(md.offset()).isEqualTo(200 + i);
          acked.add("b-" + i);
        }

        // The old leader comes back as a follower, catches up, rejoins the ISR and, being the
        // preferred replica, gets its leadership back.
        cluster.startBroker(oldLeader);
        cluster.awaitFullIsr("orders", 0, 3);
        if (oldLeader == 0) {
          Awaitility.await()
              .atMost(Duration.ofSeconds(20))
              .until(() -> cluster.state("orders", 0).leader() == 0);
        }
        producer.send(record("orders", 0, "c-0")).get();
        acked.add("c-0");
      }

      List<String> read = new ArrayList<>();
      try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(Map.of())) {
        consumer.assign(List.of(new TopicPartition("orders", 0)));
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (read.size() < acked.size() && System.nanoTime() < deadline) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            read.add(new String(r.value(), StandardCharsets.UTF_8));
          }
        }
      }
      assertThat(read).containsExactlyElementsOf(acked);
      long end = acked.size();
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  cluster.runningIds().stream()
                      .allMatch(id -> cluster.partition(id, "orders", 0).highWatermark() == end));
      byte[] reference = TestCluster.logBytes(cluster.partition(0, "orders", 0), end);
      for (int id : cluster.runningIds()) {
        assertThat(TestCluster.logBytes(cluster.partition(id, "orders", 0), end))
            .isEqualTo(reference);
      }
    }
  }

  @Test
  void acksAllNeedsMinInsyncReplicasWhileAcksOneStillWorks() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 3, Map.of())) {
      try (Admin admin = cluster.admin()) {
        admin
            .createTopics(
                List.of(
                    new NewTopic("strict", 1, (short) 3)
                        .configs(Map.of("min.insync.replicas", "2"))))
            .all()
            .get();
      }
      int leader = cluster.state("strict", 0).leader();
      for (int id : List.of(0, 1, 2)) {
        if (id != leader) {
          cluster.stopBroker(id);
        }
      }
      assertThat(cluster.state("strict", 0).isr()).containsExactly(leader);
      // The leader adopts the controller's ISR through its metadata watch.
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> cluster.partition(leader, "strict", 0).isr().size() == 1);
      try (KafkaProducer<byte[], byte[]> all =
              cluster.producer(
                  Map.of(
                      ProducerConfig.ACKS_CONFIG,
                      "all",
                      // Without retries the broker's error reaches the caller as is.
                      ProducerConfig.RETRIES_CONFIG,
                      0,
                      ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                      false));
          KafkaProducer<byte[], byte[]> one =
              cluster.producer(
                  Map.of(
                      ProducerConfig.ACKS_CONFIG,
                      "1",
                      ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                      false))) {
        assertThatThrownBy(() -> all.send(record("strict", 0, "x")).get())
            .isInstanceOf(ExecutionException.class)
            .hasCauseInstanceOf(NotEnoughReplicasException.class);
        RecordMetadata md = one.send(record("strict", 0, "y")).get();
        assertThat(md.offset()).isEqualTo(0);
      }
      // Nothing from the refused acks=all produce was appended.
      assertThat(cluster.partition(leader, "strict", 0).log().logEndOffset()).isEqualTo(1);
    }
  }
}
