package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.clients.consumer.AcknowledgeType;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupNotEmptyException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The share-group offset admin APIs with the real Admin client and {@link KafkaShareConsumer}:
 * start offset and lag after some records were acknowledged, alter and delete refused while a
 * consumer is in the group, and an alter (or delete) on the empty group moving where the next
 * consumer starts.
 */
class ShareGroupOffsetsTest {

  private static final String TOPIC = "offsets-queue";
  private static final String GROUP = "offsets-group";
  private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
  private static final Duration POLL = Duration.ofMillis(100);
  private static final long DEADLINE_MS = 20_000;

  @TempDir Path dir;
  private TestBroker broker;
  private Admin admin;

  @BeforeEach
  void start() throws Exception {
    broker = TestBroker.start(dir, Map.of("group.share.heartbeat.interval.ms", "300"));
    admin = broker.admin();
    admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
    GroupConfigs.shareFromEarliest(admin, GROUP);
    // Ten records in one batch, so the first fetch hands all of them to one consumer.
    try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of("linger.ms", 200))) {
      for (long i = 0; i < 10; i++) {
        producer.send(new ProducerRecord<>(TOPIC, ByteBuffer.allocate(8).putLong(i).array()));
      }
      producer.flush();
    }
  }

  @AfterEach
  void stop() {
    admin.close();
    broker.close();
  }

  private KafkaShareConsumer<byte[], byte[]> consumer() {
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
    p.put(ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG, "explicit");
    KafkaShareConsumer<byte[], byte[]> c =
        new KafkaShareConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    c.subscribe(List.of(TOPIC));
    return c;
  }

  /** The first non-empty poll (bounded). */
  private static List<ConsumerRecord<byte[], byte[]>> firstRecords(
      KafkaShareConsumer<byte[], byte[]> c) {
    long deadline = System.currentTimeMillis() + DEADLINE_MS;
    while (System.currentTimeMillis() < deadline) {
      List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
      c.poll(POLL).forEach(out::add);
      if (!out.isEmpty()) {
        return out;
      }
    }
    throw new AssertionError("No records within " + DEADLINE_MS + " ms");
  }

  private static List<Long> offsets(List<ConsumerRecord<byte[], byte[]>> records) {
    return records.stream().map(ConsumerRecord::offset).toList();
  }

  private Map<TopicPartition, SharePartitionOffsetInfo> describe(ListShareGroupOffsetsSpec spec)
      throws Exception {
    return admin.listShareGroupOffsets(Map.of(GROUP, spec)).partitionsToOffsetInfo(GROUP).get();
  }

  /** Accepts 0-2, 5 and 6, rejects 7, leaves 3, 4, 8 and 9 unacknowledged (released on close). */
  private void consumeSome() {
    try (KafkaShareConsumer<byte[], byte[]> c = consumer()) {
      List<ConsumerRecord<byte[], byte[]>> records = firstRecords(c);
      assertThat(offsets(records)).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
      for (ConsumerRecord<byte[], byte[]> r : records) {
        long o = r.offset();
        if (o <= 2 || o == 5 || o == 6) {
          c.acknowledge(r, AcknowledgeType.ACCEPT);
        } else if (o == 7) {
          c.acknowledge(r, AcknowledgeType.REJECT);
        } else {
          c.acknowledge(r, AcknowledgeType.RELEASE);
        }
      }
      c.commitSync(Duration.ofSeconds(10));
    }
    awaitEmpty();
  }

  /** The closed consumer's leave reached the coordinator. */
  private void awaitEmpty() {
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                admin
                        .describeShareGroups(List.of(GROUP))
                        .describedGroups()
                        .get(GROUP)
                        .get()
                        .groupState()
                    == GroupState.EMPTY);
  }

  @Test
  void lagAfterAcknowledgementsAlterRefusedWhileInUseThenMovesTheNextConsumer() throws Exception {
    consumeSome();
    // Start offset 3 (0-2 accepted); in flight past it 5, 6 and 7 are done: lag = 10 - 3 - 3.
    Map<TopicPartition, SharePartitionOffsetInfo> all = describe(new ListShareGroupOffsetsSpec());
    assertThat(all).containsOnlyKeys(TP);
    assertThat(all.get(TP).startOffset()).isEqualTo(3L);
    assertThat(all.get(TP).lag()).contains(4L);
    Map<TopicPartition, SharePartitionOffsetInfo> one =
        describe(new ListShareGroupOffsetsSpec().topicPartitions(List.of(TP)));
    assertThat(one.get(TP).startOffset()).isEqualTo(3L);
    assertThat(one.get(TP).lag()).contains(4L);

    try (KafkaShareConsumer<byte[], byte[]> member = consumer()) {
      List<ConsumerRecord<byte[], byte[]>> records = firstRecords(member); // it has joined
      assertThat(offsets(records)).containsExactly(3L, 4L, 8L, 9L);
      records.forEach(r -> member.acknowledge(r, AcknowledgeType.RELEASE));
      member.commitSync(Duration.ofSeconds(10));
      assertThatThrownBy(() -> admin.alterShareGroupOffsets(GROUP, Map.of(TP, 8L)).all().get())
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(GroupNotEmptyException.class);
      assertThatThrownBy(() -> admin.deleteShareGroupOffsets(GROUP, Set.of(TOPIC)).all().get())
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(GroupNotEmptyException.class);
    }
    awaitEmpty();
    assertThat(describe(new ListShareGroupOffsetsSpec()).get(TP).startOffset()).isEqualTo(3L);

    admin.alterShareGroupOffsets(GROUP, Map.of(TP, 8L)).all().get();
    SharePartitionOffsetInfo info = describe(new ListShareGroupOffsetsSpec()).get(TP);
    assertThat(info.startOffset()).isEqualTo(8L);
    assertThat(info.lag()).contains(2L);
    try (KafkaShareConsumer<byte[], byte[]> c = consumer()) {
      List<ConsumerRecord<byte[], byte[]>> moved = firstRecords(c);
      assertThat(offsets(moved)).containsExactly(8L, 9L);
      assertThat(moved).allSatisfy(r -> assertThat(r.deliveryCount()).contains((short) 1));
      moved.forEach(r -> c.acknowledge(r, AcknowledgeType.ACCEPT));
      c.commitSync(Duration.ofSeconds(10));
    }
    info = describe(new ListShareGroupOffsetsSpec()).get(TP);
    assertThat(info.startOffset()).isEqualTo(10L);
    assertThat(info.lag()).contains(0L);
  }

  @Test
  void deleteOnTheEmptyGroupStartsItAfresh() throws Exception {
    consumeSome();
    admin.deleteShareGroupOffsets(GROUP, Set.of(TOPIC)).all().get();
    assertThat(describe(new ListShareGroupOffsetsSpec())).doesNotContainKey(TP);
    // share.auto.offset.reset=earliest: everything again, each a first delivery.
    try (KafkaShareConsumer<byte[], byte[]> c = consumer()) {
      List<ConsumerRecord<byte[], byte[]>> records = firstRecords(c);
      assertThat(offsets(records)).containsExactly(0L, 1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
      assertThat(records).allSatisfy(r -> assertThat(r.deliveryCount()).contains((short) 1));
      records.forEach(r -> c.acknowledge(r, AcknowledgeType.ACCEPT));
      c.commitSync(Duration.ofSeconds(10));
    }
  }
}
