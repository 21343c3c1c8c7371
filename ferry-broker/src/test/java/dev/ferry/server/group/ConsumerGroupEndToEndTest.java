package dev.ferry.server.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.it.RawKafkaConnection;
import dev.ferry.it.Records;
import dev.ferry.it.TestBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real KafkaConsumers in a group against a real broker: partitions are shared, committed offsets
 * survive a broker restart, and the admin client sees and deletes the group. Skipped while the
 * broker does not yet register the group APIs.
 */
@Tag("slow")
class ConsumerGroupEndToEndTest {

  private static final String TOPIC = "events";
  private static final String GROUP = "e2e-group";

  @TempDir Path dir;
  private TestBroker broker;

  @BeforeEach
  void start() throws Exception {
    broker = TestBroker.start(dir);
    try (RawKafkaConnection c = RawKafkaConnection.to(broker)) {
      ApiVersionsResponse r =
          (ApiVersionsResponse)
              c.send(new ApiVersionsRequest(new ApiVersionsRequestData(), (short) 3));
      Assumptions.assumeTrue(
          r.apiVersion(ApiKeys.JOIN_GROUP.id) != null, "group APIs not wired into the broker");
    }
  }

  @AfterEach
  void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  private Map<String, Object> consumerProps(String clientId) {
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
    p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 300);
    return p;
  }

  private void produce(int from, int count) throws Exception {
    try (KafkaProducer<byte[], byte[]> p = broker.producer(Map.of())) {
      for (int i = from; i < from + count; i++) {
        p.send(new ProducerRecord<>(TOPIC, i % 4, null, Records.utf8("v" + i))).get();
      }
    }
  }

  @Test
  void twoConsumersSharePartitionsAndCommittedOffsetsSurviveRestart() throws Exception {
    try (Admin admin = broker.admin()) {
      admin
          .createTopics(List.of(new NewTopic(TOPIC, 4, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    produce(0, 40);
    Set<String> seen = new HashSet<>();
    Map<TopicPartition, ConsumerRecord<byte[], byte[]>> last = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> c1 = broker.consumer(consumerProps("c1"));
        KafkaConsumer<byte[], byte[]> c2 = broker.consumer(consumerProps("c2"))) {
      c1.subscribe(List.of(TOPIC));
      c2.subscribe(List.of(TOPIC));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      // Poll both until the group settled with two partitions each and everything was read.
      while (System.nanoTime() < deadline
          && (seen.size() < 40 || c1.assignment().size() != 2 || c2.assignment().size() != 2)) {
        for (KafkaConsumer<byte[], byte[]> c : List.of(c1, c2)) {
          for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
            seen.add(Records.str(r.value()));
            last.put(new TopicPartition(r.topic(), r.partition()), r);
          }
        }
      }
      assertThat(seen).hasSize(40);
      assertThat(c1.assignment()).hasSize(2);
      assertThat(c2.assignment()).hasSize(2);
      Set<TopicPartition> all = new HashSet<>(c1.assignment());
      all.addAll(c2.assignment());
      assertThat(all).hasSize(4);

      try (Admin admin = broker.admin()) {
        ConsumerGroupDescription d =
            admin.describeConsumerGroups(List.of(GROUP)).all().get(30, TimeUnit.SECONDS).get(GROUP);
        assertThat(d.groupState()).isEqualTo(GroupState.STABLE);
        assertThat(d.members()).extracting(m -> m.clientId()).containsExactlyInAnyOrder("c1", "c2");
        assertThat(d.members())
            .allSatisfy(m -> assertThat(m.assignment().topicPartitions()).hasSize(2));
      }
      for (KafkaConsumer<byte[], byte[]> c : List.of(c1, c2)) {
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        for (TopicPartition tp : c.assignment()) {
          ConsumerRecord<byte[], byte[]> r = last.get(tp);
          commit.put(
              tp, new OffsetAndMetadata(r.offset() + 1, r.leaderEpoch(), "by-" + tp.partition()));
        }
        c.commitSync(commit);
      }
    }

    broker.restart();

    try (Admin admin = broker.admin()) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin
              .listConsumerGroupOffsets(GROUP)
              .partitionsToOffsetAndMetadata()
              .get(30, TimeUnit.SECONDS);
      assertThat(committed).hasSize(4);
      for (int p = 0; p < 4; p++) {
        OffsetAndMetadata o = committed.get(new TopicPartition(TOPIC, p));
        assertThat(o.offset()).isEqualTo(10);
        assertThat(o.metadata()).isEqualTo("by-" + p);
        assertThat(o.leaderEpoch())
            .contains(last.get(new TopicPartition(TOPIC, p)).leaderEpoch().get());
      }
    }
    produce(40, 4);
    try (KafkaConsumer<byte[], byte[]> c = broker.consumer(consumerProps("c3"))) {
      c.subscribe(List.of(TOPIC));
      List<String> got = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> r : Records.pollUntil(c, 4, Duration.ofSeconds(60))) {
        got.add(Records.str(r.value()));
      }
      // It resumes at the committed offsets: only the new records.
      assertThat(got).containsExactlyInAnyOrder("v40", "v41", "v42", "v43");
    }

    try (Admin admin = broker.admin()) {
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  admin.describeConsumerGroups(List.of(GROUP)).all().get().get(GROUP).groupState()
                      == GroupState.EMPTY);
      assertThat(admin.listGroups().all().get(30, TimeUnit.SECONDS))
          .extracting(g -> g.groupId())
          .contains(GROUP);
      admin.deleteConsumerGroups(List.of(GROUP)).all().get(30, TimeUnit.SECONDS);
      assertThat(admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get())
          .isEmpty();
    }
  }
}
