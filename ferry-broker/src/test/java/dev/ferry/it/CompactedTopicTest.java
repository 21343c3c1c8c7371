package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.storage.PartitionLog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Compacted topics through the real clients: a consumer reading from the start sees only the latest
 * value of each key (at the offset its producer was told) and deletes as tombstones; records
 * without a key are refused; the group coordinator's offsets topic stays small however often a
 * group commits, and its state survives the compaction.
 */
class CompactedTopicTest {

  private static final String TOPIC = "profiles";

  @TempDir Path dir;

  private static Map<String, String> fastCleaner() {
    return Map.of("log.cleaner.backoff.ms", "100", "log.segment.delete.delay.ms", "0");
  }

  @Test
  void aConsumerFromTheStartSeesTheLatestValueOfEachKey() throws Exception {
    try (TestBroker broker = TestBroker.start(dir, fastCleaner())) {
      try (Admin admin = broker.admin()) {
        admin
            .createTopics(
                List.of(
                    new NewTopic(TOPIC, 1, (short) 1)
                        .configs(
                            Map.of(
                                "cleanup.policy", "compact",
                                "segment.bytes", "4096",
                                "min.cleanable.dirty.ratio", "0.01"))))
            .all()
            .get();
      }
      Map<String, String> latestValue = new LinkedHashMap<>();
      Map<String, Long> latestOffset = new HashMap<>();
      try (KafkaProducer<byte[], byte[]> producer =
          broker.producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 0))) {
        for (int round = 0; round < 30; round++) {
          for (int k = 0; k < 20; k++) {
            String key = "key-" + k;
            String value = "round-" + round + "-" + "x".repeat(40);
            RecordMetadata md = send(producer, key, value);
            latestValue.put(key, value);
            latestOffset.put(key, md.offset());
          }
        }
        latestOffset.put("key-0", send(producer, "key-0", null).offset());
        latestValue.put("key-0", null);
        // Enough of another key that every record above leaves the active segment.
        for (int i = 0; i < 100; i++) {
          send(producer, "filler", "f-" + i + "-" + "y".repeat(40));
        }
      }
      long produced = 30 * 20 + 1 + 100;

      await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(500))
          .untilAsserted(
              () -> {
                List<ConsumerRecord<byte[], byte[]>> all = readAll(broker);
                Map<String, List<ConsumerRecord<byte[], byte[]>>> byKey = new HashMap<>();
                for (ConsumerRecord<byte[], byte[]> r : all) {
                  byKey.computeIfAbsent(Records.str(r.key()), x -> new ArrayList<>()).add(r);
                }
                for (Map.Entry<String, String> e : latestValue.entrySet()) {
                  List<ConsumerRecord<byte[], byte[]>> records = byKey.get(e.getKey());
                  assertThat(records).as(e.getKey()).hasSize(1);
                  assertThat(Records.str(records.get(0).value())).isEqualTo(e.getValue());
                  assertThat(records.get(0).offset()).isEqualTo(latestOffset.get(e.getKey()));
                }
                assertThat(all.size()).isLessThan((int) produced / 3);
              });
    }
  }

  @Test
  void aRecordWithoutAKeyIsRefused() throws Exception {
    try (TestBroker broker = TestBroker.start(dir)) {
      try (Admin admin = broker.admin()) {
        admin
            .createTopics(
                List.of(
                    new NewTopic(TOPIC, 1, (short) 1).configs(Map.of("cleanup.policy", "compact"))))
            .all()
            .get();
      }
      try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of())) {
        ExecutionException e =
            org.junit.jupiter.api.Assertions.assertThrows(
                ExecutionException.class,
                () -> producer.send(new ProducerRecord<>(TOPIC, null, Records.utf8("v"))).get());
        assertThat(e.getCause()).isInstanceOf(InvalidRecordException.class);
        assertThat(send(producer, "k", "v").offset()).isZero();
      }
    }
  }

  @Test
  void theOffsetsTopicStaysSmallAndKeepsTheLatestCommit() throws Exception {
    Map<String, String> overrides = new HashMap<>(fastCleaner());
    overrides.put("offsets.topic.num.partitions", "1");
    overrides.put("offsets.topic.segment.bytes", "4096");
    try (TestBroker broker = TestBroker.start(dir, overrides)) {
      TopicPartition tp = new TopicPartition("orders", 0);
      try (Admin admin = broker.admin()) {
        admin.createTopics(List.of(new NewTopic("orders", 1, (short) 1))).all().get();
      }
      try (KafkaConsumer<byte[], byte[]> consumer =
          broker.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "billing"))) {
        consumer.assign(List.of(tp));
        for (int i = 1; i <= 1_000; i++) {
          consumer.commitSync(Map.of(tp, new OffsetAndMetadata(i)));
        }
      }
      PartitionLog offsetsLog =
          broker
              .broker()
              .replicaManager()
              .partition(new TopicPartition("__consumer_offsets", 0))
              .log();
      // 1,000 commits are tens of KB; compacted, a few segments' worth.
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> offsetsLog.sizeInBytes() < 4 * 4096 && offsetsLog.logEndOffset() >= 1_000);

      broker.restart(); // the coordinator reloads the group from the compacted log
      try (KafkaConsumer<byte[], byte[]> consumer =
          broker.consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, "billing"))) {
        assertThat(consumer.committed(Set.of(tp), Duration.ofSeconds(30)).get(tp).offset())
            .isEqualTo(1_000);
      }
    }
  }

  private static RecordMetadata send(
      KafkaProducer<byte[], byte[]> producer, String key, String value) throws Exception {
    return producer
        .send(
            new ProducerRecord<>(
                TOPIC, Records.utf8(key), value == null ? null : Records.utf8(value)))
        .get();
  }

  /** The whole partition from the start, up to its end offset. */
  private static List<ConsumerRecord<byte[], byte[]>> readAll(TestBroker broker) {
    TopicPartition tp = new TopicPartition(TOPIC, 0);
    try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of())) {
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (consumer.position(tp) < end && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(got::add);
      }
      return got;
    }
  }
}
