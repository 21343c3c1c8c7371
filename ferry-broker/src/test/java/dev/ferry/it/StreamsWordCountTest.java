package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Produced;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stream processing on Ferry with an unmodified Kafka Streams application (the classic word count):
 * Streams creates its repartition topic and its compacted changelog through the Admin API, joins a
 * consumer group with its own assignor, reads, re-keys through the repartition topic, counts in a
 * state store backed by the changelog, writes the counts and purges consumed repartition records
 * with DeleteRecords. The output must hold every word's exact count.
 */
class StreamsWordCountTest {

  private static final String INPUT = "text-lines";
  private static final String OUTPUT = "word-counts";
  private static final String APP = "word-count";

  @TempDir Path dir;

  @Test
  void aKafkaStreamsWordCountCountsEveryWord() throws Exception {
    try (TestBroker broker = TestBroker.start(dir, Map.of("log.cleaner.backoff.ms", "200"))) {
      try (Admin admin = broker.admin()) {
        admin
            .createTopics(
                List.of(new NewTopic(INPUT, 3, (short) 1), new NewTopic(OUTPUT, 3, (short) 1)))
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
      try (KafkaProducer<byte[], byte[]> producer = broker.producer(Map.of())) {
        for (int round = 0; round < 20; round++) {
          for (String line : lines) {
            producer.send(new ProducerRecord<>(INPUT, null, Records.utf8(line))).get();
            for (String word : line.split(" ")) {
              expected.merge(word, 1L, Long::sum);
            }
          }
        }
      }

      StreamsBuilder builder = new StreamsBuilder();
      builder.stream(INPUT, Consumed.with(Serdes.ByteArray(), Serdes.String()))
          .flatMapValues(line -> Arrays.asList(line.toLowerCase(Locale.ROOT).split(" ")))
          .groupBy((key, word) -> word, Grouped.with(Serdes.String(), Serdes.String()))
          .count()
          .toStream()
          .to(OUTPUT, Produced.with(Serdes.String(), Serdes.Long()));
      Properties props = new Properties();
      props.put(StreamsConfig.APPLICATION_ID_CONFIG, APP);
      props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap());
      props.put(StreamsConfig.STATE_DIR_CONFIG, dir.resolve("streams-state").toString());
      props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100);
      props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
      props.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");

      Map<String, Long> latest = new HashMap<>();
      try (KafkaStreams streams = new KafkaStreams(builder.build(), props);
          KafkaConsumer<byte[], byte[]> output = broker.consumer(Map.of())) {
        streams.start();
        List<TopicPartition> outputPartitions =
            List.of(
                new TopicPartition(OUTPUT, 0),
                new TopicPartition(OUTPUT, 1),
                new TopicPartition(OUTPUT, 2));
        output.assign(outputPartitions);
        output.seekToBeginning(outputPartitions);
        await()
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(100))
            .untilAsserted(
                () -> {
                  for (ConsumerRecord<byte[], byte[]> r : output.poll(Duration.ofMillis(200))) {
                    latest.put(
                        Records.str(r.key()),
                        Serdes.Long().deserializer().deserialize(OUTPUT, r.value()));
                  }
                  assertThat(latest).isEqualTo(expected);
                });
        assertThat(streams.state()).isEqualTo(KafkaStreams.State.RUNNING);
      }

      // Streams made its internal topics through the Admin API, the changelog compacted.
      try (Admin admin = broker.admin()) {
        Set<String> topics = admin.listTopics().names().get();
        String changelog =
            topics.stream().filter(t -> t.endsWith("-changelog")).findFirst().orElseThrow();
        assertThat(topics).anyMatch(t -> t.startsWith(APP) && t.endsWith("-repartition"));
        Config config =
            admin
                .describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, changelog)))
                .all()
                .get()
                .values()
                .iterator()
                .next();
        assertThat(config.get("cleanup.policy").value()).isEqualTo("compact");
      }
    }
  }
}
