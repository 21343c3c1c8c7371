package dev.ferry.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.metadata.PartitionState;
import dev.ferry.replication.Partition;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * JBOD: one log dir of a broker's two fails while the broker lives on. The broker tells the
 * controller which replicas it lost (Kafka's log-dir event notification in ZooKeeper mode), and the
 * controller elects other leaders for them and takes the broker out of their ISRs, so producers and
 * consumers go on with the other replicas at once instead of getting KAFKA_STORAGE_ERROR until a
 * restart. The partitions in the broker's healthy dir keep their leader and full ISR.
 */
class JbodLogDirFailureTest {

  private static final String TOPIC = "jbod";

  /** The message HotSpot gives the InternalError it throws for a SIGBUS on a mapped page. */
  private static final String SIGBUS =
      "a fault occurred in a recent unsafe memory access operation in compiled Java code";

  @TempDir Path dir;

  @Test
  void aFailedLogDirOfSeveralMovesItsLeadershipsAndTheOtherDirKeepsServing() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 3, 2, Map.of())) {
      try (Admin admin = cluster.admin()) {
        // Broker 0 leads both partitions; its two logs land in its two dirs.
        admin
            .createTopics(
                List.of(new NewTopic(TOPIC, Map.of(0, List.of(0, 1, 2), 1, List.of(0, 2, 1)))))
            .all()
            .get();
      }
      cluster.awaitFullIsr(TOPIC, 0, 3);
      cluster.awaitFullIsr(TOPIC, 1, 3);
      Partition failing = cluster.partition(0, TOPIC, 0);
      Partition healthy = cluster.partition(0, TOPIC, 1);
      assertThat(failing.log().dir().getParent()).isNotEqualTo(healthy.log().dir().getParent());

      try (KafkaProducer<byte[], byte[]> producer =
          cluster.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
        send(producer, 0, 0, 100);
        send(producer, 1, 0, 100);

        // The dir of partition 0's log on broker 0 fails (the JVM's report of a fault on a mapped
        // page of a full disk, as in LogDirFailureHandlerTest).
        failing.log().mappedFileFault("append to", new InternalError(SIGBUS));

        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> {
                  PartitionState s = cluster.state(TOPIC, 0);
                  return s.leader() != 0 && s.leader() >= 0 && !s.isr().contains(0);
                });
        PartitionState moved = cluster.state(TOPIC, 0);
        assertThat(moved.isr()).containsExactlyInAnyOrder(1, 2);
        assertThat(moved.leaderEpoch()).isEqualTo(1);
        PartitionState kept = cluster.state(TOPIC, 1);
        assertThat(kept.leader()).isZero();
        assertThat(kept.isr()).hasSize(3);
        assertThat(cluster.broker(0).replicaManager().partition(new TopicPartition(TOPIC, 0)))
            .as("broker 0 no longer hosts it")
            .isNull();

        // Both partitions take writes again at once, with acks=all.
        send(producer, 0, 100, 200);
        send(producer, 1, 100, 200);
      }
      assertThat(values(cluster, 0)).containsExactlyElementsOf(expected(0, 200));
      assertThat(values(cluster, 1)).containsExactlyElementsOf(expected(1, 200));
    }
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, int partition, int from, int to)
      throws Exception {
    for (int i = from; i < to; i++) {
      producer
          .send(new ProducerRecord<>(TOPIC, partition, null, value(partition, i)))
          .get(60, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  private static byte[] value(int partition, int i) {
    return ("p" + partition + "-" + i).getBytes(StandardCharsets.UTF_8);
  }

  private static List<String> expected(int partition, int count) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      out.add("p" + partition + "-" + i);
    }
    return out;
  }

  /** Every record of the partition, in offset order, as a fresh consumer reads it. */
  private static List<String> values(TestCluster cluster, int partition) {
    TopicPartition tp = new TopicPartition(TOPIC, partition);
    List<String> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = cluster.consumer(Map.of())) {
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (consumer.position(tp) < end && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          out.add(new String(r.value(), StandardCharsets.UTF_8));
        }
      }
    }
    return out;
  }
}
