package dev.ferry.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.it.Records;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Known records in partition 0 of a topic, written once and then read back byte for byte (offset,
 * timestamp, key, value, header) by real Kafka clients, to prove that a fault or bad input left
 * acknowledged data untouched. Also a round trip of a fresh record through a second topic, proving
 * the broker still serves a well-behaved client.
 */
final class Canary {

  private static final long BASE_TIMESTAMP = 1_700_000_000_000L;

  private final String topic;
  private final int count;

  Canary(String topic, int count) {
    this.topic = topic;
    this.count = count;
  }

  static byte[] key(int i) {
    return Records.utf8("k" + i);
  }

  /** Values of varied sizes, so records straddle index intervals and batch boundaries. */
  static byte[] value(int i) {
    return Records.utf8("canary-" + i + "-" + "x".repeat((i * 37) % 400));
  }

  /** Writes the records one batch per record with acks=all; returns their offsets. */
  void write(String bootstrap) throws Exception {
    try (KafkaProducer<byte[], byte[]> p = producer(bootstrap)) {
      for (int i = 0; i < count; i++) {
        long offset =
            p.send(
                    new ProducerRecord<>(
                        topic,
                        0,
                        BASE_TIMESTAMP + i,
                        key(i),
                        value(i),
                        List.<Header>of(new RecordHeader("i", Records.utf8(Integer.toString(i))))))
                .get()
                .offset();
        assertThat(offset).isEqualTo(i);
      }
    }
  }

  /** Reads offsets [0, count) and asserts each record exactly; returns the end offset seen. */
  long verify(String bootstrap) {
    return verify(bootstrap, count);
  }

  /** Like {@link #verify(String)} for only the first {@code upTo} records. */
  long verify(String bootstrap, int upTo) {
    try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrap)) {
      TopicPartition tp = new TopicPartition(topic, 0);
      c.assign(List.of(tp));
      c.seek(tp, 0);
      List<ConsumerRecord<byte[], byte[]>> got = Records.pollUntil(c, upTo, Duration.ofSeconds(30));
      assertThat(got).as("canary records read back").hasSizeGreaterThanOrEqualTo(upTo);
      for (int i = 0; i < upTo; i++) {
        ConsumerRecord<byte[], byte[]> r = got.get(i);
        assertThat(r.offset()).as("offset of canary record %d", i).isEqualTo(i);
        assertThat(r.timestamp())
            .as("timestamp of canary record %d", i)
            .isEqualTo(BASE_TIMESTAMP + i);
        assertThat(r.key()).as("key of canary record %d", i).isEqualTo(key(i));
        assertThat(r.value()).as("value of canary record %d", i).isEqualTo(value(i));
        assertThat(r.headers().lastHeader("i").value())
            .as("header of canary record %d", i)
            .isEqualTo(Records.utf8(Integer.toString(i)));
      }
      return c.endOffsets(List.of(tp), Duration.ofSeconds(10)).get(tp);
    }
  }

  /**
   * Produces one fresh record to partition 0 of {@code healthTopic} and reads it back at the
   * acknowledged offset.
   */
  static void roundTrip(String bootstrap, String healthTopic, String value) throws Exception {
    long offset;
    try (KafkaProducer<byte[], byte[]> p = producer(bootstrap)) {
      offset =
          p.send(new ProducerRecord<>(healthTopic, 0, null, Records.utf8(value))).get().offset();
    }
    try (KafkaConsumer<byte[], byte[]> c = consumer(bootstrap)) {
      TopicPartition tp = new TopicPartition(healthTopic, 0);
      c.assign(List.of(tp));
      c.seek(tp, offset);
      List<ConsumerRecord<byte[], byte[]>> got = Records.pollUntil(c, 1, Duration.ofSeconds(30));
      assertThat(got).as("health record read back").isNotEmpty();
      assertThat(got.get(0).offset()).isEqualTo(offset);
      assertThat(Records.str(got.get(0).value())).isEqualTo(value);
    }
  }

  static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000);
    return new KafkaProducer<>(p);
  }

  static KafkaConsumer<byte[], byte[]> consumer(String bootstrap) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
    c.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 20_000);
    return new KafkaConsumer<>(c);
  }
}
