package dev.ferry.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.replication.Partition;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replica fetchers use incremental fetch sessions (KIP-227) with their leader: two brokers each
 * leading two partitions the other follows; after acks=all writes every follower's log is
 * byte-identical to its leader's, and both leaders answered incremental fetches.
 */
class FollowerFetchSessionTest {

  @TempDir Path dir;

  @Test
  void followersFetchIncrementallyAndReplicateExactly() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 2, Map.of())) {
      try (Admin admin = cluster.admin()) {
        admin
            .createTopics(
                List.of(
                    new NewTopic(
                        "replicated",
                        Map.of(
                            0,
                            List.of(0, 1),
                            1,
                            List.of(1, 0),
                            2,
                            List.of(0, 1),
                            3,
                            List.of(1, 0)))))
            .all()
            .get();
      }
      for (int p = 0; p < 4; p++) {
        cluster.awaitFullIsr("replicated", p, 2);
      }
      try (KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of("acks", "all"))) {
        for (int i = 0; i < 200; i++) {
          producer.send(new ProducerRecord<>("replicated", i % 4, null, ("r" + i).getBytes()));
        }
        producer.flush();
        // A later write, once the sessions exist, travels through incremental fetches only.
        producer.send(new ProducerRecord<>("replicated", 0, null, "last".getBytes())).get();
      }
      for (int p = 0; p < 4; p++) {
        int leaderId = p % 2 == 0 ? 0 : 1;
        Partition leader = cluster.partition(leaderId, "replicated", p);
        Partition follower = cluster.partition(1 - leaderId, "replicated", p);
        assertThat(leader.logEndOffset()).isEqualTo(p == 0 ? 51 : 50);
        await()
            .atMost(Duration.ofSeconds(20))
            .until(() -> follower.logEndOffset() == leader.logEndOffset());
        assertThat(TestCluster.logBytes(follower, leader.logEndOffset()))
            .isEqualTo(TestCluster.logBytes(leader, leader.logEndOffset()));
      }
      for (int id = 0; id < 2; id++) {
        assertThat(cluster.broker(id).fetchSessions().incrementalFetches())
            .as("incremental fetches answered by broker %d", id)
            .isPositive();
        assertThat(cluster.broker(id).fetchSessions().sessions()).isGreaterThanOrEqualTo(1);
      }
    }
  }
}
