package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
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
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.SubscriptionPattern;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ConsumerGroupHeartbeatRequest;
import org.apache.kafka.common.requests.ConsumerGroupHeartbeatResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetCommitResponse;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The consumer group protocol of KIP-848 with the real Java client ({@code
 * group.protocol=consumer}): server-side assignment, incremental reconciliation, commits checked
 * against member epochs, regex subscriptions.
 */
class ConsumerProtocolGroupTest {

  private static final int PARTITIONS = 12;

  @TempDir Path dir;
  private TestBroker broker;

  @BeforeEach
  void start() {
    broker =
        TestBroker.start(
            dir,
            Map.of(
                "group.consumer.min.session.timeout.ms", "2000",
                "group.consumer.session.timeout.ms", "6000",
                "group.consumer.min.heartbeat.interval.ms", "200",
                "group.consumer.heartbeat.interval.ms", "500"));
  }

  @AfterEach
  void stop() {
    broker.close();
  }

  /** A consumer of {@code group} that remembers every partition it was given or lost. */
  private static final class Member implements ConsumerRebalanceListener {
    final KafkaConsumer<byte[], byte[]> consumer;
    final Set<TopicPartition> everAssigned = ConcurrentHashMap.newKeySet();
    final Set<TopicPartition> revoked = ConcurrentHashMap.newKeySet();
    final Map<TopicPartition, Long> positions = new HashMap<>();

    Member(TestBroker broker, String group, Map<String, Object> extra) {
      Map<String, Object> p = new HashMap<>(extra);
      p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
      p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
      p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 2000);
      consumer = broker.consumer(p);
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      revoked.addAll(partitions);
      // Commit what was consumed of the partitions that go, so their next owner resumes there.
      Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
      for (TopicPartition tp : partitions) {
        Long next = positions.get(tp);
        if (next != null) {
          commit.put(tp, new OffsetAndMetadata(next));
        }
      }
      if (!commit.isEmpty()) {
        consumer.commitSync(commit);
      }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      everAssigned.addAll(partitions);
    }

