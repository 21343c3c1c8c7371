package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The word count with {@code processing.guarantee=exactly_once_v2}: every task commits its output,
 * changelog writes and input offsets in one transaction. One of two instances is stopped mid-run
 * without a clean shutdown of its open transaction; its tasks move to the other, which must neither
 * lose nor double-count a word: the final counts read at read_committed are exact.
 */
@Tag("slow")
class StreamsExactlyOnceTest {

  private static final String INPUT = "eos-lines";
  private static final String OUTPUT = "eos-counts";
  private static final String APP = "eos-word-count";

  @TempDir Path dir;

  @Test
  void exactlyOnceWordCountSurvivesLosingAnInstance() throws Exception {
    try (TestBroker broker = TestBroker.start(dir, TransactionsTest.brokerConfig())) {
      try (Admin admin = broker.admin()) {
        admin
            .createTopics(
                List.of(new NewTopic(INPUT, 4, (short) 1), new NewTopic(OUTPUT, 4, (short) 1)))
            .all()
            .get();
      }
      List<String> lines =
          List.of(
              "all streams lead to kafka",
              "hello kafka streams",
              "join kafka summit",
              "the log is the truth",
              "streams of the log");
      Map<String, Long> expected = new HashMap<>();
      Topology topology = StreamsWordCountMain.topology(INPUT, OUTPUT);
      try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of());
          KafkaStreams first = new KafkaStreams(topology, props(broker, "a"));
          KafkaStreams second = new KafkaStreams(topology, props(broker, "b"));
          KafkaConsumer<byte[], byte[]> output =
              broker.consumer(Map.of(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"))) {
        first.start();
        second.start();
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () ->
                    first.state() == KafkaStreams.State.RUNNING
                        && second.state() == KafkaStreams.State.RUNNING);
        for (int round = 0; round < 40; round++) {
          if (round == 20) {
            // Mid-run: one instance goes away without waiting for its transaction to end.
            first.close(Duration.ZERO);
          }
          for (String line : lines) {
            producer.send(new ProducerRecord<>(INPUT, null, Records.utf8(line))).get();
            for (String word : line.split(" ")) {
              expected.merge(word, 1L, Long::sum);
            }
          }
        }
        List<TopicPartition> outputPartitions =
            List.of(
                new TopicPartition(OUTPUT, 0),
                new TopicPartition(OUTPUT, 1),
                new TopicPartition(OUTPUT, 2),
                new TopicPartition(OUTPUT, 3));
        output.assign(outputPartitions);
        output.seekToBeginning(outputPartitions);
        Map<String, Long> latest = new HashMap<>();
        await()
            .atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofMillis(100))
            .untilAsserted(
                () -> {
                  for (ConsumerRecord<byte[], byte[]> r : output.poll(Duration.ofMillis(200))) {
                    long count = Serdes.Long().deserializer().deserialize(OUTPUT, r.value());
                    String word = Records.str(r.key());
                    // A committed count never exceeds the true count (no double counting).
                    assertThat(count).isLessThanOrEqualTo(expected.getOrDefault(word, 0L));
                    latest.put(word, count);
                  }
                  assertThat(latest).isEqualTo(expected);
                });
        assertThat(second.state()).isEqualTo(KafkaStreams.State.RUNNING);
      }
    }
  }

  private Properties props(TestBroker broker, String instance) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, APP);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
    props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("state-" + instance).toString());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 10_000);
    props.put(StreamsConfig.producerPrefix("transaction.timeout.ms"), 5_000);
    return props;
  }
}
