package dev.ferry.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.verify.CheckReport;
import dev.ferry.verify.WorkloadChecker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.PartitionReassignment;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Partition reassignment on a three-broker cluster (ids 1, 2, 3), driven by Kafka's own {@code
 * kafka-reassign-partitions.sh} ({@code ReassignPartitionsCommand}): every partition of a 12
 * partition RF 2 topic moves from brokers {1,2} to {2,3} under idempotent acks=all load with a
 * replication throttle, {@code --verify} reports completion and clears the throttles, and no
 * acknowledged record is lost; a running move cancelled with {@code --cancel} restores the old
 * replicas.
 */
@Tag("slow")
class PartitionReassignmentTest {

  @TempDir static Path dir;
  private static TestCluster cluster;
  private static Admin admin;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = TestCluster.start(dir, 0, Map.of("auto.leader.rebalance.enable", "false"));
    for (int id = 1; id <= 3; id++) {
      cluster.startBroker(id);
    }
    admin = cluster.admin();
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (admin != null) {
      admin.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void movesEveryPartitionUnderLoadWithAThrottleAndLosesNothing() throws Exception {
    Map<Integer, List<Integer>> onOneAndTwo = new HashMap<>();
    for (int p = 0; p < 12; p++) {
      onOneAndTwo.put(p, p % 2 == 0 ? List.of(1, 2) : List.of(2, 1));
    }
    admin
        .createTopics(
            List.of(
                new NewTopic("moves", onOneAndTwo).configs(Map.of("min.insync.replicas", "2")),
                new NewTopic("bulk", Map.of(0, List.of(1, 2), 1, List.of(2, 1)))))
        .all()
        .get();
    long bulkBytes = preload("bulk", 2, 3 * 1024 * 1024);

    WorkloadChecker.Settings settings =
        new WorkloadChecker.Settings(
            "moves", 12, 2, 300, Duration.ofSeconds(120), (short) 2, Map.of());
    CheckReport report;
    try (WorkloadChecker checker = new WorkloadChecker(cluster::bootstrap, settings)) {
      checker.start(Duration.ofSeconds(30));
      await().atMost(Duration.ofSeconds(30)).until(() -> checker.acknowledged() >= 500);

      Path topics =
          write(
              "topics.json",
              "{\"version\":1,\"topics\":[{\"topic\":\"moves\"},{\"topic\":\"bulk\"}]}");
      String generated =
          KafkaTool.reassign(
              admin,
              "--generate",
              "--topics-to-move-json-file",
              topics.toString(),
              "--broker-list",
              "2,3");
      assertThat(generated).contains("Current partition replica assignment");
      String proposal = lastJsonLine(generated);
      assertThat(proposal).contains("\"topic\":\"moves\"");
      Path plan = write("plan.json", proposal);

      long throttle = 1024 * 1024;
      long started = System.nanoTime();
      String executed =
          KafkaTool.reassign(
              admin,
              "--execute",
              "--reassignment-json-file",
              plan.toString(),
              "--throttle",
              String.valueOf(throttle));
      assertThat(executed)
          .contains("The inter-broker throttle limit was set to " + throttle + " B/s")
          .contains("Successfully started partition reassignments");
      // The tool set the rates on the brokers taking part; Ferry applies them dynamically.
      assertThat(brokerConfig(1, "leader.replication.throttled.rate")).isEqualTo("" + throttle);
      assertThat(cluster.broker(3).replicationThrottles().followerQuota().bound())
          .isEqualTo(throttle);

      await()
          .atMost(Duration.ofSeconds(90))
          .pollInterval(Duration.ofMillis(500))
          .until(
              () -> {
                String verify =
                    KafkaTool.reassign(
                        admin, "--verify", "--reassignment-json-file", plan.toString());
                return !verify.contains("still in progress");
              });
      long tookMs = (System.nanoTime() - started) / 1_000_000;
      String finalVerify =
          KafkaTool.reassign(admin, "--verify", "--reassignment-json-file", plan.toString());
      assertThat(finalVerify)
          .contains("Reassignment of partition moves-0 is completed.")
          .contains("Reassignment of partition moves-11 is completed.")
          .contains("Clearing broker-level throttles");

      // Throttled: the copy of the preloaded partitions counted against the leaders' quota. Its
      // duration is not asserted: as Kafka's, a fresh throttle measures over ten one-second
      // samples and so lets ten seconds' worth (10 MiB here) through before it holds anything
      // back; ReplicationQuotaTest checks that arithmetic on a controlled clock.
      long throttledBytes = 0;
      for (int id = 1; id <= 3; id++) {
        throttledBytes += cluster.broker(id).replicationThrottles().leaderQuota().throttledBytes();
      }
      assertThat(throttledBytes).isGreaterThanOrEqualTo(bulkBytes);
      System.out.println(
          "Reassignment with a " + throttle + " B/s throttle took " + tookMs + " ms");

      // --verify removed the throttles once done.
      for (int id = 1; id <= 3; id++) {
        int broker = id;
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () ->
                    cluster.broker(broker).replicationThrottles().leaderQuota().bound()
                        == Long.MAX_VALUE);
      }
      assertThat(topicConfig("moves", "leader.replication.throttled.replicas")).isEmpty();

      long before = checker.acknowledged();
      await().atMost(Duration.ofSeconds(30)).until(() -> checker.acknowledged() >= before + 200);
      checker.stopProducing(Duration.ofSeconds(60));
      report = checker.check(Duration.ofSeconds(60));
    }
    System.out.println(report.summary());
    assertThat(report.ok()).as(report.summary()).isTrue();
    assertThat(report.lostAcknowledged()).isZero();
    assertThat(report.finalRecords())
        .isEqualTo(report.acknowledged() + report.unacknowledgedPresent());

    TopicDescription moved =
        admin.describeTopics(List.of("moves")).allTopicNames().get().get("moves");
    for (TopicPartitionInfo p : moved.partitions()) {
      assertThat(ids(p.replicas()))
          .as("replicas of moves-%d", p.partition())
          .containsExactlyInAnyOrder(2, 3);
      assertThat(ids(p.isr())).containsExactlyInAnyOrder(2, 3);
      assertThat(p.leader().id()).isIn(2, 3);
    }
    assertThat(admin.listPartitionReassignments().reassignments().get()).isEmpty();
    // Broker 1 no longer hosts any replica of the moved topics, nor keeps their logs.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              for (int p = 0; p < 12; p++) {
                if (cluster.partition(1, "moves", p) != null) {
                  return false;
                }
              }
              return true;
            });
    assertThat(Files.exists(dir.resolve("broker-1").resolve("moves-0"))).isFalse();
  }

  @Test
  void cancellingARunningMoveRestoresTheOldReplicas() throws Exception {
    admin.createTopics(List.of(new NewTopic("stuck", Map.of(0, List.of(1, 2))))).all().get();
    preload("stuck", 1, 2 * 1024 * 1024);
    Path plan =
        write(
            "stuck.json",
            "{\"version\":1,\"partitions\":[{\"topic\":\"stuck\",\"partition\":0,"
                + "\"replicas\":[2,3]}]}");
    // 20 KB/s: the 2 MiB copy to broker 3 takes minutes, so it is surely running when cancelled.
    KafkaTool.reassign(
        admin, "--execute", "--reassignment-json-file", plan.toString(), "--throttle", "20000");
    TopicPartition tp = new TopicPartition("stuck", 0);
    Map<TopicPartition, PartitionReassignment> ongoing =
        admin.listPartitionReassignments(Set.of(tp)).reassignments().get();
    assertThat(ongoing).containsKey(tp);
    assertThat(ongoing.get(tp).addingReplicas()).containsExactly(3);
    assertThat(ongoing.get(tp).removingReplicas()).containsExactly(1);
    assertThat(ongoing.get(tp).replicas()).containsExactly(2, 3, 1);
    // Broker 3 hosts the new replica and is copying into it.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                cluster.partition(3, "stuck", 0) != null
                    && cluster.partition(3, "stuck", 0).logEndOffset() > 0);
    assertThat(cluster.state("stuck", 0).isr()).doesNotContain(3);

    String cancelled =
        KafkaTool.reassign(admin, "--cancel", "--reassignment-json-file", plan.toString());
    assertThat(cancelled).contains("Successfully cancelled partition reassignment");

    assertThat(admin.listPartitionReassignments().reassignments().get()).isEmpty();
    TopicPartitionInfo info =
        admin
            .describeTopics(List.of("stuck"))
            .allTopicNames()
            .get()
            .get("stuck")
            .partitions()
            .get(0);
    assertThat(ids(info.replicas())).containsExactlyInAnyOrder(1, 2);
    await().atMost(Duration.ofSeconds(10)).until(() -> cluster.partition(3, "stuck", 0) == null);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> new HashSet<>(cluster.state("stuck", 0).isr()).equals(Set.of(1, 2)));
    // --cancel cleared the throttles it had set.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                cluster.broker(3).replicationThrottles().followerQuota().bound() == Long.MAX_VALUE);
  }

  /** Writes {@code bytes} of 1 KiB records round-robin into the topic's partitions. */
  private static long preload(String topic, int partitions, int bytes) throws Exception {
    byte[] value = new byte[1024];
    int records = bytes / value.length;
    try (KafkaProducer<byte[], byte[]> producer =
        cluster.producer(Map.of("acks", "all", "linger.ms", 5))) {
      for (int i = 0; i < records; i++) {
        producer.send(new ProducerRecord<>(topic, i % partitions, null, value));
      }
      producer.flush();
    }
    return (long) records * value.length;
  }

  private static String brokerConfig(int broker, String name) throws Exception {
    ConfigResource r = new ConfigResource(ConfigResource.Type.BROKER, String.valueOf(broker));
    Config c = admin.describeConfigs(List.of(r)).all().get().get(r);
    ConfigEntry e = c.get(name);
    return e == null ? null : e.value();
  }

  private static String topicConfig(String topic, String name) throws Exception {
    ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    ConfigEntry e = admin.describeConfigs(List.of(r)).all().get().get(r).get(name);
    return e == null ? "" : e.value();
  }

  private static List<Integer> ids(List<Node> nodes) {
    List<Integer> out = new ArrayList<>();
    nodes.forEach(n -> out.add(n.id()));
    return out;
  }

  private static Path write(String name, String content) throws Exception {
    return Files.writeString(dir.resolve(name), content);
  }

  private static String lastJsonLine(String output) {
    String last = null;
    for (String line : output.split("\n")) {
      if (line.trim().startsWith("{")) {
        last = line.trim();
      }
    }
    return last;
  }
}
