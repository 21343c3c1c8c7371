package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker JVM under a low open-files limit: topic creation that would not fit is refused with
 * KAFKA_STORAGE_ERROR naming the limit, a produce that needs a new segment when none can be opened
 * is answered with that error instead of timing out, the cause is logged once, and after a topic is
 * deleted the broker carries on by itself with nothing acknowledged lost.
 */
@Tag("slow")
@EnabledOnOs(OS.LINUX)
class OpenFilesLimitTest {

  private static final int LIMIT = 640;

  @TempDir Path dir;

  @Test
  void refusesClearlyWhenOutOfDescriptorsAndRecoversAfterDeletingATopic() throws Exception {
    int port = BrokerProcess.freePort();
    String bootstrap = "127.0.0.1:" + port;
    Map<String, String> config = new HashMap<>();
    config.put("listeners", "PLAINTEXT://127.0.0.1:" + port);
    config.put("log.dirs", dir.resolve("logs").toString());
    config.put("num.network.threads", "2");
    config.put("zookeeper.session.timeout.ms", "10000");
    try (BrokerProcess broker = BrokerProcess.startWithOpenFilesLimit(LIMIT, config);
        Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
        KafkaProducer<byte[], byte[]> producer = producer(bootstrap)) {
      assertThat(broker.output())
          .anyMatch(l -> l.contains("Open files:") && l.contains("of the limit " + LIMIT));

      // A topic whose partitions could never all be opened is refused up front.
      assertThatThrownBy(
              () -> admin.createTopics(List.of(new NewTopic("huge", 2_000, (short) 1))).all().get())
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(KafkaStorageException.class)
          .hasMessageContaining("open-files limit " + LIMIT);

      // Every batch to these topics starts a segment: one more descriptor each.
      Map<String, String> tiny = Map.of("segment.bytes", "14", "file.delete.delay.ms", "0");
      admin
          .createTopics(
              List.of(
                  new NewTopic("hog", 1, (short) 1).configs(tiny),
                  new NewTopic("victim", 1, (short) 1).configs(tiny)))
          .all()
          .get(30, TimeUnit.SECONDS);
      List<String> victimAcked = new ArrayList<>();
      send(producer, "victim", "v0");
      victimAcked.add("v0");

      // Fill the descriptor table with hog's segments until a roll fails.
      int hogAcked = 0;
      Throwable refused = null;
      for (int i = 0; i < LIMIT && refused == null; i++) {
        try {
          send(producer, "hog", "h" + i);
          hogAcked++;
        } catch (ExecutionException e) {
          refused = e.getCause();
        }
      }
      assertThat(refused).isInstanceOf(KafkaStorageException.class);
      assertThat(hogAcked).isGreaterThan(100);

      // An existing partition that needs a new segment is answered at once, not timed out.
      long start = System.nanoTime();
      assertThatThrownBy(() -> send(producer, "victim", "v-refused"))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(KafkaStorageException.class);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));

      // The periodic check (every 5 s) warns while 80 % or more are in use.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  broker.output().stream()
                      .anyMatch(
                          l -> l.contains("of the open-files limit " + LIMIT + " are in use")));

      // Deleting the hog frees its descriptors; the broker recovers without a restart.
      admin.deleteTopics(List.of("hog")).all().get(30, TimeUnit.SECONDS);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> broker.openFileDescriptors() < LIMIT * 0.7);
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptionsInstanceOf(ExecutionException.class)
          .until(
              () -> {
                send(producer, "victim", "v1");
                return true;
              });
      victimAcked.add("v1");
      admin
          .createTopics(List.of(new NewTopic("after", 3, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
      send(producer, "after", "a0");

      assertThat(values(bootstrap, "victim")).containsExactlyElementsOf(victimAcked);
      assertThat(broker.output().stream().filter(l -> l.contains("Out of file descriptors")))
          .hasSize(1);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  broker.output().stream()
                      .anyMatch(l -> l.contains("File descriptors available again")));
    }
  }

  private static void send(KafkaProducer<byte[], byte[]> producer, String topic, String value)
      throws Exception {
    producer
        .send(new ProducerRecord<>(topic, value.getBytes(StandardCharsets.UTF_8)))
        .get(20, TimeUnit.SECONDS);
  }

  private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.ACKS_CONFIG, "1");
    p.put(ProducerConfig.RETRIES_CONFIG, 0);
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
    return new KafkaProducer<>(p);
  }

  private static List<String> values(String bootstrap, String topic) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      List<ConsumerRecord<byte[], byte[]>> got =
          Records.pollUntil(consumer, r -> r.size() >= end, Duration.ofSeconds(60));
      return got.stream().map(r -> new String(r.value(), StandardCharsets.UTF_8)).toList();
    }
  }
}
