package dev.ferry.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.it.GroupConfigs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Share-group state survives a leader failover (KIP-932 on three brokers, everything RF 3): a
 * {@link KafkaShareConsumer} acknowledges the even offsets of a one-partition topic and holds the
 * odd ones acquired; then the partition's leader stops. The new leader loads the share-partition's
 * state from {@code __share_group_state} (replicated, so whichever broker led its partition) and
 * delivers exactly the odd offsets again, with delivery count 2, then new records once: no
 * acknowledged record is redelivered, every unacknowledged one is.
 *
 * <p>Slow (about 15-30 s): three brokers, a controlled shutdown and the consumers' rediscovery of
 * the new leader.
 */
@Tag("slow")
class ShareGroupFailoverTest {

  private static final String TOPIC = "failover-queue";
  private static final String GROUP = "failover-group";
  private static final int N = 100;
  private static final Duration POLL = Duration.ofMillis(100);

  @TempDir Path dir;

  @Test
  void aNewLeaderRedeliversOnlyWhatWasNotAcknowledged() throws Exception {
    Map<String, String> overrides =
        Map.of(
            "group.share.heartbeat.interval.ms", "300",
            "group.share.session.timeout.ms", "10000",
            "share.coordinator.state.topic.num.partitions", "3",
            "share.coordinator.state.topic.replication.factor", "3",
            "share.coordinator.state.topic.min.isr", "2");
    try (TestCluster cluster = TestCluster.start(dir, 3, overrides)) {
      try (Admin admin = cluster.admin()) {
        // The group's coordinator stays up: this test is about the partition's state
        // (ShareGroupCoordinatorFailoverTest stops the coordinator).
        admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get();
        int coordinator =
            cluster.state("__consumer_offsets", Math.abs(GROUP.hashCode()) % 3).leader();
        List<Integer> replicas = new ArrayList<>(List.of(0, 1, 2));
        replicas.remove(Integer.valueOf(coordinator));
        replicas.add(coordinator); // first: the preferred leader, which is not the coordinator
        admin.createTopics(List.of(new NewTopic(TOPIC, Map.of(0, replicas)))).all().get();
        GroupConfigs.shareFromEarliest(admin, GROUP);
      }
      cluster.awaitFullIsr(TOPIC, 0, 3);
      produce(cluster, 0, N);

      // Accept the even offsets (committed: durable once commitSync returns); hold the odd ones.
      Set<Long> accepted = new TreeSet<>();
      Set<Long> held = new TreeSet<>();
      try (KafkaShareConsumer<byte[], byte[]> first = consumer(cluster, true)) {
        ShareAcknowledging.acceptEvensHoldOdds(
            first, N, POLL, Duration.ofSeconds(30), accepted, held);
        int leader = cluster.state(TOPIC, 0).leader();
        cluster.stopBroker(leader);
        Awaitility.await()
            .atMost(30, TimeUnit.SECONDS)
            .until(() -> cluster.state(TOPIC, 0).leader() != leader);
        first.close(Duration.ofSeconds(5)); // still holding the odd offsets
      }
      produce(cluster, N, 10);

      Map<Long, Short> after = new TreeMap<>();
      List<Long> deliveries = new ArrayList<>();
      try (KafkaShareConsumer<byte[], byte[]> second = consumer(cluster, false)) {
        Awaitility.await()
            .atMost(60, TimeUnit.SECONDS)
            .until(
                () -> {
                  for (ConsumerRecord<byte[], byte[]> r : second.poll(POLL)) {
                    deliveries.add(r.offset());
                    after.put(r.offset(), r.deliveryCount().orElse((short) -1));
                  }
                  second.commitSync();
                  return after.size() >= N / 2 + 10;
                });
      }
      assertThat(deliveries).doesNotHaveDuplicates().doesNotContainAnyElementsOf(accepted);
      Set<Long> expected = new TreeSet<>(held);
      for (long o = N; o < N + 10; o++) {
        expected.add(o);
      }
      assertThat(after.keySet()).isEqualTo(expected);
      for (long o : held) {
        assertThat(after.get(o)).as("delivery count of offset %d", o).isEqualTo((short) 2);
      }
      for (long o = N; o < N + 10; o++) {
        assertThat(after.get(o)).as("delivery count of offset %d", o).isEqualTo((short) 1);
      }
    }
  }

  private static void produce(TestCluster cluster, int from, int count) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer =
        cluster.producer(Map.of("acks", "all", "linger.ms", 5))) {
      for (int i = from; i < from + count; i++) {
        producer.send(new ProducerRecord<>(TOPIC, String.valueOf(i).getBytes())).get();
      }
    }
  }

  private static KafkaShareConsumer<byte[], byte[]> consumer(
      TestCluster cluster, boolean explicit) {
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
