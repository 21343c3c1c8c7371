package dev.ferry.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.metadata.PartitionState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The controller role and group coordination move to another broker when their broker stops. */
class ControllerAndCoordinatorFailoverTest {

  @TempDir Path dir;

  @Test
  void anotherBrokerTakesOverAsControllerAndTopicsCanStillBeCreated() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 3, Map.of())) {
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> cluster.activeController() >= 0);
      int first = cluster.activeController();
      int firstEpoch = cluster.broker(first).controller().controllerEpoch();
      try (Admin admin = cluster.admin()) {
        admin.createTopics(List.of(new NewTopic("before", 3, (short) 3))).all().get();
      }
      cluster.stopBroker(first);
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> cluster.activeController() >= 0 && cluster.activeController() != first);
      int second = cluster.activeController();
      assertThat(cluster.broker(second).controller().controllerEpoch()).isGreaterThan(firstEpoch);
      // Partitions the old controller led have new leaders chosen by the new controller.
      for (int p = 0; p < 3; p++) {
        PartitionState s = cluster.state("before", p);
        assertThat(s.leader()).isNotEqualTo(first).isNotEqualTo(-1);
        assertThat(s.isr()).doesNotContain(first);
      }
      try (Admin admin = cluster.admin()) {
        admin.createTopics(List.of(new NewTopic("after", 2, (short) 2))).all().get();
        assertThat(
                admin
                    .describeTopics(List.of("after"))
                    .allTopicNames()
                    .get()
                    .get("after")
                    .partitions())
            .hasSize(2);
      }
    }
  }

  @Test
  void committedOffsetsSurviveACoordinatorFailover() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 3, Map.of())) {
      try (Admin admin = cluster.admin()) {
        admin.createTopics(List.of(new NewTopic("events", 1, (short) 3))).all().get();
      }
      try (KafkaProducer<byte[], byte[]> producer =
          cluster.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"))) {
        for (int i = 0; i < 20; i++) {
          producer.send(new ProducerRecord<>("events", ("e" + i).getBytes(StandardCharsets.UTF_8)));
        }
        producer.flush();
      }
      Map<String, Object> groupConf = new HashMap<>();
      groupConf.put(ConsumerConfig.GROUP_ID_CONFIG, "g1");
      TopicPartition tp = new TopicPartition("events", 0);
      int coordinator;
      try (KafkaConsumer<byte[], byte[]> c = cluster.consumer(groupConf)) {
        c.subscribe(List.of("events"));
        int seen = 0;
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (seen < 12 && System.nanoTime() < deadline) {
          ConsumerRecords<byte[], byte[]> rs = c.poll(Duration.ofMillis(200));
          seen += rs.count();
        }
        assertThat(seen).isGreaterThanOrEqualTo(12);
        c.commitSync(Map.of(tp, new OffsetAndMetadata(12, "twelve")));
        int partition = Math.abs("g1".hashCode()) % 3;
        coordinator = cluster.state("__consumer_offsets", partition).leader();
      }
      cluster.stopBroker(coordinator);
      try (KafkaConsumer<byte[], byte[]> c = cluster.consumer(groupConf)) {
        Map<TopicPartition, OffsetAndMetadata> committed = c.committed(java.util.Set.of(tp));
        assertThat(committed.get(tp).offset()).isEqualTo(12);
        assertThat(committed.get(tp).metadata()).isEqualTo("twelve");
        c.subscribe(List.of("events"));
        ConsumerRecords<byte[], byte[]> rs = ConsumerRecords.empty();
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (rs.isEmpty() && System.nanoTime() < deadline) {
          rs = c.poll(Duration.ofMillis(200));
        }
        assertThat(new String(rs.iterator().next().value(), StandardCharsets.UTF_8))
            .isEqualTo("e12");
      }
    }
  }

  @Test
  void aConsumerProtocolGroupCarriesOnThroughACoordinatorFailover() throws Exception {
    try (TestCluster cluster = TestCluster.start(dir, 3, Map.of())) {
      try (Admin admin = cluster.admin()) {
        admin.createTopics(List.of(new NewTopic("kip848", 1, (short) 3))).all().get();
      }
      Map<String, Object> conf = new HashMap<>();
      conf.put(ConsumerConfig.GROUP_ID_CONFIG, "g848");
      conf.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
      List<String> seen = new java.util.ArrayList<>();
      try (KafkaProducer<byte[], byte[]> producer =
              cluster.producer(Map.of(ProducerConfig.ACKS_CONFIG, "all"));
          KafkaConsumer<byte[], byte[]> c = cluster.consumer(conf)) {
        for (int i = 0; i < 20; i++) {
          producer.send(new ProducerRecord<>("kip848", ("e" + i).getBytes(StandardCharsets.UTF_8)));
        }
        producer.flush();
        c.subscribe(List.of("kip848"));
        pollAndCommit(c, seen, 20);
        int partition = Math.abs("g848".hashCode()) % 3;
        int coordinator = cluster.state("__consumer_offsets", partition).leader();
        String member;
        int epoch;
        try (Admin admin = cluster.admin()) {
          var d = admin.describeConsumerGroups(List.of("g848")).all().get().get("g848");
          member = d.members().iterator().next().consumerId();
          epoch = d.members().iterator().next().memberEpoch().orElseThrow();
        }

        cluster.stopBroker(coordinator);
        for (int i = 20; i < 40; i++) {
          producer.send(new ProducerRecord<>("kip848", ("e" + i).getBytes(StandardCharsets.UTF_8)));
        }
        producer.flush();
        pollAndCommit(c, seen, 40);

        // Every record once, in order; the member kept its id and epoch on the new coordinator.
        List<String> expected = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
          expected.add("e" + i);
        }
        assertThat(seen).isEqualTo(expected);
        try (Admin admin = cluster.admin()) {
          var d = admin.describeConsumerGroups(List.of("g848")).all().get().get("g848");
          assertThat(d.members())
              .singleElement()
              .satisfies(
                  m -> {
                    assertThat(m.consumerId()).isEqualTo(member);
                    assertThat(m.memberEpoch()).contains(epoch);
                  });
        }
        assertThat(c.committed(java.util.Set.of(new TopicPartition("kip848", 0))))
            .extractingByKey(new TopicPartition("kip848", 0))
            .extracting(OffsetAndMetadata::offset)
            .isEqualTo(40L);
      }
    }
  }

  /** Polls until {@code seen} holds {@code total} values, committing after every batch. */
  private static void pollAndCommit(KafkaConsumer<byte[], byte[]> c, List<String> seen, int total) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(1))
        .until(
            () -> {
              ConsumerRecords<byte[], byte[]> rs = c.poll(Duration.ofMillis(200));
              for (var r : rs) {
                seen.add(new String(r.value(), StandardCharsets.UTF_8));
              }
              if (!rs.isEmpty()) {
                c.commitSync();
              }
              return seen.size() >= total;
            });
  }
}
