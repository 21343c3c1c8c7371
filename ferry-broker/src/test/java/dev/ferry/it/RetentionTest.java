package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** Retention deletes whole old segments and moves the log start offset. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RetentionTest {

  @TempDir static Path dir;
  private TestBroker broker;
  private Admin admin;

  @BeforeAll
  void start() {
    broker = TestBroker.start(dir, Map.of("log.retention.check.interval.ms", "200"));
    admin = broker.admin();
  }

  @AfterAll
  void stop() {
    admin.close();
    broker.close();
  }

  @Test
  void timeRetentionDeletesOldSegments() throws Exception {
    TopicPartition tp = create("by-time", Map.of("segment.bytes", "1024"));
    produce(tp, 0, 60, 1_000L);
    // Records stamped long ago are past any retention.ms; switch retention on now.
    admin
        .incrementalAlterConfigs(
            Map.of(
                new org.apache.kafka.common.config.ConfigResource(
                    org.apache.kafka.common.config.ConfigResource.Type.TOPIC, tp.topic()),
                List.of(
                    new org.apache.kafka.clients.admin.AlterConfigOp(
                        new org.apache.kafka.clients.admin.ConfigEntry("retention.ms", "60000"),
                        org.apache.kafka.clients.admin.AlterConfigOp.OpType.SET))))
        .all()
        .get();
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> earliest(tp) > 0);
    long start = earliest(tp);
    assertThat(start).isLessThanOrEqualTo(60);

    try (KafkaConsumer<byte[], byte[]> consumer =
        broker.consumer(Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none"))) {
      consumer.assign(List.of(tp));
      consumer.seek(tp, 0);
      assertThatThrownBy(() -> Records.pollUntil(consumer, 1, Duration.ofSeconds(10)))
          .isInstanceOf(OffsetOutOfRangeException.class);
    }
  }

  @Test
  void sizeRetentionKeepsNewestBytes() throws Exception {
    TopicPartition tp =
        create("by-size", Map.of("segment.bytes", "1024", "retention.bytes", "2048"));
    long now = System.currentTimeMillis();
    produce(tp, 0, 200, now);
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> earliest(tp) > 100);
    long start = earliest(tp);
    try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of())) {
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      List<ConsumerRecord<byte[], byte[]>> got = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while ((got.isEmpty() || got.get(got.size() - 1).offset() < 199)
          && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(got::add);
      }
      // Retention may delete another segment between reading the log start and the first fetch:
      // the read starts at or after `start` and runs without a gap to the newest record.
      long first = got.get(0).offset();
      assertThat(first).isGreaterThanOrEqualTo(start);
      assertThat(got)
          .extracting(ConsumerRecord::offset)
          .containsExactlyElementsOf(LongStream.range(first, 200).boxed().toList());
      assertThat(Records.str(got.get(got.size() - 1).value())).isEqualTo("value-199");
    }
  }

  private TopicPartition create(String topic, Map<String, String> configs) throws Exception {
    admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1).configs(configs))).all().get();
    return new TopicPartition(topic, 0);
  }

  private void produce(TopicPartition tp, int from, int to, long timestamp) throws Exception {
    try (KafkaProducer<byte[], byte[]> p = broker.producer(Map.of())) {
      for (int i = from; i < to; i++) {
        p.send(
                new ProducerRecord<>(
                    tp.topic(), tp.partition(), timestamp, null, Records.utf8("value-" + i)))
            .get();
      }
    }
  }

  private long earliest(TopicPartition tp) throws Exception {
    return admin.listOffsets(Map.of(tp, OffsetSpec.earliest())).all().get().get(tp).offset();
  }
}
