package dev.ferry.registry;

import static dev.ferry.registry.RegistryClient.body;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.it.TestBroker;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broker-side schema validation with the real Java producer: a record whose value (or key) carries
 * no schema id registered under the topic's subject is refused with INVALID_RECORD and nothing of
 * its batch is appended; valid records are appended; topics without the config take anything.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SchemaValidationTest {

  TestBroker broker;
  RegistryClient registry;
  Admin admin;
  int valueId;
  int keyId;
  int otherSubjectId;

  @BeforeAll
  void start(@TempDir Path dir) throws Exception {
    broker = TestBroker.start(dir, Map.of("schema.registry.port", "0"));
    registry = SchemaRegistryDurabilityTest.client(broker);
    valueId =
        registry
            .post("/subjects/orders-value/versions", body(SchemaRegistryApiTest.USER_V1, null))
            .json()
            .get("id")
            .asInt();
    keyId =
        registry
            .post("/subjects/keyed-key/versions", body("{\"type\":\"string\"}", null))
            .json()
            .get("id")
            .asInt();
    otherSubjectId =
        registry
            .post("/subjects/elsewhere-value/versions", body("{\"type\":\"int\"}", null))
            .json()
            .get("id")
            .asInt();
    admin = broker.admin();
    admin
        .createTopics(
            List.of(
                new NewTopic("orders", 1, (short) 1)
                    .configs(Map.of("confluent.value.schema.validation", "true")),
                new NewTopic("keyed", 1, (short) 1)
                    .configs(Map.of("confluent.key.schema.validation", "true")),
                new NewTopic("free", 1, (short) 1)))
        .all()
        .get();
  }

  @AfterAll
  void stop() {
    admin.close();
    broker.close();
  }

  static byte[] framed(int id, String payload) {
    byte[] p = payload.getBytes();
    return ByteBuffer.allocate(5 + p.length).put((byte) 0).putInt(id).put(p).array();
  }

  long endOffset(String topic) throws Exception {
    TopicPartition tp = new TopicPartition(topic, 0);
    return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp).get().offset();
  }

  KafkaProducer<byte[], byte[]> producer(String compression) {
    return broker.producer(
        Map.of(
            ProducerConfig.COMPRESSION_TYPE_CONFIG,
            compression,
            ProducerConfig.LINGER_MS_CONFIG,
            1000,
            ProducerConfig.RETRIES_CONFIG,
            0,
            ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
            false));
  }

  @Test
  void valueValidation() throws Exception {
    for (String compression : List.of("none", "gzip")) {
      long before = endOffset("orders");
      try (KafkaProducer<byte[], byte[]> p = producer(compression)) {
        RecordMetadata ok = p.send(new ProducerRecord<>("orders", framed(valueId, "a"))).get();
        assertThat(ok.offset()).isEqualTo(before);
        // One batch holding good records and a bad one: all refused, nothing appended.
        List<Future<RecordMetadata>> batch = new ArrayList<>();
        batch.add(p.send(new ProducerRecord<>("orders", framed(valueId, "b"))));
        batch.add(p.send(new ProducerRecord<>("orders", framed(otherSubjectId, "c"))));
        batch.add(p.send(new ProducerRecord<>("orders", framed(valueId, "d"))));
        p.flush();
        for (Future<RecordMetadata> f : batch) {
          assertThatThrownBy(f::get)
              .isInstanceOf(ExecutionException.class)
              .cause()
              .isInstanceOf(InvalidRecordException.class)
              .hasMessageContaining("orders-value");
        }
        assertThatThrownBy(() -> p.send(new ProducerRecord<>("orders", "plain".getBytes())).get())
            .cause()
            .isInstanceOf(InvalidRecordException.class);
        assertThatThrownBy(() -> p.send(new ProducerRecord<>("orders", framed(999_999, "x"))).get())
            .cause()
            .isInstanceOf(InvalidRecordException.class);
        assertThatThrownBy(() -> p.send(new ProducerRecord<>("orders", new byte[] {0, 0})).get())
            .cause()
            .isInstanceOf(InvalidRecordException.class);
        assertThat(endOffset("orders")).isEqualTo(before + 1);
        // A tombstone (null value) passes.
        assertThat(p.send(new ProducerRecord<>("orders", "k".getBytes(), null)).get().offset())
            .isEqualTo(before + 1);
      }
    }
  }

  @Test
  void keyValidationAndTopicsWithoutTheConfig() throws Exception {
    try (KafkaProducer<byte[], byte[]> p = producer("none")) {
      assertThat(
              p.send(new ProducerRecord<>("keyed", framed(keyId, "k"), "anything".getBytes()))
                  .get()
                  .offset())
          .isZero();
      assertThatThrownBy(
              () ->
                  p.send(new ProducerRecord<>("keyed", framed(valueId, "k"), "v".getBytes())).get())
          .cause()
          .isInstanceOf(InvalidRecordException.class)
          .hasMessageContaining("keyed-key");
      assertThat(endOffset("keyed")).isEqualTo(1);
      assertThat(p.send(new ProducerRecord<>("free", "no schema".getBytes())).get().offset())
          .isZero();
    }
  }
}
