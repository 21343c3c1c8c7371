package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Consume-transform-produce with the processor JVM SIGKILLed mid-transaction ({@link
 * TransformProcessorMain}, a real transactional loop with {@code sendOffsetsToTransaction}): the
 * killed JVM leaves a transaction open with output already in the log; a new JVM with the same
 * transactional id fences and aborts it, resumes from the committed offsets, and finishes. At
 * read_committed the output holds every input record transformed exactly once, in input order per
 * partition, and the group's committed offsets are the input's end.
 */
@Tag("slow")
class TransformProcessorKillTest {

  private static final String IN = "ctp-kill-in";
  private static final String OUT = "ctp-kill-out";
  private static final String GROUP = "ctp-kill-app";
  private static final int RECORDS = 400;

  @TempDir Path dir;

  @Test
  void aProcessorKilledMidTransactionIsReplacedAndTheOutputIsExactlyOnce() throws Exception {
    try (TestBroker broker = TestBroker.start(dir, TransactionsTest.brokerConfig())) {
      try (Admin admin = broker.admin()) {
        admin
            .createTopics(List.of(new NewTopic(IN, 2, (short) 1), new NewTopic(OUT, 2, (short) 1)))
            .all()
            .get();
      }
      Map<Integer, List<String>> input = new HashMap<>();
      try (KafkaProducer<byte[], byte[]> p = broker.producer(Map.of())) {
        for (int i = 0; i < RECORDS; i++) {
          String v = "m" + i;
          p.send(new ProducerRecord<>(IN, i % 2, null, Records.utf8(v)));
          input.computeIfAbsent(i % 2, k -> new ArrayList<>()).add(v.toUpperCase());
        }
        p.flush();
      }

      // The first processor holds each transaction open for 2 s; it dies in its fourth.
      ChildJvm first = startProcessor(broker.bootstrap(), 2_000, 30_000);
      try {
        Awaitility.await()
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(20))
            .until(() -> first.printed("in-transaction 4") || !first.process().isAlive());
        first.process().destroyForcibly(); // SIGKILL
        assertThat(first.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
      } finally {
        first.process().destroyForcibly();
      }
      assertThat(first.lines()).contains("committed 3").doesNotContain("committed 4");
      try (Admin admin = broker.admin()) {
        // Its last transaction is open with output in the log: the LSO lags the log end.
        assertThat(endOffsets(admin, true)).isNotEqualTo(endOffsets(admin, false));
      }

      // Its replacement, same transactional id: runs until the input is drained, then exits.
      ChildJvm second = startProcessor(broker.bootstrap(), 0, 5_000);
      try {
        assertThat(second.process().waitFor(120, TimeUnit.SECONDS))
            .as("replacement finished: %s", second.lines())
            .isTrue();
        assertThat(second.process().exitValue()).as(String.join("\n", second.lines())).isZero();
      } finally {
        second.process().destroyForcibly();
      }

      Map<Integer, List<String>> committedOutput = read(broker, IsolationLevel.READ_COMMITTED);
      assertThat(committedOutput).isEqualTo(input);
      int uncommitted = 0;
      for (List<String> values : read(broker, IsolationLevel.READ_UNCOMMITTED).values()) {
        uncommitted += values.size();
      }
      assertThat(uncommitted)
          .as("the killed transaction's output is in the log, aborted")
          .isGreaterThan(RECORDS);
      try (Admin admin = broker.admin()) {
        Map<TopicPartition, OffsetAndMetadata> offsets =
            admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata().get();
        assertThat(offsets.get(new TopicPartition(IN, 0)).offset()).isEqualTo(RECORDS / 2);
        assertThat(offsets.get(new TopicPartition(IN, 1)).offset()).isEqualTo(RECORDS / 2);
        assertThat(endOffsets(admin, true)).isEqualTo(endOffsets(admin, false));
      }
    }
  }

  private static Map<TopicPartition, Long> endOffsets(Admin admin, boolean readCommitted)
      throws Exception {
    Map<TopicPartition, OffsetSpec> latest =
        Map.of(
            new TopicPartition(OUT, 0), OffsetSpec.latest(),
            new TopicPartition(OUT, 1), OffsetSpec.latest());
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

  private static Map<Integer, List<String>> read(TestBroker broker, IsolationLevel isolation) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation.toString());
    Map<Integer, List<String>> out = new HashMap<>();
    try (KafkaConsumer<byte[], byte[]> consumer = broker.consumer(c)) {
      List<TopicPartition> tps = List.of(new TopicPartition(OUT, 0), new TopicPartition(OUT, 1));
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      Map<TopicPartition, Long> end = consumer.endOffsets(tps);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (System.nanoTime() < deadline
          && tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          out.computeIfAbsent(r.partition(), k -> new ArrayList<>()).add(Records.str(r.value()));
        }
      }
    }
    return out;
  }

  /** A {@link TransformProcessorMain} JVM holding each transaction open for {@code holdMs}. */
  private static ChildJvm startProcessor(String bootstrap, long holdMs, long idleMs)
      throws IOException {
    return ChildJvm.start(
        TransformProcessorMain.class,
        List.of(
            bootstrap,
            IN,
            OUT,
            GROUP,
            "ctp-kill-processor",
            Long.toString(holdMs),
            Long.toString(idleMs)));
  }
}