    void pollInto(Map<TopicPartition, List<Long>> seen) {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
        TopicPartition tp = new TopicPartition(r.topic(), r.partition());
        seen.computeIfAbsent(tp, k -> new ArrayList<>()).add(ByteBuffer.wrap(r.value()).getLong());
        positions.put(tp, r.offset() + 1);
      }
    }
  }

  @Test
  void threeMembersBalanceTwelvePartitionsAndAFourthTakesOnlyWhatMoves() throws Exception {
    String topic = createTopic("orders", PARTITIONS);
    int count = 60_000;
    produce(topic, 0, count);

    List<Member> members = new ArrayList<>();
    Map<TopicPartition, List<Long>> seen = new HashMap<>();
    for (int i = 0; i < 3; i++) {
      Member m = new Member(broker, "kip848", Map.of());
      m.consumer.subscribe(List.of(topic), m);
      members.add(m);
    }
    try {
      pollUntil(members, seen, () -> total(seen) >= count, 90);
      // Exactly once, in order: partition p holds sequence numbers p, p + 12, p + 24, ...
      assertThat(total(seen)).isEqualTo(count);
      for (int p = 0; p < PARTITIONS; p++) {
        List<Long> got = seen.get(new TopicPartition(topic, p));
        assertThat(got).hasSize(count / PARTITIONS);
        for (int i = 0; i < got.size(); i++) {
          assertThat(got.get(i)).isEqualTo((long) p + (long) i * PARTITIONS);
        }
      }
      List<Set<TopicPartition>> before = new ArrayList<>();
      for (Member m : members) {
        before.add(new HashSet<>(m.consumer.assignment()));
      }
      assertThat(before).allSatisfy(a -> assertThat(a).hasSize(4));
      for (Member m : members) {
        m.consumer.commitSync();
        m.revoked.clear();
      }

      // A fourth member: it gets three partitions, one from each; nobody loses anything else.
      Member fourth = new Member(broker, "kip848", Map.of());
      fourth.consumer.subscribe(List.of(topic), fourth);
      List<Member> all = new ArrayList<>(members);
      all.add(fourth);
      long t0 = System.nanoTime();
      pollUntil(all, seen, () -> fourth.consumer.assignment().size() == 3, 60);
      long joinMs = (System.nanoTime() - t0) / 1_000_000;
      Set<TopicPartition> moved = fourth.consumer.assignment();
      for (int i = 0; i < 3; i++) {
        Member m = members.get(i);
        assertThat(m.consumer.assignment()).hasSize(3);
        assertThat(before.get(i)).containsAll(m.consumer.assignment());
        // Only the partition that moved was revoked: the others were never interrupted.
        assertThat(m.revoked).hasSize(1);
        assertThat(moved).containsAll(m.revoked);
      }
      System.out.printf("KIP-848: fourth member assigned after %d ms%n", joinMs);

      // Records produced now are consumed exactly once by the four, the moved partitions
      // resuming from the offsets committed on revocation.
      seen.clear();
      produce(topic, count, 12_000);
      pollUntil(all, seen, () -> total(seen) >= 12_000, 60);
      assertThat(total(seen)).isEqualTo(12_000);
      for (Map.Entry<TopicPartition, List<Long>> e : seen.entrySet()) {
        assertThat(e.getValue()).hasSize(1_000).isSorted();
      }

      try (Admin admin = broker.admin()) {
        ConsumerGroupDescription d =
            admin.describeConsumerGroups(List.of("kip848")).all().get().get("kip848");
        assertThat(d.type()).isEqualTo(GroupType.CONSUMER);
        assertThat(d.groupState().toString()).isEqualTo("Stable");
        assertThat(d.members()).hasSize(4);
        Set<TopicPartition> covered = new HashSet<>();
        for (MemberDescription md : d.members()) {
          assertThat(md.assignment().topicPartitions()).hasSize(3);
          covered.addAll(md.assignment().topicPartitions());
        }
        assertThat(covered).hasSize(PARTITIONS);
        Collection<GroupListing> listed = admin.listGroups().all().get();
        assertThat(listed)
            .filteredOn(g -> g.groupId().equals("kip848"))
            .singleElement()
            .satisfies(g -> assertThat(g.type()).contains(GroupType.CONSUMER));
      }
      fourth.consumer.close();
    } finally {
      for (Member m : members) {
        m.consumer.close();
      }
    }
  }

  @Test
  void regexSubscriptionPicksUpATopicCreatedLater() throws Exception {
    String first = createTopic("events-a", 2);
    produce(first, 0, 100);
    Member m = new Member(broker, "regex", Map.of());
    m.consumer.subscribe(new SubscriptionPattern("events-.*"), m);
    Map<TopicPartition, List<Long>> seen = new HashMap<>();
    try {
      pollUntil(List.of(m), seen, () -> total(seen) >= 100, 60);
      String later = createTopic("events-b", 3);
      produce(later, 1_000, 90);
      pollUntil(List.of(m), seen, () -> total(seen) >= 190, 60);
      assertThat(m.consumer.assignment()).hasSize(5);
      assertThat(seen.keySet())
          .extracting(TopicPartition::topic)
          .containsOnly("events-a", "events-b");
      assertThat(total(seen)).isEqualTo(190);
    } finally {
      m.consumer.close();
    }
  }

  @Test
  void aKilledMembersPartitionsMoveAfterItsSessionAndResumeFromItsCommits() throws Exception {
    String topic = createTopic("work", 4);
    produce(topic, 0, 400);
    Uuid topicId;
    try (Admin admin = broker.admin()) {
      topicId = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).topicId();
    }
    // A member that joins, takes all four partitions, commits offset 50 of each and then dies
    // without a word (a SIGKILLed process: its connection just goes away).
    try (RawKafkaConnection doomed = RawKafkaConnection.to(broker)) {
      doomed.send(
          new FindCoordinatorRequest.Builder(
                  new FindCoordinatorRequestData()
                      .setKeyType((byte) 0)
                      .setCoordinatorKeys(List.of("killed")))
              .build((short) 4));
      ConsumerGroupHeartbeatResponseData[] joined = new ConsumerGroupHeartbeatResponseData[1];
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                joined[0] =
                    ((ConsumerGroupHeartbeatResponse)
                            doomed.send(
                                new ConsumerGroupHeartbeatRequest.Builder(
                                        new ConsumerGroupHeartbeatRequestData()
                                            .setGroupId("killed")
                                            .setMemberId("doomed")
                                            .setMemberEpoch(0)
                                            .setRebalanceTimeoutMs(30_000)
                                            .setSubscribedTopicNames(List.of(topic))
                                            .setTopicPartitions(List.of()))
                                    .build((short) 1)))
                        .data();
                return joined[0].errorCode() == Errors.NONE.code();
              });
      assertThat(joined[0].assignment().topicPartitions())
          .singleElement()
          .satisfies(
              tp -> {
                assertThat(tp.topicId()).isEqualTo(topicId);
                assertThat(tp.partitions()).containsExactlyInAnyOrder(0, 1, 2, 3);
              });
      OffsetCommitRequestData.OffsetCommitRequestTopic commit =
          new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(topic);
      for (int p = 0; p < 4; p++) {
        commit
            .partitions()
            .add(
                new OffsetCommitRequestData.OffsetCommitRequestPartition()
                    .setPartitionIndex(p)
                    .setCommittedOffset(50));
      }
      OffsetCommitResponse committed =
          (OffsetCommitResponse)
              doomed.send(
                  OffsetCommitRequest.Builder.forTopicNames(
                          new OffsetCommitRequestData()
                              .setGroupId("killed")
                              .setMemberId("doomed")
                              .setGenerationIdOrMemberEpoch(joined[0].memberEpoch())
                              .setTopics(List.of(commit)))
                      .build((short) 9));
      assertThat(committed.errorCounts()).containsOnlyKeys(Errors.NONE);
    }

    Member survivor = new Member(broker, "killed", Map.of());
    survivor.consumer.subscribe(List.of(topic), survivor);
    Map<TopicPartition, List<Long>> seen = new HashMap<>();
    long t0 = System.nanoTime();
    try {
      pollUntil(List.of(survivor), seen, () -> total(seen) >= 200, 60);
      long movedMs = (System.nanoTime() - t0) / 1_000_000;
      System.out.printf("KIP-848: killed member's partitions moved after %d ms%n", movedMs);
      // The session timeout is 6 s: the partitions could not move before it ran out.
      assertThat(movedMs).isGreaterThanOrEqualTo(4_000);
      assertThat(total(seen)).isEqualTo(200);
      for (int p = 0; p < 4; p++) {
        List<Long> got = seen.get(new TopicPartition(topic, p));
        assertThat(got).hasSize(50);
        for (int i = 0; i < 50; i++) {
          assertThat(got.get(i)).isEqualTo((long) p + 4L * (50 + i));
        }
      }
    } finally {
      survivor.consumer.close();
    }
  }

  // ---------------------------------------------------------------- helpers

  private interface Condition {
    boolean met();
  }

  private static void pollUntil(
      List<Member> members, Map<TopicPartition, List<Long>> seen, Condition done, int seconds) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(seconds))
        .pollInterval(Duration.ofMillis(1))
        .until(
            () -> {
              for (Member m : members) {
                m.pollInto(seen);
              }
              return done.met();
            });
  }

  private static int total(Map<TopicPartition, List<Long>> seen) {
    int n = 0;
    for (List<Long> l : seen.values()) {
      n += l.size();
    }
    return n;
  }

  private String createTopic(String name, int partitions) throws Exception {
    try (Admin admin = broker.admin()) {
      admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
    }
    return name;
  }

  /** Record i (value: the long i) goes to partition i % partitions of the topic. */
  private void produce(String topic, long from, int n) throws Exception {
    int partitions;
    try (Admin admin = broker.admin()) {
      partitions =
          admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
    }
    try (KafkaProducer<byte[], byte[]> producer = broker.producer()) {
      for (long i = from; i < from + n; i++) {
        producer.send(
            new ProducerRecord<>(
                topic, (int) (i % partitions), null, ByteBuffer.allocate(8).putLong(i).array()));
      }
      producer.flush();
    }
  }
}
