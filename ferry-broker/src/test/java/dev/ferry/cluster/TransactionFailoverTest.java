package dev.ferry.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.metadata.PartitionState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactions on three broker JVMs, RF 3, while brokers are SIGKILLed: a transactional producer
 * writes transactions spanning three partitions whose leaders are different brokers (so markers go
 * to other brokers as WriteTxnMarkers, and each first batch is verified with a coordinator on
 * another broker), committing most and aborting every third. First the broker leading {@code
 * __transaction_state} (the coordinator) is killed mid-run, so a follower must reload the
 * transactions and finish or abort the one in flight; then the leader of a data partition. At
 * read_committed every committed transaction is then visible whole, once and in order; no aborted
 * record ever; a transaction whose commit the producer could not confirm is all or nothing; and the
 * last stable offset of every partition reaches its log end.
 */
@Tag("slow")
class TransactionFailoverTest {

  private static final String TOPIC = "txn-chaos";
  private static final String STATE_TOPIC = "__transaction_state";
  private static final int PARTITIONS = 3;
  private static final int RECORDS_PER_TXN = 9;
  private static final int SESSION_MS = 6_000;

  @TempDir Path dir;

  private ProcessCluster cluster;

  @AfterEach
  void tearDown() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  /** One coordinator partition: the test knows which broker is the coordinator. */
  private static Map<String, String> transactionConfig(int brokerId) {
    return Map.of(
        "offsets.topic.num.partitions", "1",
        "transaction.state.log.num.partitions", "1",
        "transaction.state.log.replication.factor", "3",
        "transaction.state.log.min.isr", "2",
        "transaction.abort.timed.out.transaction.cleanup.interval.ms", "1000");
  }

  private PartitionState state(String topic, int p) {
    return cluster.state(topic, p);
  }

