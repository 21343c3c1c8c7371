package dev.ferry.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A compacted topic with two replicas: each replica compacts on its own, and a replica that lost
 * its data copies the leader's compacted log — gaps between batches, emptied batches — then takes
 * over and serves the latest value of every key at the offsets the producer was told.
 */
class ReplicatedCompactionTest {

  private static final String TOPIC = "state";

  @TempDir Path dir;

  @Test
  void aReplicaRebuiltFromACompactedLeaderServesTheSameLatestValues() throws Exception {
    try (TestCluster cluster =
        TestCluster.start(
            dir, 2, Map.of("log.cleaner.backoff.ms", "100", "log.segment.delete.delay.ms", "0"))) {
      try (Admin admin = cluster.admin()) {
        admin
            .createTopics(
                List.of(
                    new NewTopic(TOPIC, Map.of(0, List.of(0, 1)))
                        .configs(
                            Map.of(
                                "cleanup.policy", "compact",
                                "segment.bytes", "4096",
                                "min.cleanable.dirty.ratio", "0.01"))))
            .all()
            .get();
      }
      cluster.awaitFullIsr(TOPIC, 0, 2);
      Map<String, String> latest = new HashMap<>();
      Map<String, Long> offsets = new HashMap<>();
      try (KafkaProducer<byte[], byte[]> producer =
          cluster.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
        for (int round = 0; round < 30; round++) {
          for (int k = 0; k < 20; k++) {
            String value = "r" + round + "-" + "x".repeat(40);
            offsets.put("k" + k, send(producer, "k" + k, value).offset());
            latest.put("k" + k, value);
          }
        }
        for (int i = 0; i < 100; i++) {
          send(producer, "filler", "f" + i + "-" + "y".repeat(40));
        }
      }
      // Both replicas compact on their own.
      await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () ->
                  cluster.partition(0, TOPIC, 0).log().sizeInBytes() < 12_000
                      && cluster.partition(1, TOPIC, 0).log().sizeInBytes() < 12_000);

      // Broker 1 loses its data and copies the leader's compacted log from offset 0.
      cluster.stopBroker(1);
      deleteRecursively(dir.resolve("broker-1"));
      cluster.startBroker(1);
      cluster.awaitFullIsr(TOPIC, 0, 2);
      long leaderEnd = cluster.partition(0, TOPIC, 0).log().logEndOffset();
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> cluster.partition(1, TOPIC, 0).log().logEndOffset() == leaderEnd);

      // It takes over and serves what the producer wrote last, where it was acknowledged.
      cluster.stopBroker(0);
      await().atMost(Duration.ofSeconds(30)).until(() -> cluster.state(TOPIC, 0).leader() == 1);
      Map<String, List<ConsumerRecord<byte[], byte[]>>> byKey = new HashMap<>();
      for (ConsumerRecord<byte[], byte[]> r : readAll(cluster)) {
        byKey.computeIfAbsent(str(r.key()), x -> new ArrayList<>()).add(r);
      }
      for (Map.Entry<String, String> e : latest.entrySet()) {
        assertThat(byKey.get(e.getKey())).as(e.getKey()).hasSize(1);
        assertThat(str(byKey.get(e.getKey()).get(0).value())).isEqualTo(e.getValue());
        assertThat(byKey.get(e.getKey()).get(0).offset()).isEqualTo(offsets.get(e.getKey()));
      }
    }
  }

  private static RecordMetadata send(KafkaProducer<byte[], byte[]> p, String key, String value)
      throws Exception {
    return p.send(
            new ProducerRecord<>(
                TOPIC,
                0,
                key.getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8)))
        .get();
  }

  private static String str(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  private static List<ConsumerRecord<byte[], byte[]>> readAll(TestCluster cluster) {
    TopicPartition tp = new TopicPartition(TOPIC, 0);
    try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(Map.of())) {
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp), Duration.ofSeconds(30)).get(tp);
      List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (consumer.position(tp, Duration.ofSeconds(30)) < end && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(got::add);
      }
      return got;
    }
  }

  private static void deleteRecursively(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
