package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ListOffsets: earliest, latest, max timestamp and lookups by timestamp. */
class ListOffsetsTest {

  @TempDir Path dir;

  @Test
  void offsetsByTimestampEarliestLatestAndMax() throws Exception {
    // Small segments and index interval so lookups cross segments and index entries.
    try (TestBroker broker =
            TestBroker.start(
                dir, Map.of("log.segment.bytes", "2048", "log.index.interval.bytes", "256"));
        Admin admin = broker.admin()) {
      admin.createTopics(List.of(new NewTopic("timed", 1, (short) 1))).all().get();
      TopicPartition tp = new TopicPartition("timed", 0);
      try (KafkaProducer<byte[], byte[]> p = broker.producer(Map.of())) {
        for (int i = 0; i < 100; i++) {
          // Timestamps 10_000, 10_010, ... except a peak at offset 42.
          long ts = i == 42 ? 99_999 : 10_000 + 10L * i;
          p.send(new ProducerRecord<>("timed", 0, ts, null, Records.utf8("r" + i))).get();
        }
      }
      assertThat(lookup(admin, tp, OffsetSpec.earliest()).offset()).isZero();
      assertThat(lookup(admin, tp, OffsetSpec.latest()).offset()).isEqualTo(100);
      ListOffsetsResultInfo max = lookup(admin, tp, OffsetSpec.maxTimestamp());
      assertThat(max.offset()).isEqualTo(42);
      assertThat(max.timestamp()).isEqualTo(99_999);

      try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(Map.of())) {
        // The answer is the first offset whose timestamp is at or after the target, in log
        // order: the peak at offset 42 answers every target between 10_411 and 99_999.
        assertThat(offsetFor(consumer, tp, 10_000L)).isZero();
        assertThat(offsetFor(consumer, tp, 10_410L)).isEqualTo(41);
        assertThat(offsetFor(consumer, tp, 10_411L)).isEqualTo(42);
        assertThat(offsetFor(consumer, tp, 10_505L)).isEqualTo(42);
        assertThat(offsetFor(consumer, tp, 99_999L)).isEqualTo(42);
        OffsetAndTimestamp at41 = consumer.offsetsForTimes(Map.of(tp, 10_405L)).get(tp);
        assertThat(at41.timestamp()).isEqualTo(10_410L);
        assertThat(consumer.offsetsForTimes(Map.of(tp, 100_000L)).get(tp)).isNull();
      }
    }
  }

  private static long offsetFor(
      KafkaConsumer<byte[], byte[]> consumer, TopicPartition tp, long ts) {
    return consumer.offsetsForTimes(Map.of(tp, ts)).get(tp).offset();
  }

  private static ListOffsetsResultInfo lookup(Admin admin, TopicPartition tp, OffsetSpec spec)
      throws Exception {
    return admin.listOffsets(Map.of(tp, spec)).all().get().get(tp);
  }
}
