package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Consumer groups with the real KafkaConsumer: balance, rebalance, commits, static members. */
class ConsumerGroupTest {

  private static final int PARTITIONS = 6;

  @TempDir Path dir;
  private TestBroker broker;

  @BeforeEach
  void start() {
    broker = TestBroker.start(dir);
  }

  @AfterEach
  void stop() {
    broker.close();
  }

  @Test
  void threeMembersShareSixPartitionsAndConsumeEverythingOnce() throws Exception {
    String topic = createTopic("shared");
    int count = 30_000;

    List<ConsumerRecord<byte[], byte[]>> all = new CopyOnWriteArrayList<>();
    Map<Integer, Set<TopicPartition>> assignments = new ConcurrentHashMap<>();
    List<KafkaConsumer<byte[], byte[]>> members = new ArrayList<>();
    for (int m = 0; m < 3; m++) {
      KafkaConsumer<byte[], byte[]> c = broker.consumer(groupConfig("g-shared", Map.of()));
      c.subscribe(List.of(topic));
      members.add(c);
    }
    try {
      // Let the group settle with all three members before any data exists, so no member reads
      // a partition it is about to lose (without commits, that would be re-read: at-least-once).
      awaitEveryMemberAssigned(members);
      produce(topic, 0, count);
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (all.size() < count && System.nanoTime() < deadline) {
        for (int m = 0; m < members.size(); m++) {
          for (ConsumerRecord<byte[], byte[]> r : members.get(m).poll(Duration.ofMillis(100))) {
            all.add(r);
          }
          assignments.put(m, new HashSet<>(members.get(m).assignment()));
        }
      }
      assertThat(all).hasSize(count);
      // Every partition belongs to exactly one member, and every member has some.
      Set<TopicPartition> union = new HashSet<>();
      int total = 0;
      for (Set<TopicPartition> a : assignments.values()) {
        assertThat(a).isNotEmpty();
        union.addAll(a);
        total += a.size();
      }
      assertThat(union).hasSize(PARTITIONS);
      assertThat(total).isEqualTo(PARTITIONS);
      assertExactlyOnceInOrder(all, count);
    } finally {
      for (KafkaConsumer<byte[], byte[]> c : members) {
        c.close(CloseOptions.timeout(Duration.ofSeconds(5)));
      }
    }
  }

