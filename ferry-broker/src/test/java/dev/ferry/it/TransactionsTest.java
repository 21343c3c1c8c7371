package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions end to end with the real Java client (transactions v2, as a Kafka 4.4 cluster
 * offers): atomic commit and abort across partitions as read_committed and read_uncommitted
 * consumers see them, fencing of a zombie producer, consume-transform-produce with offsets in the
 * transaction, the coordinator's timeout, and the inspection APIs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TransactionsTest {

  @TempDir static Path dir;
  private TestBroker broker;

  static Map<String, String> brokerConfig() {
    return Map.of(
        "transaction.state.log.num.partitions", "3",
        "transaction.state.log.replication.factor", "1",
        "transaction.state.log.min.isr", "1",
        "transaction.abort.timed.out.transaction.cleanup.interval.ms", "200");
  }

  @BeforeAll
  void start() {
    broker = TestBroker.start(dir, brokerConfig());
  }

  @AfterAll
  void stop() {
    broker.close();
  }

  private void createTopic(String name, int partitions) throws Exception {
    try (Admin admin = broker.admin()) {
      admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
    }
  }

  private KafkaProducer<byte[], byte[]> transactional(String id, Map<String, Object> extra) {
    Map<String, Object> p = new HashMap<>(extra);
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
    return broker.producer(p);
  }

  private KafkaConsumer<byte[], byte[]> reader(IsolationLevel isolation, String group) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString());
    if (group != null) {
      c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    }
    return broker.consumer(c);
  }

  private static List<ConsumerRecord<byte[], byte[]>> readAll(
      KafkaConsumer<byte[], byte[]> consumer, String topic, int partitions, int expected) {
    List<TopicPartition> tps = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      tps.add(new TopicPartition(topic, p));
    }
    consumer.assign(tps);
    consumer.seekToBeginning(tps);
    List<ConsumerRecord<byte[], byte[]>> got =
        Records.pollUntil(consumer, expected, Duration.ofSeconds(30));
    // Nothing more arrives after the expected count (no duplicates, no aborted records late).
    got.addAll(Records.pollUntil(consumer, r -> false, Duration.ofMillis(500)));
    return got;
  }

  @Test
  void fiftyTransactionsAlternatingCommitAndAbortAreSeenAtomically() throws Exception {
    String topic = "txn-alternating";
    createTopic(topic, 3);
    Map<Integer, List<String>> committed = new HashMap<>();
    List<String> all = new ArrayList<>();
    try (KafkaProducer<byte[], byte[]> producer = transactional("alternating", Map.of())) {
      producer.initTransactions();
      for (int t = 0; t < 50; t++) {
        producer.beginTransaction();
        for (int i = 0; i < 6; i++) {
          int partition = i % 3;
          String value = "t" + t + "-r" + i;
          producer.send(new ProducerRecord<>(topic, partition, null, Records.utf8(value)));
          all.add(value);
          if (t % 2 == 0) {
            committed.computeIfAbsent(partition, p -> new ArrayList<>()).add(value);
          }
        }
        if (t % 2 == 0) {
          producer.commitTransaction();
        } else {
          producer.flush(); // written, then aborted (abort alone would drop unsent records)
          producer.abortTransaction();
        }
      }
    }
    int committedCount = committed.values().stream().mapToInt(List::size).sum();
    assertThat(committedCount).isEqualTo(150);

    try (KafkaConsumer<byte[], byte[]> consumer = reader(IsolationLevel.READ_COMMITTED, null)) {
      List<ConsumerRecord<byte[], byte[]>> got = readAll(consumer, topic, 3, committedCount);
      Map<Integer, List<String>> byPartition = new HashMap<>();
      for (ConsumerRecord<byte[], byte[]> r : got) {
        byPartition
            .computeIfAbsent(r.partition(), p -> new ArrayList<>())
            .add(Records.str(r.value()));
      }
      // Exactly the committed records, each once, in the order they were sent.
      assertThat(byPartition).isEqualTo(committed);
    }
    try (KafkaConsumer<byte[], byte[]> consumer = reader(IsolationLevel.READ_UNCOMMITTED, null)) {
      List<ConsumerRecord<byte[], byte[]>> got = readAll(consumer, topic, 3, 300);
      // Every data record, committed or aborted; markers are never returned as records.
      assertThat(got)
          .extracting(r -> Records.str(r.value()))
          .containsExactlyInAnyOrderElementsOf(all);
    }
    // Each partition ends with a marker, and the LSO reached the log end.
    try (Admin admin = broker.admin()) {
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      for (int p = 0; p < 3; p++) {
        latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
      }
      ListOffsetsResult committedEnd =
          admin.listOffsets(latest, new ListOffsetsOptions(IsolationLevel.READ_COMMITTED));
      for (int p = 0; p < 3; p++) {
        // 50 transactions: 2 records and 1 marker each per partition.
        assertThat(committedEnd.partitionResult(new TopicPartition(topic, p)).get().offset())
            .isEqualTo(150);
      }
    }
  }

  @Test
  void aSecondProducerFencesTheFirstAndAbortsItsOpenTransaction() throws Exception {
    String topic = "txn-zombie";
    createTopic(topic, 1);
    KafkaProducer<byte[], byte[]> zombie = transactional("zombie-id", Map.of());
    try {
      zombie.initTransactions();
      zombie.beginTransaction();
      zombie.send(new ProducerRecord<>(topic, 0, null, Records.utf8("from-zombie"))).get();

      try (KafkaProducer<byte[], byte[]> successor = transactional("zombie-id", Map.of())) {
        successor.initTransactions(); // fences the zombie, aborting its open transaction
        successor.beginTransaction();
        successor.send(new ProducerRecord<>(topic, 0, null, Records.utf8("from-successor")));
        successor.commitTransaction();

        // As with Kafka: the zombie's produce is refused for its old epoch (nothing is written),
        // and ending its transaction tells it it was fenced.
        assertThatThrownBy(
                () -> zombie.send(new ProducerRecord<>(topic, 0, null, Records.utf8("late"))).get())
            .isInstanceOf(ExecutionException.class)
            .cause()
            .isInstanceOfAny(InvalidProducerEpochException.class, ProducerFencedException.class);
        assertThatThrownBy(zombie::abortTransaction).isInstanceOf(ProducerFencedException.class);
      }
    } finally {
      zombie.close(Duration.ZERO);
    }
    try (KafkaConsumer<byte[], byte[]> consumer = reader(IsolationLevel.READ_COMMITTED, null)) {
      assertThat(readAll(consumer, topic, 1, 1))
          .extracting(r -> Records.str(r.value()))
          .containsExactly("from-successor");
    }
  }

  @Test
  void consumeTransformProduceCommitsOffsetsWithTheOutput() throws Exception {
    String in = "ctp-in";
    String out = "ctp-out";
    String group = "ctp-group";
    createTopic(in, 2);
    createTopic(out, 2);
    try (KafkaProducer<byte[], byte[]> p = broker.producer(Map.of())) {
      for (int i = 0; i < 40; i++) {
        p.send(new ProducerRecord<>(in, i % 2, null, Records.utf8("m" + i))).get();
      }
    }
    // First processor: processes everything but aborts its last batch.
    processBatches(in, out, group, "ctp-app", 2);
    // A replacement processor takes over and finishes: nothing is lost or doubled.
    processBatches(in, out, group, "ctp-app", Integer.MAX_VALUE);

    try (KafkaConsumer<byte[], byte[]> consumer = reader(IsolationLevel.READ_COMMITTED, null)) {
      List<String> output = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> r : readAll(consumer, out, 2, 40)) {
        output.add(Records.str(r.value()));
      }
      List<String> expected = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        expected.add("M" + i);
      }
      assertThat(output).containsExactlyInAnyOrderElementsOf(expected);
    }
    try (Admin admin = broker.admin()) {
      Map<TopicPartition, OffsetAndMetadata> offsets =
          admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
      assertThat(offsets.get(new TopicPartition(in, 0)).offset()).isEqualTo(20);
      assertThat(offsets.get(new TopicPartition(in, 1)).offset()).isEqualTo(20);
    }
  }

  @Test
  void aConsumerWaitsForTheOffsetsOfAnOpenTransaction() throws Exception {
    String topic = "stable-in";
    String group = "stable-group";
    createTopic(topic, 1);
    TopicPartition tp = new TopicPartition(topic, 0);
    try (KafkaProducer<byte[], byte[]> producer = transactional("stable-app", Map.of());
        KafkaConsumer<byte[], byte[]> consumer = reader(IsolationLevel.READ_COMMITTED, group);
        Admin admin = broker.admin()) {
      producer.initTransactions();
      producer.beginTransaction();
      producer.sendOffsetsToTransaction(
          Map.of(tp, new OffsetAndMetadata(5)), new ConsumerGroupMetadata(group));

      // The consumer asks for stable offsets (require_stable, KIP-447): the broker answers
      // UNSTABLE_OFFSET_COMMIT while the transaction is open, so the client keeps retrying.
      assertThatThrownBy(() -> consumer.committed(Set.of(tp), Duration.ofSeconds(1)))
          .isInstanceOf(TimeoutException.class);
      // The admin client does not ask for stable offsets: nothing is committed yet.
      assertThat(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get())
          .doesNotContainKey(tp);

      producer.commitTransaction();
      assertThat(consumer.committed(Set.of(tp), Duration.ofSeconds(10)).get(tp).offset())
          .isEqualTo(5);

      // An aborted transaction leaves the committed offset as it was.
      producer.beginTransaction();
      producer.sendOffsetsToTransaction(
          Map.of(tp, new OffsetAndMetadata(9)), new ConsumerGroupMetadata(group));
      assertThatThrownBy(() -> consumer.committed(Set.of(tp), Duration.ofSeconds(1)))
          .isInstanceOf(TimeoutException.class);
      assertThat(
              admin
                  .listConsumerGroupOffsets(group)
                  .partitionsToOffsetAndMetadata()
                  .get()
                  .get(tp)
                  .offset())
          .isEqualTo(5);
      producer.abortTransaction();
      assertThat(consumer.committed(Set.of(tp), Duration.ofSeconds(10)).get(tp).offset())
          .isEqualTo(5);
    }
  }

  /**
   * Reads from the group's committed position and writes upper-cased copies, one transaction per
   * poll with the consumed offsets in it. After {@code committedBatches} commits, the next batch is
   * written and then aborted (a processor dying mid-transaction), and the processor stops.
   */
  private void processBatches(
      String in, String out, String group, String transactionalId, int committedBatches) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 7);
    try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(c);
        KafkaProducer<byte[], byte[]> producer = transactional(transactionalId, Map.of())) {
      producer.initTransactions();
      consumer.subscribe(List.of(in));
      int commits = 0;
      long idleUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (System.nanoTime() < idleUntil) {
        var records = consumer.poll(Duration.ofMillis(200));
        if (records.isEmpty()) {
          continue;
        }
        idleUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        producer.beginTransaction();
        Map<TopicPartition, OffsetAndMetadata> next = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : records) {
          producer.send(
              new ProducerRecord<>(
                  out, r.partition(), null, Records.utf8(Records.str(r.value()).toUpperCase())));
          next.put(
              new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
        }
        producer.sendOffsetsToTransaction(next, consumer.groupMetadata());
        if (commits == committedBatches) {
          producer.abortTransaction();
          return;
        }
        producer.commitTransaction();
        commits++;
      }
    }
  }

  @Test
  void aHangingTransactionIsAbortedAfterItsTimeoutAndTheLsoMovesOn() throws Exception {
    String topic = "txn-timeout";
    createTopic(topic, 1);
    TopicPartition tp = new TopicPartition(topic, 0);
    KafkaProducer<byte[], byte[]> hanging =
        transactional("hanging", Map.of(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 1_000));
    try (Admin admin = broker.admin()) {
      hanging.initTransactions();
      hanging.beginTransaction();
      hanging.send(new ProducerRecord<>(topic, 0, null, Records.utf8("never"))).get();
      assertThat(lso(admin, tp)).isEqualTo(0);
      Set<String> ongoing =
          Set.copyOf(
              admin.listTransactions().all().get().stream()
                  .filter(l -> l.state().toString().equals("Ongoing"))
                  .map(TransactionListing::transactionalId)
                  .toList());
      assertThat(ongoing).contains("hanging");
      TransactionDescription d =
          admin.describeTransactions(List.of("hanging")).all().get().get("hanging");
      assertThat(d.topicPartitions()).containsExactly(tp);

      // The coordinator aborts it (and fences the producer): the LSO passes the abort marker.
      await().atMost(Duration.ofSeconds(15)).until(() -> lso(admin, tp) == 2);
      assertThat(
              admin
                  .describeTransactions(List.of("hanging"))
                  .all()
                  .get()
                  .get("hanging")
                  .state()
                  .toString())
          .isEqualTo("CompleteAbort");
      assertThat(admin.describeProducers(List.of(tp)).partitionResult(tp).get().activeProducers())
          .singleElement()
          .satisfies(p -> assertThat(p.currentTransactionStartOffset()).isEmpty());
    } finally {
      hanging.close(Duration.ZERO);
    }
    try (KafkaConsumer<byte[], byte[]> consumer = reader(IsolationLevel.READ_COMMITTED, null)) {
      assertThat(readAll(consumer, topic, 1, 0)).isEmpty();
    }
  }

  private static long lso(Admin admin, TopicPartition tp) throws Exception {
    return admin
        .listOffsets(
            Map.of(tp, OffsetSpec.latest()), new ListOffsetsOptions(IsolationLevel.READ_COMMITTED))
        .partitionResult(tp)
        .get()
        .offset();
  }
}
