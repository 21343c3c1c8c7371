package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.coordinator.share.SharePartition;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Share groups (KIP-932) with the real {@link KafkaShareConsumer}: queue semantics on one
 * partition, RELEASE/REJECT, the delivery count limit, lock expiry and durable state across a
 * restart. Locks last 2 s here (broker config) so expiry is quick.
 */
class ShareGroupTest {

  private static final String TOPIC = "queue";
  private static final Duration POLL = Duration.ofMillis(100);
  private static final long DEADLINE_MS = 30_000;

  @TempDir Path dir;
  private TestBroker broker;
  private final List<KafkaShareConsumer<byte[], byte[]>> consumers = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    broker =
        TestBroker.start(
            dir,
            Map.of(
                "group.share.record.lock.duration.ms", "2000",
                "group.share.min.record.lock.duration.ms", "1000",
                "group.share.heartbeat.interval.ms", "300",
                "group.share.session.timeout.ms", "10000"));
    try (Admin admin = broker.admin()) {
      admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
    }
  }

  @AfterEach
  void stop() {
    consumers.forEach(c -> c.close(Duration.ofSeconds(5)));
    consumers.clear();
    broker.close();
  }

  private void groupConfig(String group, String name, String value) throws Exception {
    try (Admin admin = broker.admin()) {
      GroupConfigs.set(admin, group, name, value);
    }
  }

  private KafkaShareConsumer<byte[], byte[]> consumer(String group, boolean explicit) {
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, explicit ? "explicit" : "implicit");
    KafkaShareConsumer<byte[], byte[]> c =
        new KafkaShareConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    c.subscribe(List.of(TOPIC));
    consumers.add(c);
    return c;
  }

  private void produce(int from, int count) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of("linger.ms", 5))) {
      for (int i = from; i < from + count; i++) {
        producer.send(new ProducerRecord<>(TOPIC, ByteBuffer.allocate(8).putLong(i).array()));
      }
      producer.flush();
    }
  }

  private static long value(ConsumerRecord<byte[], byte[]> r) {
    return ByteBuffer.wrap(r.value()).getLong();
  }

  private SharePartition sharePartition(String group) {
    Uuid id = broker.broker().metadata().topic(TOPIC).orElseThrow().topicId();
    return broker
        .broker()
        .sharePartitions()
        .loaded(group, new TopicIdPartition(id, 0, TOPIC))
        .orElseThrow();
  }

  @Test
  void threeConsumersOnOnePartitionGetDisjointRecordsCoveringAll() throws Exception {
    int n = 3000;
    groupConfig("queue-group", "share.auto.offset.reset", "earliest");
    produce(0, n);
    List<KafkaShareConsumer<byte[], byte[]>> members =
        List.of(
            consumer("queue-group", false),
            consumer("queue-group", false),
            consumer("queue-group", false));
    List<Set<Long>> received = List.of(new HashSet<>(), new HashSet<>(), new HashSet<>());
    List<Long> all = new ArrayList<>();
    long deadline = System.currentTimeMillis() + DEADLINE_MS;
    while (all.size() < n && System.currentTimeMillis() < deadline) {
      for (int i = 0; i < members.size(); i++) {
        for (ConsumerRecord<byte[], byte[]> r : members.get(i).poll(POLL)) {
          received.get(i).add(value(r));
          all.add(value(r));
          assertThat(r.deliveryCount()).contains((short) 1);
        }
      }
    }
    members.forEach(c -> c.commitSync());
    assertThat(all).hasSize(n).doesNotHaveDuplicates();
    assertThat(new HashSet<>(all)).containsExactlyInAnyOrderElementsOf(range(0, n));
    // Disjoint: no record went to two members. (A member may get none: acquisition is by whole
    // batches, and one member can drain a small topic before the others' first fetch.)
    Set<Long> union = new HashSet<>();
    for (Set<Long> r : received) {
      assertThat(Collections.disjoint(union, r)).as("records delivered to two members").isTrue();
      union.addAll(r);
    }
    Awaitility.await()
        .atMost(10, TimeUnit.SECONDS)
        .until(() -> sharePartition("queue-group").startOffset() == n);
  }

  @Test
  void releaseRedeliversRejectArchivesAndTheDeliveryLimitArchives() throws Exception {
    groupConfig("ack-group", "share.auto.offset.reset", "earliest");
    groupConfig("ack-group", "share.delivery.count.limit", "3");
    produce(0, 3);
    KafkaShareConsumer<byte[], byte[]> c = consumer("ack-group", true);
    Map<Long, List<Short>> deliveries = new HashMap<>();
    // Record 0 accepted, 1 released each time, 2 rejected.
    long deadline = System.currentTimeMillis() + DEADLINE_MS;
    while (System.currentTimeMillis() < deadline && startOffsetOf("ack-group") < 3) {
      for (ConsumerRecord<byte[], byte[]> r : c.poll(POLL)) {
        deliveries.computeIfAbsent(value(r), k -> new ArrayList<>()).add(r.deliveryCount().get());
        long v = value(r);
        c.acknowledge(
            r,
            v == 0
                ? AcknowledgeType.ACCEPT
                : v == 1 ? AcknowledgeType.RELEASE : AcknowledgeType.REJECT);
      }
      c.commitSync();
    }
    assertThat(deliveries.get(0L)).containsExactly((short) 1);
    assertThat(deliveries.get(2L)).containsExactly((short) 1);
    // Released twice, archived when released the third time (the limit): never delivered again.
    assertThat(deliveries.get(1L)).containsExactly((short) 1, (short) 2, (short) 3);
    SharePartition sp = sharePartition("ack-group");
    assertThat(sp.startOffset()).isEqualTo(3);
    assertThat(sp.stateOf(2)).isEqualTo(SharePartition.ARCHIVED);
    produce(3, 1);
    List<Long> after = new ArrayList<>();
    Awaitility.await()
        .atMost(10, TimeUnit.SECONDS)
        .until(
            () -> {
              for (ConsumerRecord<byte[], byte[]> r : c.poll(POLL)) {
                after.add(value(r));
                c.acknowledge(r, AcknowledgeType.ACCEPT);
              }
              c.commitSync();
              return !after.isEmpty();
            });
    assertThat(after).containsExactly(3L);
  }

  /** The start offset once loaded, else 0 (no consumer has fetched yet). */
  private long startOffsetOf(String group) {
    Uuid id = broker.broker().metadata().topic(TOPIC).orElseThrow().topicId();
    return broker
        .broker()
        .sharePartitions()
        .loaded(group, new TopicIdPartition(id, 0, TOPIC))
        .map(SharePartition::startOffset)
        .orElse(0L);
  }

  @Test
  void recordsOfAConsumerThatStopsGoToOthersAfterTheLock() throws Exception {
    groupConfig("lock-group", "share.auto.offset.reset", "earliest");
    produce(0, 10);
    KafkaShareConsumer<byte[], byte[]> stuck = consumer("lock-group", true);
    List<Long> held = new ArrayList<>();
    Awaitility.await()
        .atMost(20, TimeUnit.SECONDS)
        .until(
            () -> {
              stuck.poll(POLL).forEach(r -> held.add(value(r)));
              return held.size() == 10;
            });
    // The stuck consumer neither acknowledges nor polls again; its locks expire after 2 s.
    KafkaShareConsumer<byte[], byte[]> other = consumer("lock-group", false);
    Map<Long, Short> redelivered = new HashMap<>();
    Awaitility.await()
        .atMost(20, TimeUnit.SECONDS)
        .until(
            () -> {
              other.poll(POLL).forEach(r -> redelivered.put(value(r), r.deliveryCount().get()));
              return redelivered.size() == 10;
            });
    assertThat(redelivered.keySet()).containsExactlyInAnyOrderElementsOf(range(0, 10));
    assertThat(new HashSet<>(redelivered.values())).containsExactly((short) 2);
  }

  @Test
  void aRestartRedeliversOnlyWhatWasNotAcknowledged() throws Exception {
    groupConfig("durable-group", "share.auto.offset.reset", "earliest");
    int n = 200;
    produce(0, n);
    KafkaShareConsumer<byte[], byte[]> c = consumer("durable-group", true);
    Set<Long> accepted = new HashSet<>();
    Set<Long> seen = new HashSet<>();
    Awaitility.await()
        .atMost(20, TimeUnit.SECONDS)
        .until(
            () -> {
              for (ConsumerRecord<byte[], byte[]> r : c.poll(POLL)) {
                seen.add(value(r));
                // Accept the even ones; the odd ones stay acquired, never acknowledged.
                if (value(r) % 2 == 0) {
                  c.acknowledge(r, AcknowledgeType.ACCEPT);
                  accepted.add(value(r));
                }
              }
              c.commitSync();
              return seen.size() == n;
            });
    consumers.remove(c);
    c.close(Duration.ofSeconds(5));
    broker.restart();
    KafkaShareConsumer<byte[], byte[]> after = consumer("durable-group", false);
    Set<Long> redelivered = new HashSet<>();
    Awaitility.await()
        .atMost(20, TimeUnit.SECONDS)
        .until(
            () -> {
              after.poll(POLL).forEach(r -> redelivered.add(value(r)));
              return redelivered.size() >= n / 2;
            });
    after.commitSync();
    assertThat(redelivered).doesNotContainAnyElementsOf(accepted);
    Set<Long> odd = new HashSet<>();
    for (long i = 1; i < n; i += 2) {
      odd.add(i);
    }
    assertThat(redelivered).isEqualTo(odd);
  }

  private static Collection<Long> range(long from, long to) {
    List<Long> out = new ArrayList<>();
    for (long i = from; i < to; i++) {
      out.add(i);
    }
    return out;
  }
}
