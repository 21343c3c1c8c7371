package dev.ferry.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's operations tools against a three-broker Ferry cluster (ids 1, 2, 3), each run as its
 * shell script would run it: {@code kafka-leader-election.sh} (preferred and unclean elections,
 * LeaderElectionCommand) and {@code kafka-log-dirs.sh --describe} (LogDirsCommand).
 */
@Tag("slow")
class OperationsToolsTest {

  @TempDir Path dir;

  @Test
  void leaderElectionToolElectsPreferredAndUncleanLeaders() throws Exception {
    try (TestCluster cluster =
        TestCluster.start(dir, 0, Map.of("auto.leader.rebalance.enable", "false"))) {
      for (int id = 1; id <= 3; id++) {
        cluster.startBroker(id);
      }
      try (Admin admin = cluster.admin()) {
        admin
            .createTopics(
                List.of(
                    new NewTopic("elect", Map.of(0, List.of(1, 2))),
                    new NewTopic("dirty", Map.of(0, List.of(2, 3)))))
            .all()
            .get();
      }
      try (KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of("acks", "all"))) {
        producer.send(new ProducerRecord<>("dirty", 0, null, new byte[] {1})).get();
      }

      // Broker 1 leaves and comes back: broker 2 leads elect-0, 1 is in sync again.
      cluster.stopBroker(1);
      await().atMost(Duration.ofSeconds(20)).until(() -> cluster.state("elect", 0).leader() == 2);
      cluster.startBroker(1);
      cluster.awaitFullIsr("elect", 0, 2);
      assertThat(cluster.state("elect", 0).leader()).isEqualTo(2);

      String preferred =
          KafkaTool.main(
              "org.apache.kafka.tools.LeaderElectionCommand",
              "--bootstrap-server",
              cluster.bootstrap(),
              "--election-type",
              "PREFERRED",
              "--topic",
              "elect",
              "--partition",
              "0");
      assertThat(preferred)
          .contains("Successfully completed leader election (PREFERRED) for partitions elect-0");
      await().atMost(Duration.ofSeconds(10)).until(() -> cluster.state("elect", 0).leader() == 1);
      String again =
          KafkaTool.main(
              "org.apache.kafka.tools.LeaderElectionCommand",
              "--bootstrap-server",
              cluster.bootstrap(),
              "--election-type",
              "PREFERRED",
              "--topic",
              "elect",
              "--partition",
              "0");
      assertThat(again).contains("Valid replica already elected for partitions elect-0");
      // Every partition: those that need no election are left out of the answer, as in Kafka.
      String all =
          KafkaTool.main(
              "org.apache.kafka.tools.LeaderElectionCommand",
              "--bootstrap-server",
              cluster.bootstrap(),
              "--election-type",
              "PREFERRED",
              "--all-topic-partitions");
      assertThat(all).doesNotContain("elect-0").doesNotContain("could not be elected");

      // dirty-0: 3 leaves (2 alone in sync), then 2 leaves too (offline), then 3 comes back
      // out of sync. Only an unclean election can bring the partition back.
      cluster.stopBroker(3);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> cluster.state("dirty", 0).isr().equals(List.of(2)));
      cluster.stopBroker(2);
      await().atMost(Duration.ofSeconds(20)).until(() -> cluster.state("dirty", 0).leader() == -1);
      cluster.startBroker(3);
      assertThat(cluster.state("dirty", 0).leader()).isEqualTo(-1);
      String unclean =
          KafkaTool.main(
              "org.apache.kafka.tools.LeaderElectionCommand",
              "--bootstrap-server",
              cluster.bootstrap(),
              "--election-type",
              "UNCLEAN",
              "--topic",
              "dirty",
              "--partition",
              "0");
      assertThat(unclean)
          .contains("Successfully completed leader election (UNCLEAN) for partitions dirty-0");
      await().atMost(Duration.ofSeconds(10)).until(() -> cluster.state("dirty", 0).leader() == 3);
      assertThat(cluster.state("dirty", 0).isr()).containsExactly(3);
    }
  }

  @Test
  void logDirsToolDescribesEveryBrokersLogDirectories() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 0, Map.of())) {
      for (int id = 1; id <= 3; id++) {
        cluster.startBroker(id);
      }
      try (Admin admin = cluster.admin()) {
        admin
            .createTopics(List.of(new NewTopic("logs", Map.of(0, List.of(1, 2), 1, List.of(3, 1)))))
            .all()
            .get();
      }
      try (KafkaProducer<byte[], byte[]> producer = cluster.producer(Map.of("acks", "all"))) {
        producer.send(new ProducerRecord<>("logs", 0, null, new byte[100])).get();
      }
      String out =
          KafkaTool.main(
              "org.apache.kafka.tools.LogDirsCommand",
              "--bootstrap-server",
              cluster.bootstrap(),
              "--describe",
              "--broker-list",
              "1,2,3",
              "--topic-list",
              "logs");
      assertThat(out).contains("Received log directory information from brokers 1,2,3");
      String json = out.substring(out.indexOf('{'));
      for (int id = 1; id <= 3; id++) {
        assertThat(json)
            .contains("\"broker\":" + id)
            .contains(dir.resolve("broker-" + id).toAbsolutePath().toString());
      }
      assertThat(json).contains("\"partition\":\"logs-0\"").contains("\"partition\":\"logs-1\"");
      // logs-0 on broker 1 holds the one batch written.
      assertThat(json).containsPattern("\"partition\":\"logs-0\",\"size\":[1-9][0-9]*");
    }
  }
}
