package dev.ferry.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.it.GroupConfigs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.clients.admin.ShareMemberDescription;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Share-group membership survives the loss of the group's coordinator (KIP-932 on three brokers,
 * {@code __consumer_offsets} RF 3): two {@link KafkaShareConsumer}s share a one-partition topic,
 * accepting every record with {@code commitSync}; midway the broker coordinating the group stops
 * (not the partition's leader). The broker that takes over the group's offsets partition loads the
 * group's members and epoch from it, so the consumers go on heartbeating and consuming (before,
 * they got GROUP_ID_NOT_FOUND, which a share consumer treats as fatal). Every record produced,
 * before and after the stop, is accepted, and none twice.
 *
 * <p>Slow (about 20-40 s): three brokers, a controlled shutdown and the consumers' rediscovery of
 * the coordinator.
 */
@Tag("slow")
class ShareGroupCoordinatorFailoverTest {

  private static final String TOPIC = "coordinator-failover-queue";
  private static final String GROUP = "coordinator-failover-group";
  private static final int BEFORE = 200;
  private static final int AFTER = 100;
  private static final Duration POLL = Duration.ofMillis(100);

  @TempDir Path dir;

  @Test
  void consumersKeepConsumingWhenTheGroupCoordinatorStops() throws Exception {
    Map<String, String> overrides =
        Map.of(
            "group.share.heartbeat.interval.ms", "300",
            "group.share.session.timeout.ms", "10000",
            "share.coordinator.state.topic.num.partitions", "3",
            "share.coordinator.state.topic.replication.factor", "3",
            "share.coordinator.state.topic.min.isr", "2");
    try (TestCluster cluster = TestCluster.start(dir, 3, overrides)) {
      int coordinator;
      try (Admin admin = cluster.admin()) {
        admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get();
        coordinator = cluster.state("__consumer_offsets", Math.abs(GROUP.hashCode()) % 3).leader();
        List<Integer> replicas = new ArrayList<>(List.of(0, 1, 2));
        replicas.remove(Integer.valueOf(coordinator));
        replicas.add(coordinator); // the preferred leader is not the coordinator: it stays up
        admin.createTopics(List.of(new NewTopic(TOPIC, Map.of(0, replicas)))).all().get();
        GroupConfigs.shareFromEarliest(admin, GROUP);
      }
      cluster.awaitFullIsr(TOPIC, 0, 3);
      produce(cluster, 0, BEFORE);

      List<Long> accepted = new ArrayList<>();
      List<KafkaShareConsumer<byte[], byte[]>> consumers =
          List.of(consumer(cluster), consumer(cluster));
      try {
        // Both members join and consume part of the records.
        Awaitility.await()
            .atMost(60, TimeUnit.SECONDS)
            .until(
                () -> {
                  consumers.forEach(c -> consume(c, accepted));
                  return accepted.size() >= BEFORE / 2 && members(cluster).size() == 2;
                });
        Set<String> membersBefore = members(cluster);

        cluster.stopBroker(coordinator);
        produce(cluster, BEFORE, AFTER);
        Awaitility.await()
            .atMost(90, TimeUnit.SECONDS)
            .until(
                () -> {
                  consumers.forEach(c -> consume(c, accepted));
                  return new TreeSet<>(accepted).size() == BEFORE + AFTER;
                });

        assertThat(accepted).doesNotHaveDuplicates();
        assertThat(new TreeSet<>(accepted))
            .containsExactlyElementsOf(
                LongStream.range(0, BEFORE + AFTER).boxed().collect(Collectors.toList()));
        // The new coordinator knows the same two members (restored, not new ones).
        assertThat(cluster.state("__consumer_offsets", Math.abs(GROUP.hashCode()) % 3).leader())
            .isNotEqualTo(coordinator);
        assertThat(members(cluster)).isEqualTo(membersBefore);
      } finally {
        for (KafkaShareConsumer<byte[], byte[]> c : consumers) {
          c.close(Duration.ofSeconds(5));
        }
      }
    }
  }

  /**
   * One poll: every record accepted, then commitSync; the offsets count as accepted only for
   * partitions whose acknowledgement the broker confirmed (a failed one is delivered again).
   */
  private static void consume(KafkaShareConsumer<byte[], byte[]> c, List<Long> accepted) {
    List<Long> polled = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : c.poll(POLL)) {
      c.acknowledge(r, AcknowledgeType.ACCEPT);
      polled.add(r.offset());
    }
    Map<TopicIdPartition, Optional<KafkaException>> result = c.commitSync();
    if (!polled.isEmpty() && result.values().stream().allMatch(Optional::isEmpty)) {
      accepted.addAll(polled);
    }
  }

  private static Set<String> members(TestCluster cluster) throws Exception {
    try (Admin admin = cluster.admin()) {
      ShareGroupDescription g =
          admin.describeShareGroups(List.of(GROUP)).describedGroups().get(GROUP).get();
      return g.members().stream()
          .map(ShareMemberDescription::consumerId)
          .collect(Collectors.toCollection(TreeSet::new));
    }
  }

  private static void produce(TestCluster cluster, int from, int count) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer =
        cluster.producer(Map.of("acks", "all", "linger.ms", 5))) {
      List<Future<RecordMetadata>> sent = new ArrayList<>();
      for (int i = from; i < from + count; i++) {
        sent.add(producer.send(new ProducerRecord<>(TOPIC, String.valueOf(i).getBytes())));
      }
      for (Future<RecordMetadata> f : sent) {
        assertThat(f.get(30, TimeUnit.SECONDS).offset())
            .isBetween((long) from, (long) from + count - 1);
      }
    }
  }

  private static KafkaShareConsumer<byte[], byte[]> consumer(TestCluster cluster) {
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
    p.put(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit");
    p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 1_000);
    p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 20);
    KafkaShareConsumer<byte[], byte[]> c =
        new KafkaShareConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    c.subscribe(List.of(TOPIC));
    return c;
  }
}
