package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka Streams {@code exactly_once_v2} with one of two instances SIGKILLed while it processes: two
 * word-count JVMs ({@link StreamsWordCountMain}, a commit every second, so a transaction is open
 * most of the time) share the input; one is killed mid-run. Its open transaction holds output and
 * input offsets; the broker aborts it when it times out (5 s), and the survivor, given the dead
 * instance's tasks after its session timeout, restores from the changelog and resumes from the
 * committed offsets (its offset fetch waits while the dead transaction is undecided). At
 * read_committed no count ever exceeds the truth and the final counts are exact.
 */
@Tag("slow")
class StreamsExactlyOnceKillTest {

  private static final String INPUT = "eos-kill-lines";
  private static final String OUTPUT = "eos-kill-counts";
  private static final String APP = "eos-kill-word-count";
  private static final List<String> LINES =
      List.of(
          "all streams lead to kafka",
          "hello kafka streams",
          "join kafka summit",
          "the log is the truth",
          "streams of the log");

  @TempDir Path dir;

  @Test
  void aStreamsInstanceKilledMidTransactionLosesAndDoublesNothing() throws Exception {
    try (TestBroker broker = TestBroker.start(dir, TransactionsTest.brokerConfig())) {
      try (Admin admin = broker.admin()) {
        admin
            .createTopics(
                List.of(new NewTopic(INPUT, 4, (short) 1), new NewTopic(OUTPUT, 4, (short) 1)))
            .all()
            .get();
      }
      Map<String, Long> expected = new HashMap<>();
      ChildJvm victim = startInstance(broker.bootstrap(), dir.resolve("state-a"));
      ChildJvm survivor = startInstance(broker.bootstrap(), dir.resolve("state-b"));
      try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of());
          KafkaConsumer<byte[], byte[]> output =
              broker.consumer(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
        await()
            .atMost(Duration.ofSeconds(90))
            .until(() -> victim.printed("state RUNNING") && survivor.printed("state RUNNING"));
        List<TopicPartition> outputs = new ArrayList<>();
        for (int p = 0; p < 4; p++) {
          outputs.add(new TopicPartition(OUTPUT, p));
        }
        output.assign(outputs);
        output.seekToBeginning(outputs);
        Map<String, Long> latest = new HashMap<>();

        for (int round = 0; round < 60; round++) {
          if (round == 30) {
            // Both instances have committed output by now; the victim dies with a transaction
            // open (it commits once a second and input keeps arriving).
            await()
                .atMost(Duration.ofSeconds(60))
                .until(() -> readCounts(output, expected, latest) && !latest.isEmpty());
            victim.process().destroyForcibly(); // SIGKILL
            assertThat(victim.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
          }
          for (String line : LINES) {
            producer.send(new ProducerRecord<>(INPUT, null, Records.utf8(line))).get();
            for (String word : line.split(" ")) {
              expected.merge(word, 1L, Long::sum);
            }
          }
          Thread.sleep(20); // spread the input over about 1.2 s of processing and commits
        }

        await()
            .atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofMillis(100))
            .untilAsserted(
                () -> {
                  readCounts(output, expected, latest);
                  assertThat(latest).isEqualTo(expected);
                });
        assertThat(survivor.process().isAlive()).isTrue();
        assertThat(survivor.lines()).doesNotContain("state ERROR");
      } finally {
        victim.process().destroyForcibly();
        survivor.process().destroyForcibly();
        victim.process().waitFor(30, TimeUnit.SECONDS);
        survivor.process().waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * Polls committed counts into {@code latest}, asserting that none exceeds the true count (no
   * double counting); true once a poll returned.
   */
  private static boolean readCounts(
      KafkaConsumer<byte[], byte[]> output, Map<String, Long> expected, Map<String, Long> latest) {
    for (ConsumerRecord<byte[], byte[]> r : output.poll(Duration.ofMillis(200))) {
      long count = Serdes.Long().deserializer().deserialize(OUTPUT, r.value());
      String word = Records.str(r.key());
      assertThat(count)
          .as("committed count of %s", word)
          .isLessThanOrEqualTo(expected.getOrDefault(word, 0L));
      latest.put(word, count);
    }
    return true;
  }

  private static ChildJvm startInstance(String bootstrap, Path stateDir) throws IOException {
    return ChildJvm.start(
        StreamsWordCountMain.class, List.of(bootstrap, APP, stateDir.toString(), INPUT, OUTPUT));
  }
}
