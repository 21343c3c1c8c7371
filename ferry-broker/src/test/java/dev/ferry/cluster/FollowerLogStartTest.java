package dev.ferry.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A follower follows its leader's log start offset: DeleteRecords on the leader reaches the
 * follower's log, and a follower that was away while the leader deleted past its log end starts its
 * log again at the leader's log start instead of asking for offsets that are gone.
 */
class FollowerLogStartTest {

  private static final String TOPIC = "trimmed";
  private static final TopicPartition TP = new TopicPartition(TOPIC, 0);

  @TempDir Path dir;

  @Test
  void followersFollowTheLeadersLogStartEvenFromBelowIt() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 2, Map.of())) {
      try (Admin admin = cluster.admin()) {
        admin.createTopics(List.of(new NewTopic(TOPIC, Map.of(0, List.of(0, 1))))).all().get();
      }
      cluster.awaitFullIsr(TOPIC, 0, 2);
      try (KafkaProducer<byte[], byte[]> producer =
              cluster.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"));
          Admin admin = cluster.admin()) {
        send(producer, 0, 100);
        admin.deleteRecords(Map.of(TP, RecordsToDelete.beforeOffset(50))).all().get();
        assertThat(cluster.partition(0, TOPIC, 0).log().logStartOffset()).isEqualTo(50);
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> cluster.partition(1, TOPIC, 0).log().logStartOffset() == 50);

        // The follower is away while the leader moves on and deletes past the follower's end.
        cluster.stopBroker(1);
        await()
            .atMost(Duration.ofSeconds(30))
            .until(() -> cluster.state(TOPIC, 0).isr().size() == 1);
        send(producer, 100, 200);
        await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> cluster.partition(0, TOPIC, 0).highWatermark() == 200);
        admin.deleteRecords(Map.of(TP, RecordsToDelete.beforeOffset(180))).all().get();
      }
      cluster.startBroker(1);
      cluster.awaitFullIsr(TOPIC, 0, 2);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> cluster.partition(1, TOPIC, 0).log().logEndOffset() == 200);
      var follower = cluster.partition(1, TOPIC, 0).log();
      var leader = cluster.partition(0, TOPIC, 0).log();
      assertThat(follower.logStartOffset()).isEqualTo(180);
      assertThat(TestCluster.logBytes(follower, 200)).isEqualTo(TestCluster.logBytes(leader, 200));
    }
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, int from, int to)
      throws Exception {
    for (int i = from; i < to; i++) {
      producer
          .send(new ProducerRecord<>(TOPIC, 0, null, ("r" + i).getBytes(StandardCharsets.UTF_8)))
          .get();
    }
  }
}
