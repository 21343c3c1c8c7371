package com.example.orders;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.ferry.embedded.EmbeddedFerry;
import dev.ferry.embedded.junit.FerryExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The plain kafka-clients way, with a fresh broker for each test. */
class PlainClientTest {

  @RegisterExtension static FerryExtension ferry = FerryExtension.create().perMethod();

  @Test
  void recordsComeBackWithTheirKeysAndOffsets(EmbeddedFerry broker) throws Exception {
    broker.createTopic("payments", 1, 1);
    try (KafkaProducer<String, String> producer =
        new KafkaProducer<>(
            Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"),
            new StringSerializer(),
            new StringSerializer())) {
      assertEquals(0, producer.send(new ProducerRecord<>("payments", "alice", "10")).get().offset());
      assertEquals(1, producer.send(new ProducerRecord<>("payments", "bob", "20")).get().offset());
    }

    try (KafkaConsumer<String, String> consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "audit",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"),
            new StringDeserializer(),
            new StringDeserializer())) {
      consumer.subscribe(List.of("payments"));
      List<String> got = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (got.size() < 2 && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
          got.add(r.offset() + ":" + r.key() + "=" + r.value());
        }
      }
      assertEquals(List.of("0:alice=10", "1:bob=20"), got);
    }
  }
}