  private void awaitFullIsr() {
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> cluster.fullIsr(STATE_TOPIC, 1) && cluster.fullIsr(TOPIC, PARTITIONS));
  }

  /** Waits (bounded) until the writer has had {@code more} further transactions decided. */
  private static void awaitProgress(Writer writer, int more) {
    int target = writer.decided() + more;
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> writer.decided() >= target || writer.failure != null);
    assertThat(writer.failure).isNull();
  }

  @Test
  void committedTransactionsSurviveTheCoordinatorAndALeaderBeingKilled() throws Exception {
    cluster = ProcessCluster.start(dir, 3, SESSION_MS, TransactionFailoverTest::transactionConfig);
    try (Admin admin = cluster.admin()) {
      admin
          .createTopics(
              List.of(
                  new NewTopic(TOPIC, PARTITIONS, (short) 3)
                      .configs(Map.of("min.insync.replicas", "2"))))
          .all()
          .get();
    }
    Writer writer = new Writer();
    writer.start();
    try {
      awaitProgress(writer, 5); // the first transaction created __transaction_state
      awaitFullIsr();
      Set<Integer> leaders = new HashSet<>();
      for (int p = 0; p < PARTITIONS; p++) {
        leaders.add(state(TOPIC, p).leader());
      }
      assertThat(leaders).as("data partitions led by different brokers").hasSize(3);

      // 1. The coordinator's broker dies mid-run; a follower of __transaction_state takes over.
      PartitionState coordinator = state(STATE_TOPIC, 0);
      cluster.kill(coordinator.leader());
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () ->
                  state(STATE_TOPIC, 0).leaderEpoch() > coordinator.leaderEpoch()
                      && state(STATE_TOPIC, 0).leader() >= 0);
      awaitProgress(writer, 5);
      cluster.restart(coordinator.leader());
      awaitFullIsr();
      awaitProgress(writer, 3);

      // 2. The leader of a data partition that is not the coordinator dies mid-run.
      int now = state(STATE_TOPIC, 0).leader();
      int partition = 0;
      while (state(TOPIC, partition).leader() == now) {
        partition++;
      }
      int victim = state(TOPIC, partition).leader();
      cluster.kill(victim);
      awaitProgress(writer, 5);
      cluster.restart(victim);
      awaitFullIsr();
      awaitProgress(writer, 3);
    } finally {
      writer.stop.set(true);
      writer.join(120_000);
    }
    assertThat(writer.failure).isNull();
    System.out.printf(
        "transactions: %d committed, %d aborted, %d unconfirmed, %d producer restarts%n",
        writer.committed.size(), writer.aborted.size(), writer.unconfirmed.size(), writer.restarts);
    verify(writer);
  }

  /**
   * The read_committed view: each committed transaction whole, once, in order per partition; no
   * aborted record; an unconfirmed transaction all or nothing; the LSO at the log end everywhere.
   */
  private void verify(Writer writer) throws Exception {
    List<TopicPartition> tps = new ArrayList<>();
    for (int p = 0; p < PARTITIONS; p++) {
      tps.add(new TopicPartition(TOPIC, p));
    }
    try (Admin admin = cluster.admin()) {
      // Nothing is left open: the last stable offset catches up with the log end.
      Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> offsets(admin, tps, true).equals(offsets(admin, tps, false)));
    }
    Map<Integer, List<String>> read = readCommitted(tps);
    Map<Integer, Integer> perTxn = new TreeMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      List<String> values = read.get(p);
      assertThat(new HashSet<>(values)).as("duplicates in partition %d", p).hasSize(values.size());
      int lastTxn = -1;
      int lastIndex = -1;
      for (String v : values) {
        int txn = txnOf(v);
        int index = Integer.parseInt(v.substring(v.indexOf('-') + 1));
        assertThat(txn > lastTxn || (txn == lastTxn && index > lastIndex))
            .as("partition %d order at %s after t%d-%d", p, v, lastTxn, lastIndex)
            .isTrue();
        lastTxn = txn;
        lastIndex = index;
        perTxn.merge(txn, 1, Integer::sum);
      }
    }
    Set<Integer> committed = Set.copyOf(writer.committed);
    for (int t : writer.committed) {
      assertThat(perTxn.get(t))
          .as("records of committed transaction %d", t)
          .isEqualTo(RECORDS_PER_TXN);
    }
    for (int t : writer.aborted) {
      assertThat(perTxn).as("aborted transaction %d", t).doesNotContainKey(t);
    }
    for (Map.Entry<Integer, Integer> e : perTxn.entrySet()) {
      assertThat(committed.contains(e.getKey()) || writer.unconfirmed.contains(e.getKey()))
          .as("transaction %d is visible but was not committed", e.getKey())
          .isTrue();
      assertThat(e.getValue()).as("transaction %d is whole", e.getKey()).isEqualTo(RECORDS_PER_TXN);
    }
    assertThat(writer.committed.size()).isGreaterThanOrEqualTo(15);
    assertThat(writer.aborted).isNotEmpty();
  }

  private static Map<TopicPartition, Long> offsets(
      Admin admin, List<TopicPartition> tps, boolean readCommitted) throws Exception {
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    tps.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
    Map<TopicPartition, Long> out = new HashMap<>();
    admin
        .listOffsets(
            latest,
            new ListOffsetsOptions(
                readCommitted ? IsolationLevel.READ_COMMITTED : IsolationLevel.READ_UNCOMMITTED))
        .all()
        .get()
        .forEach((tp, info) -> out.put(tp, info.offset()));
    return out;
  }

  private Map<Integer, List<String>> readCommitted(List<TopicPartition> tps) {
    Map<String, Object> conf = new HashMap<>();
    conf.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
    conf.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    conf.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    conf.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    Map<Integer, List<String>> out = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(conf)) {
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      for (TopicPartition tp : tps) {
        out.put(tp.partition(), new ArrayList<>());
      }
      Map<TopicPartition, Long> end = consumer.endOffsets(tps); // the LSO at read_committed
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (System.nanoTime() < deadline) {
        boolean done = true;
        for (TopicPartition tp : tps) {
          if (consumer.position(tp) < end.get(tp)) {
            done = false;
          }
        }
        if (done) {
          break;
        }
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          out.get(r.partition()).add(new String(r.value(), StandardCharsets.UTF_8));
        }
      }
      for (TopicPartition tp : tps) {
        assertThat(consumer.position(tp)).as("read %s to the end", tp).isEqualTo(end.get(tp));
      }
    }
    return out;
  }

  private static int txnOf(String value) {
    return Integer.parseInt(value.substring(1, value.indexOf('-')));
  }

  /**
   * Writes transactions t0, t1, ... of {@value #RECORDS_PER_TXN} records over all partitions,
   * aborting every third. A commit the producer cannot confirm (the coordinator died under it) is
   * recorded as unconfirmed and the producer is replaced: its initTransactions finishes or aborts
   * whatever the old one left.
   */
  private final class Writer extends Thread {
    final AtomicBoolean stop = new AtomicBoolean();
    final List<Integer> committed = new ArrayList<>();
    final List<Integer> aborted = new ArrayList<>();
    final List<Integer> unconfirmed = new ArrayList<>();
    volatile int decidedCount;
    volatile int restarts;
    volatile Exception failure;

    Writer() {
      super("txn-chaos-writer");
    }

    int decided() {
      return decidedCount;
    }

    private KafkaProducer<byte[], byte[]> newProducer() {
      Map<String, Object> conf = new HashMap<>();
      conf.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrap());
      conf.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
      conf.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
      conf.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "chaos-app");
      conf.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, 20_000);
      conf.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 45_000);
      conf.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
      conf.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 45_000);
      conf.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 50);
      conf.put(ProducerConfig.METADATA_MAX_AGE_CONFIG, 1_000);
      conf.put(ProducerConfig.LINGER_MS_CONFIG, 1);
      KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(conf);
      try {
        producer.initTransactions();
      } catch (RuntimeException e) {
        producer.close(Duration.ZERO);
        throw e;
      }
      return producer;
    }

    @Override
    public void run() {
      KafkaProducer<byte[], byte[]> producer = null;
      try {
        for (int txn = 0; !stop.get(); txn++) {
          for (int attempt = 0; producer == null; attempt++) {
            try {
              producer = newProducer();
            } catch (RuntimeException e) {
              if (attempt == 2) {
                throw e; // three times max.block.ms without a coordinator
              }
            }
          }
          boolean abort = txn % 3 == 2;
          try {
            producer.beginTransaction();
            for (int i = 0; i < RECORDS_PER_TXN; i++) {
              String value = "t" + txn + "-" + i;
              producer.send(
                  new ProducerRecord<>(
                      TOPIC, i % PARTITIONS, null, value.getBytes(StandardCharsets.UTF_8)));
            }
            if (abort) {
              producer.abortTransaction();
              synchronized (this) {
                aborted.add(txn);
              }
            } else {
              producer.commitTransaction();
              synchronized (this) {
                committed.add(txn);
              }
            }
          } catch (RuntimeException e) {
            synchronized (this) {
              // An abort never commits; a commit that failed may have been decided either way.
              (abort ? aborted : unconfirmed).add(txn);
            }
            System.out.println("producer replaced after t" + txn + " (abort=" + abort + "): " + e);
            producer.close(Duration.ZERO);
            producer = null;
            restarts++;
          }
          decidedCount++;
        }
      } catch (Exception e) {
        failure = e;
      } finally {
        if (producer != null) {
          producer.close(Duration.ofSeconds(5));
        }
      }
    }
  }
}
