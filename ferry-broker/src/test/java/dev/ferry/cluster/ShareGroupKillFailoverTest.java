package dev.ferry.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.it.GroupConfigs;
import dev.ferry.metadata.PartitionState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Share-group state survives a leader being SIGKILLed (KIP-932 on three broker JVMs, everything RF
 * 3): a {@link KafkaShareConsumer} accepts the even offsets of a one-partition topic (each
 * commitSync answered once the state is replicated) and holds the odd ones acquired; then the
 * partition's leader is killed with no chance to write anything more. The new leader loads the
 * share-partition's state from the replicated {@code __share_group_state} and delivers the odd
 * offsets again (delivery count at least 2: the first consumer, still open, may take some of them
 * once more from the new leader before it closes) and new records once; no accepted offset is
 * delivered again.
 *
 * <p>Slow (about 30-60 s): three broker JVMs and a ZooKeeper session expiry for the dead one.
 */
@Tag("slow")
class ShareGroupKillFailoverTest {

  private static final String TOPIC = "kill-failover-queue";
  private static final String GROUP = "kill-failover-group";
  private static final int N = 100;
  private static final int LATER = 10;
  private static final int SESSION_MS = 6_000;
  private static final Duration POLL = Duration.ofMillis(100);

  @TempDir Path dir;

  private ProcessCluster cluster;

  @AfterEach
  void tearDown() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** One offsets partition: the test knows which broker coordinates the group. */
  private static Map<String, String> shareConfig(int brokerId) {
    return Map.of(
        "offsets.topic.num.partitions", "1",
        "group.share.heartbeat.interval.ms", "300",
        "group.share.session.timeout.ms", "10000",
        "share.coordinator.state.topic.num.partitions", "3",
        "share.coordinator.state.topic.replication.factor", "3",
        "share.coordinator.state.topic.min.isr", "2");
  }

  private PartitionState state(String topic, int p) {
    return cluster.state(topic, p);
  }

  @Test
  void aKilledLeadersSuccessorRedeliversOnlyWhatWasNotAcknowledged() throws Exception {
    cluster = ProcessCluster.start(dir, 3, SESSION_MS, ShareGroupKillFailoverTest::shareConfig);
    try (Admin admin = cluster.admin()) {
      admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get();
      int coordinator = state("__consumer_offsets", 0).leader();
      List<Integer> replicas = new ArrayList<>(List.of(0, 1, 2));
      replicas.remove(Integer.valueOf(coordinator));
      replicas.add(coordinator); // the preferred leader, killed below, is not the coordinator
      admin
          .createTopics(
              List.of(
                  new NewTopic(TOPIC, Map.of(0, replicas))
                      .configs(Map.of("min.insync.replicas", "2"))))
          .all()
          .get();
      GroupConfigs.shareFromEarliest(admin, GROUP);
    }
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> cluster.fullIsr(TOPIC, 1));
    produce(0, N);

    Set<Long> accepted = new TreeSet<>();
    Set<Long> held = new TreeSet<>();
    try (KafkaShareConsumer<byte[], byte[]> first = consumer(true)) {
      ShareAcknowledging.acceptEvensHoldOdds(
          first, N, POLL, Duration.ofSeconds(60), accepted, held);
      int leader = state(TOPIC, 0).leader();
      cluster.kill(leader);
      Awaitility.await()
          .atMost(60, TimeUnit.SECONDS)
          .pollInterval(Duration.ofMillis(100))
          .until(() -> state(TOPIC, 0).leader() >= 0 && state(TOPIC, 0).leader() != leader);
      first.close(Duration.ofSeconds(5));
    }
    produce(N, LATER);

    Map<Long, Short> after = new TreeMap<>();
    List<Long> deliveries = new ArrayList<>();
    try (KafkaShareConsumer<byte[], byte[]> second = consumer(false)) {
      Awaitility.await()
          .atMost(60, TimeUnit.SECONDS)
          .until(
              () -> {
                for (ConsumerRecord<byte[], byte[]> r : second.poll(POLL)) {
                  deliveries.add(r.offset());
                  after.put(r.offset(), r.deliveryCount().orElse((short) -1));
                }
                second.commitSync();
                return after.size() >= held.size() + LATER;
              });
    }
    assertThat(held).hasSize(N / 2);
    assertThat(deliveries).doesNotHaveDuplicates().doesNotContainAnyElementsOf(accepted);
    Set<Long> expected = new TreeSet<>(held);
    for (long o = N; o < N + LATER; o++) {
      expected.add(o);
    }
    assertThat(after.keySet()).isEqualTo(expected);
    for (long o : held) {
      assertThat(after.get(o))
          .as("delivery count of offset %d", o)
          .isGreaterThanOrEqualTo((short) 2);
    }
    for (long o = N; o < N + LATER; o++) {
      assertThat(after.get(o)).as("delivery count of offset %d", o).isEqualTo((short) 1);
    }
  }

  private void produce(int from, int count) throws Exception {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, 5);
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer())) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (int i = from; i < from + count; i++) {
        sent.add(producer.send(new ProducerRecord<>(TOPIC, String.valueOf(i).getBytes())));
      }
      for (Future<RecordMetadata> f : sent) {
        assertThat(f.get(60, TimeUnit.SECONDS).offset())
            .isBetween((long) from, (long) from + count - 1);
      }
    }
  }

  private KafkaShareConsumer<byte[], byte[]> consumer(boolean explicit) {
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
    p.put(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, explicit ? "explicit" : "implicit");
    p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 1_000);
    KafkaShareConsumer<byte[], byte[]> c =
        new KafkaShareConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    c.subscribe(List.of(TOPIC));
    return c;
  }
}
