package dev.ferry.it;

import static dev.ferry.it.Records.str;
import static dev.ferry.it.Records.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Records go in through the real KafkaProducer (default config: idempotent, acks=all) and come back
 * through the real KafkaConsumer byte for byte, with their keys, headers, timestamps and contiguous
 * offsets.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ProduceConsumeRoundTripTest {

  @TempDir static Path dir;
  private TestBroker broker;

  @BeforeAll
  void startBroker() {
    broker = TestBroker.start(dir);
  }

  @AfterAll
  void stopBroker() {
    broker.close();
  }

  @Test
  void hundredThousandRecordsRoundTripExactly() throws Exception {
    roundTrip("round-trip-none", "none", 100_000, 3);
  }

  @ParameterizedTest
  @ValueSource(strings = {"gzip", "snappy", "lz4", "zstd"})
  void compressedBatchesRoundTripExactly(String compression) throws Exception {
    roundTrip("round-trip-" + compression, compression, 20_000, 2);
  }

  @Test
  void a900KilobyteRecordRoundTrips() throws Exception {
    String topic = "big-record";
    createTopic(topic, 1);
    byte[] value = new byte[900 * 1024];
    new Random(42).nextBytes(value);
    try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of())) {
      RecordMetadata md = producer.send(new ProducerRecord<>(topic, 0, utf8("big"), value)).get();
      assertThat(md.offset()).isZero();
    }
    try (KafkaConsumer<byte[], byte[]> consumer =
        broker.consumer(Map.of(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 2 * 1024 * 1024))) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      List<ConsumerRecord<byte[], byte[]>> got =
          Records.pollUntil(consumer, 1, Duration.ofSeconds(30));
      assertThat(got).hasSize(1);
      assertThat(str(got.get(0).key())).isEqualTo("big");
      assertThat(Arrays.equals(got.get(0).value(), value)).isTrue();
    }
  }

  private void createTopic(String topic, int partitions) throws Exception {
    try (Admin admin = broker.admin()) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
    }
  }

  private void roundTrip(String topic, String compression, int count, int partitions)
      throws Exception {
    createTopic(topic, partitions);
    long baseTs = 1_700_000_000_000L;
    Map<Integer, Long> expectedNextOffset = new HashMap<>();
    try (KafkaProducer<byte[], byte[]> producer =
        broker.producer(Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression))) {
      List<Future<RecordMetadata>> acks = new ArrayList<>(count);
      for (int i = 0; i < count; i++) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("seq", utf8(Integer.toString(i)));
        acks.add(
            producer.send(
                new ProducerRecord<>(
                    topic, i % partitions, baseTs + i, utf8("k" + i), value(i), headers)));
      }
      producer.flush();
      for (int i = 0; i < count; i++) {
        RecordMetadata md = acks.get(i).get();
        int p = i % partitions;
        long expected = expectedNextOffset.merge(p, 1L, Long::sum) - 1;
        assertThat(md.partition()).isEqualTo(p);
        assertThat(md.offset()).as("ack offset of record %d", i).isEqualTo(expected);
      }
    }

    List<TopicPartition> tps = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      tps.add(new TopicPartition(topic, p));
    }
    try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of())) {
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      List<ConsumerRecord<byte[], byte[]>> got =
          Records.pollUntil(consumer, count, Duration.ofSeconds(120));
      assertThat(got).hasSize(count);
      Map<Integer, Long> nextOffset = new HashMap<>();
      Map<Integer, Integer> nextIndex = new HashMap<>();
      for (ConsumerRecord<byte[], byte[]> r : got) {
        int p = r.partition();
        long offset = nextOffset.getOrDefault(p, 0L);
        int i = nextIndex.getOrDefault(p, p);
        assertThat(r.offset()).as("offset in partition %d", p).isEqualTo(offset);
        assertThat(str(r.key())).isEqualTo("k" + i);
        assertThat(r.value()).isEqualTo(value(i));
        assertThat(r.timestamp()).isEqualTo(baseTs + i);
        assertThat(str(r.headers().lastHeader("seq").value())).isEqualTo(Integer.toString(i));
        nextOffset.put(p, offset + 1);
        nextIndex.put(p, i + partitions);
      }
    }
  }

  /** Distinct, mildly compressible payloads of varying length. */
  private static byte[] value(int i) {
    return utf8("value-" + i + "-" + "x".repeat(i % 97));
  }
}