  @Test
  void partitionsOfAClosedMemberMoveToTheOthers() throws Exception {
    String topic = createTopic("moving");
    KafkaConsumer<byte[], byte[]> a = broker.consumer(groupConfig("g-move", Map.of()));
    KafkaConsumer<byte[], byte[]> b = broker.consumer(groupConfig("g-move", Map.of()));
    a.subscribe(List.of(topic));
    b.subscribe(List.of(topic));
    try {
      awaitEveryMemberAssigned(List.of(a, b));
      b.close(CloseOptions.timeout(Duration.ofSeconds(5)));
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                a.poll(Duration.ofMillis(100));
                return a.assignment().size() == PARTITIONS;
              });
    } finally {
      a.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
  }

  @Test
  void cooperativeStickyMovesOnlyWhatTheNewMemberGets() throws Exception {
    String topic = createTopic("sticky");
    Map<String, Object> coop =
        Map.of(
            ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG,
            CooperativeStickyAssignor.class.getName());
    List<TopicPartition> revokedFromFirst = new CopyOnWriteArrayList<>();
    KafkaConsumer<byte[], byte[]> first = broker.consumer(groupConfig("g-coop", coop));
    first.subscribe(
        List.of(topic),
        new ConsumerRebalanceListener() {
          @Override
          public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            revokedFromFirst.addAll(partitions);
          }

          @Override
          public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}
        });
    KafkaConsumer<byte[], byte[]> second = broker.consumer(groupConfig("g-coop", coop));
    try {
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                first.poll(Duration.ofMillis(100));
                return first.assignment().size() == PARTITIONS;
              });
      second.subscribe(List.of(topic));
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(
              () -> {
                first.poll(Duration.ofMillis(100));
                second.poll(Duration.ofMillis(100));
                return first.assignment().size() == 3 && second.assignment().size() == 3;
              });
      // Only the three partitions that moved were revoked from the first member.
      assertThat(new HashSet<>(revokedFromFirst)).hasSize(3);
      assertThat(revokedFromFirst).doesNotContainAnyElementsOf(first.assignment());
    } finally {
      first.close(CloseOptions.timeout(Duration.ofSeconds(5)));
      second.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
  }

  @Test
  void committedOffsetsSurviveRestartAndANewMemberResumesAfterThem() throws Exception {
    String topic = createTopic("resume");
    produce(topic, 0, 600);
    try (KafkaConsumer<byte[], byte[]> c = broker.consumer(groupConfig("g-resume", Map.of()))) {
      c.subscribe(List.of(topic));
      List<ConsumerRecord<byte[], byte[]>> got = Records.pollUntil(c, 600, Duration.ofSeconds(60));
      assertThat(got).hasSize(600);
      Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
      for (int p = 0; p < PARTITIONS; p++) {
        commit.put(new TopicPartition(topic, p), new OffsetAndMetadata(50, "meta-" + p));
      }
      c.commitSync(commit);
    }
    broker.restart();
    try (Admin admin = broker.admin()) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets("g-resume").partitionsToOffsetAndMetadata().get();
      assertThat(committed).hasSize(PARTITIONS);
      for (int p = 0; p < PARTITIONS; p++) {
        OffsetAndMetadata om = committed.get(new TopicPartition(topic, p));
        assertThat(om.offset()).isEqualTo(50);
        assertThat(om.metadata()).isEqualTo("meta-" + p);
      }
    }
    try (KafkaConsumer<byte[], byte[]> c = broker.consumer(groupConfig("g-resume", Map.of()))) {
      c.subscribe(List.of(topic));
      List<ConsumerRecord<byte[], byte[]>> got =
          Records.pollUntil(c, PARTITIONS * 50, Duration.ofSeconds(60));
      assertThat(got).hasSize(PARTITIONS * 50);
      for (ConsumerRecord<byte[], byte[]> r : got) {
        assertThat(r.offset()).isBetween(50L, 99L);
      }
    }
  }

  @Test
  void staticMemberRejoinsWithoutRebalanceAndKeepsItsPartitions() throws Exception {
    String topic = createTopic("static");
    Map<String, Object> staticA = Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "member-a");
    Map<String, Object> staticB = Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, "member-b");
    KafkaConsumer<byte[], byte[]> a = broker.consumer(groupConfig("g-static", staticA));
    KafkaConsumer<byte[], byte[]> b = broker.consumer(groupConfig("g-static", staticB));
    a.subscribe(List.of(topic));
    b.subscribe(List.of(topic));
    Set<TopicPartition> aBefore;
    Set<TopicPartition> bBefore;
    try {
      awaitEveryMemberAssigned(List.of(a, b));
      aBefore = new HashSet<>(a.assignment());
      bBefore = new HashSet<>(b.assignment());
      int generationBefore = describe("g-static").members().size();
      assertThat(generationBefore).isEqualTo(2);
      // A static member's close does not leave the group: its session keeps its partitions.
      a.close(CloseOptions.timeout(Duration.ofSeconds(5)));
      KafkaConsumer<byte[], byte[]> a2 = broker.consumer(groupConfig("g-static", staticA));
      try {
        a2.subscribe(List.of(topic));
        Awaitility.await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> {
                  a2.poll(Duration.ofMillis(100));
                  b.poll(Duration.ofMillis(100));
                  return !a2.assignment().isEmpty();
                });
        assertThat(a2.assignment()).isEqualTo(aBefore);
        assertThat(b.assignment()).isEqualTo(bBefore);
      } finally {
        a2.close(CloseOptions.timeout(Duration.ofSeconds(5)));
      }
    } finally {
      b.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
  }

  @Test
  void adminDescribesGroupWithMembersAndAssignments() throws Exception {
    String topic = createTopic("described");
    produce(topic, 0, 60);
    try (KafkaConsumer<byte[], byte[]> c = broker.consumer(groupConfig("g-desc", Map.of()));
        Admin admin = broker.admin()) {
      c.subscribe(List.of(topic));
      Records.pollUntil(c, 60, Duration.ofSeconds(60));
      c.commitSync();
      ConsumerGroupDescription d = describe("g-desc");
      assertThat(d.groupId()).isEqualTo("g-desc");
      assertThat(d.members()).hasSize(1);
      MemberDescription m = d.members().iterator().next();
      assertThat(m.assignment().topicPartitions()).hasSize(PARTITIONS);
      assertThat(admin.listGroups().all().get())
          .anySatisfy(l -> assertThat(l.groupId()).isEqualTo("g-desc"));
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin.listConsumerGroupOffsets("g-desc").partitionsToOffsetAndMetadata().get();
      long committedTotal = offsets.values().stream().mapToLong(OffsetAndMetadata::offset).sum();
      assertThat(committedTotal).isEqualTo(60);
    }
  }

  /**
   * Polls every member (each must poll to rejoin) until all partitions are assigned and every
   * member has some.
   */
  private static void awaitEveryMemberAssigned(List<KafkaConsumer<byte[], byte[]>> members) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              int assigned = 0;
              boolean everyoneHasSome = true;
              for (KafkaConsumer<byte[], byte[]> c : members) {
                c.poll(Duration.ofMillis(50));
                everyoneHasSome &= !c.assignment().isEmpty();
                assigned += c.assignment().size();
              }
              return everyoneHasSome && assigned == PARTITIONS;
            });
  }

  private ConsumerGroupDescription describe(String group) throws Exception {
    try (Admin admin = broker.admin()) {
      return admin.describeConsumerGroups(List.of(group)).all().get().get(group);
    }
  }

  private Map<String, Object> groupConfig(String group, Map<String, Object> extra) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    c.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
    c.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 500);
    c.putAll(extra);
    return c;
  }

  private String createTopic(String name) throws Exception {
    try (Admin admin = broker.admin()) {
      admin.createTopics(List.of(new NewTopic(name, PARTITIONS, (short) 1))).all().get();
    }
    return name;
  }

  private void produce(String topic, int from, int to) throws Exception {
    try (KafkaProducer<byte[], byte[]> p = broker.producer(Map.of())) {
      for (int i = from; i < to; i++) {
        p.send(
            new ProducerRecord<>(topic, i % PARTITIONS, null, Records.utf8(Integer.toString(i))));
      }
      p.flush();
    }
  }

  /** Each value 0..count-1 exactly once, and ascending within each partition. */
  private static void assertExactlyOnceInOrder(
      List<ConsumerRecord<byte[], byte[]>> all, int count) {
    Set<Integer> seen = new HashSet<>();
    Map<Integer, Integer> lastPerPartition = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : all) {
      int v = Integer.parseInt(Records.str(r.value()));
      assertThat(seen.add(v)).as("duplicate %d", v).isTrue();
      Integer last = lastPerPartition.put(r.partition(), v);
      if (last != null) {
        assertThat(v).as("order in partition %d", r.partition()).isGreaterThan(last);
      }
    }
    assertThat(seen).hasSize(count);
  }
}
