package dev.ferry.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * acks=0 on a replicated partition: the leader appends and answers nothing, so the producer never
 * learns an offset; the records are still replicated and readable like any others.
 */
class AcksZeroTest {

  @TempDir Path dir;

  @Test
  void acksZeroRecordsAreAppendedAndReplicatedWithoutAnAnswer() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 3, Map.of())) {
      try (var admin = cluster.admin()) {
        admin.createTopics(List.of(new NewTopic("fire", 1, (short) 3))).all().get();
      }
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      try (KafkaProducer<byte[], byte[]> producer =
          cluster.producer(
              Map.of(
                  ProducerConfig.ACKS_CONFIG,
                  "0",
                  ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                  false))) {
        for (int i = 0; i < 100; i++) {
          sent.add(
              producer.send(
                  new ProducerRecord<>(
                      "fire", 0, null, ("z-" + i).getBytes(StandardCharsets.UTF_8))));
        }
        producer.flush();
      }
      for (Future<RecordMetadata> f : sent) {
        // Completed once written to the socket; with no response there is no offset to report.
        assertThat(f.get().hasOffset()).isFalse();
      }
      int leader = cluster.state("fire", 0).leader();
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  cluster.runningIds().stream()
                      .allMatch(id -> cluster.partition(id, "fire", 0).highWatermark() == 100));
      List<String> read = new ArrayList<>();
      try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(Map.of())) {
        consumer.assign(List.of(new TopicPartition("fire", 0)));
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (read.size() < 100 && System.nanoTime() < deadline) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            assertThat(r.offset()).isEqualTo(read.size());
            read.add(new String(r.value(), StandardCharsets.UTF_8));
          }
        }
      }
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        expected.add("z-" + i);
      }
      assertThat(read).containsExactlyElementsOf(expected);
      byte[] reference = TestCluster.logBytes(cluster.partition(leader, "fire", 0), 100);
      for (int id : cluster.runningIds()) {
        assertThat(TestCluster.logBytes(cluster.partition(id, "fire", 0), 100))
            .as("replica on broker %d", id)
            .isEqualTo(reference);
      }
    }
  }
}
