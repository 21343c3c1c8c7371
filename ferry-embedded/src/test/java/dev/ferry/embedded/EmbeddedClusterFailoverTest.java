package dev.ferry.embedded;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.Test;

/**
 * Three brokers in one JVM replicate over their sockets: stopping the leader of a partition loses
 * no acknowledged (acks=all) record, and the restarted broker rejoins.
 */
class EmbeddedClusterFailoverTest {

  private static final String TOPIC = "payments";

  @Test
  void stoppingTheLeaderLosesNoAcknowledgedRecord() throws Exception {
    try (EmbeddedFerry cluster =
        EmbeddedFerry.builder().brokers(3).brokerProperty("min.insync.replicas", "2").start()) {
      cluster.createTopic(TOPIC, 1, 3);
      int firstLeader = cluster.leader(TOPIC, 0);
      assertThat(firstLeader).isBetween(0, 2);

      List<String> acked = new ArrayList<>();
      try (KafkaProducer<String, String> producer =
          Clients.producer(
              cluster.bootstrapServers(),
              Map.of(
                  ProducerConfig.ACKS_CONFIG,
                  "all",
                  ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                  true,
                  ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG,
                  30_000,
                  ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG,
                  5_000))) {
        sendAll(producer, 0, 50, acked);

        cluster.stopBroker(firstLeader);
        int newLeader = cluster.leader(TOPIC, 0);
        assertThat(newLeader).isNotEqualTo(firstLeader).isBetween(0, 2);

        sendAll(producer, 50, 100, acked);
        cluster.restartBroker(firstLeader);
        sendAll(producer, 100, 150, acked);
      }

      try (KafkaConsumer<String, String> consumer =
          Clients.consumer(cluster.bootstrapServers(), "auditors")) {
        consumer.subscribe(List.of(TOPIC));
        List<ConsumerRecord<String, String>> got =
            Clients.poll(consumer, acked.size(), Duration.ofSeconds(30));
        assertThat(got).extracting(ConsumerRecord::value).containsExactlyElementsOf(acked);
        assertThat(got).extracting(ConsumerRecord::offset).startsWith(0L, 1L, 2L);
      }
      assertThat(cluster.isRunning(firstLeader)).isTrue();
    }
  }

  /** Sends values from..to-1 and records each one that was acknowledged, in offset order. */
  private static void sendAll(
      KafkaProducer<String, String> producer, int from, int to, List<String> acked)
      throws Exception {
    List<Future<RecordMetadata>> futures = new ArrayList<>();
    for (int i = from; i < to; i++) {
      futures.add(producer.send(new ProducerRecord<>(TOPIC, "v" + i)));
    }
    for (int i = 0; i < futures.size(); i++) {
      futures.get(i).get();
      acked.add("v" + (from + i));
    }
  }
}
