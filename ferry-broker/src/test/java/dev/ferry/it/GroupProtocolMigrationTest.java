package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Online migration between the group protocols (KIP-848) with real Java consumers: three classic
 * consumers restart one by one with {@code group.protocol=consumer} (the group upgrades at the
 * first, with classic and consumer-protocol members side by side until the last), then roll back to
 * the classic protocol (the group downgrades when the last consumer-protocol member leaves).
 * Records keep flowing throughout.
 *
 * <p>Delivery rule asserted: every record is consumed exactly once and in partition order. Each
 * consumer commits what it consumed after every poll and again when a partition is revoked, and a
 * partition reaches its next owner only after the previous one revoked it (classic eager rebalances
 * and the consumer protocol's incremental reconciliation alike), so the next owner resumes exactly
 * where the previous one stopped. A commit that fails would show as a duplicate.
 */
class GroupProtocolMigrationTest {

  private static final String TOPIC = "rolling";
  private static final String GROUP = "rolling-group";
  private static final int PARTITIONS = 6;

  @TempDir Path dir;
  private TestBroker broker;
  private final List<Member> running = new CopyOnWriteArrayList<>();

  /** Record values per partition in the order they were consumed. */
  private final Map<Integer, List<Long>> seen = new ConcurrentHashMap<>();

  private long produced;

  @BeforeEach
  void start() throws Exception {
    broker =
        TestBroker.start(
            dir,
            Map.of(
                "group.consumer.min.session.timeout.ms", "2000",
                "group.consumer.session.timeout.ms", "6000",
                "group.consumer.min.heartbeat.interval.ms", "200",
                "group.consumer.heartbeat.interval.ms", "300"));
    try (Admin admin = broker.admin()) {
      admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all().get();
    }
  }

  @AfterEach
  void stop() {
    for (Member m : running) {
      m.stop();
    }
    broker.close();
  }

  /** One consumer on its own thread: polls, records, commits after each poll and on revoke. */
  private final class Member implements ConsumerRebalanceListener, Runnable {
    final String protocol;
    final Thread thread;
    volatile boolean stopping;
    volatile Throwable failure;
    KafkaConsumer<byte[], byte[]> consumer;

    Member(String name, String protocol) {
      this.protocol = protocol;
      this.thread = new Thread(this, name);
    }

    Member start() {
      running.add(this);
      thread.start();
      return this;
    }

    @Override
    public void run() {
      Map<String, Object> p = new HashMap<>();
      p.put(ConsumerConfig.GROUP_ID_CONFIG, GROUP);
      p.put(ConsumerConfig.CLIENT_ID_CONFIG, thread.getName());
      p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
      p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 200);
      if (protocol.equals("classic")) {
        p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 200);
        p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
      }
      consumer = broker.consumer(p);
      try {
        consumer.subscribe(List.of(TOPIC), this);
        while (!stopping) {
          boolean got = false;
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
            seen.computeIfAbsent(r.partition(), k -> new CopyOnWriteArrayList<>())
                .add(ByteBuffer.wrap(r.value()).getLong());
            got = true;
          }
          if (got) {
            try {
              consumer.commitSync();
            } catch (KafkaException e) {
              // A rebalance started: the revocation below commits instead.
            }
          }
        }
      } catch (Throwable t) {
        failure = t;
      } finally {
        consumer.close(); // commits nothing more: everything consumed is already committed
      }
    }

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
      for (TopicPartition tp : partitions) {
        try {
          commit.put(tp, new OffsetAndMetadata(consumer.position(tp, Duration.ofSeconds(5))));
        } catch (org.apache.kafka.common.errors.TimeoutException e) {
          // Revoked before its position was known: this member read nothing from it, so there is
          // nothing to commit. The consumer-protocol client does not look a position up for a
          // partition pending revocation, and position() would wait out default.api.timeout.ms.
        }
      }
      if (!commit.isEmpty()) {
        consumer.commitSync(commit);
      }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {}

    void stop() {
      stopping = true;
      try {
        thread.join(TimeUnit.SECONDS.toMillis(30));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      running.remove(this);
      assertThat(thread.isAlive()).as(thread.getName() + " stopped").isFalse();
      assertThat(failure).as(thread.getName() + " failed").isNull();
    }
  }

  @Test
  void aGroupRollsToTheConsumerProtocolAndBackWithoutLosingOrRepeatingARecord() throws Exception {
    List<Member> members = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      members.add(new Member("classic-" + i, "classic").start());
    }
    awaitMembers(3);
    produceAndAwait(1_200);
    assertThat(groupType()).isEqualTo(GroupType.CLASSIC);

    // Upgrade: one by one, each classic consumer restarts with group.protocol=consumer.
    for (int i = 0; i < 3; i++) {
      members.get(i).stop();
      members.set(i, new Member("consumer-" + i, "consumer").start());
      awaitMembers(3);
      assertThat(groupType()).as("after restart %d", i).isEqualTo(GroupType.CONSUMER);
      produceAndAwait(600);
    }

    // Downgrade: back to the classic protocol, one by one.
    for (int i = 0; i < 3; i++) {
      members.get(i).stop();
      members.set(i, new Member("classic-again-" + i, "classic").start());
      awaitMembers(3);
      produceAndAwait(600);
    }
    assertThat(groupType()).isEqualTo(GroupType.CLASSIC);

    for (Member m : members) {
      m.stop();
    }
    // Exactly once, in order: partition p holds p, p + 6, p + 12, ... in that order.
    long perPartition = produced / PARTITIONS;
    for (int p = 0; p < PARTITIONS; p++) {
      List<Long> got = seen.get(p);
      assertThat(got).as("partition %d", p).hasSize((int) perPartition);
      for (int i = 0; i < got.size(); i++) {
        assertThat(got.get(i)).isEqualTo((long) p + (long) i * PARTITIONS);
      }
    }
    // The committed offsets survived both conversions: each is the partition's end.
    try (Admin admin = broker.admin()) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get();
      assertThat(committed).hasSize(PARTITIONS);
      for (Map.Entry<TopicPartition, OffsetAndMetadata> e : committed.entrySet()) {
        assertThat(e.getValue().offset()).as(e.getKey().toString()).isEqualTo(perPartition);
      }
    }
  }

  private GroupType groupType() throws Exception {
    try (Admin admin = broker.admin()) {
      for (GroupListing g : admin.listGroups().all().get()) {
        if (g.groupId().equals(GROUP)) {
          return g.type().orElseThrow();
        }
      }
    }
    throw new AssertionError("group " + GROUP + " not listed");
  }

  private void awaitMembers(int n) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions() // GROUP_ID_NOT_FOUND until the first member joined
        .until(
            () -> {
              try (Admin admin = broker.admin()) {
                return admin
                        .describeConsumerGroups(List.of(GROUP))
                        .all()
                        .get()
                        .get(GROUP)
                        .members()
                        .size()
                    == n;
              }
            });
  }

  /** Produces {@code n} more records (value i to partition i % 6) and waits until all are seen. */
  private void produceAndAwait(int n) throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = broker.producer()) {
      for (long i = produced; i < produced + n; i++) {
        producer.send(
            new ProducerRecord<>(
                TOPIC, (int) (i % PARTITIONS), null, ByteBuffer.allocate(8).putLong(i).array()));
      }
      producer.flush();
    }
    produced += n;
    Awaitility.await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> consumed() >= produced);
    for (Member m : running) {
      assertThat(m.failure).as(m.thread.getName() + " failed").isNull();
    }
  }

  private long consumed() {
    long n = 0;
    for (List<Long> l : seen.values()) {
      n += l.size();
    }
    return n;
  }
}
