package dev.ferry.it;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Produced;

/**
 * The word count with {@code exactly_once_v2} in a JVM of its own, so a test can SIGKILL it. Prints
 * {@code state <STATE>} on every state change; runs until killed.
 *
 * <p>Arguments: bootstrap applicationId stateDir input output
 */
public final class StreamsWordCountMain {

  private StreamsWordCountMain() {}

  /** Lines split into lower-case words, counted per word, counts written to {@code output}. */
  static Topology topology(String input, String output) {
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(input, Consumed.with(Serdes.ByteArray(), Serdes.String()))
        .flatMapValues(line -> Arrays.asList(line.toLowerCase(Locale.ROOT).split(" ")))
        .groupBy((key, word) -> word, Grouped.with(Serdes.String(), Serdes.String()))
        .count()
        .toStream()
        .to(output, Produced.with(Serdes.String(), Serdes.Long()));
    return builder.build();
  }

  /**
   * Exactly-once settings for a test: commits every {@code commitIntervalMs} (a transaction is open
   * in between), and a dead instance's transaction times out after 5 s.
   */
  static Properties exactlyOnce(
      String bootstrap, String applicationId, Path stateDir, long commitIntervalMs) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commitIntervalMs);
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0);
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6_000);
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG), 1_000);
    props.put(StreamsConfig.producerPrefix("transaction.timeout.ms"), 5_000);
    return props;
  }

  public static void main(String[] args) throws InterruptedException {
    String input = args[3];
    String output = args[4];
    KafkaStreams streams =
        new KafkaStreams(
            topology(input, output), exactlyOnce(args[0], args[1], Path.of(args[2]), 1_000));
    streams.setStateListener(
        (now, before) -> {
          System.out.println("state " + now);
          System.out.flush();
        });
    streams.start();
    new CountDownLatch(1).await();
  }
}
