package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
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
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker process killed with SIGKILL loses nothing it acknowledged, and a corrupted batch on disk
 * is cut off at restart while everything before it is served.
 */
@Tag("slow")
class CrashRecoveryTest {

  @TempDir Path dir;

  private Map<String, String> config(int port) {
    Map<String, String> c = new HashMap<>();
    c.put("listeners", "PLAINTEXT://127.0.0.1:" + port);
    c.put("log.dirs", dir.resolve("logs").toString());
    c.put("log.flush.interval.messages", "1");
    c.put("zookeeper.session.timeout.ms", "6000");
    c.put("num.network.threads", "2");
    return c;
  }

  @Test
  void sigkillDuringAcksAllProduceLosesNoAcknowledgedRecord() throws Exception {
    int port = BrokerProcess.freePort();
    String bootstrap = "127.0.0.1:" + port;
    Map<Long, String> acked = new ConcurrentHashMap<>();
    try (BrokerProcess broker = BrokerProcess.start(config(port))) {
      createTopic(bootstrap, "crash");
      AtomicBoolean killed = new AtomicBoolean();
      KafkaProducer<byte[], byte[]> producer = producer(bootstrap);
      Thread writer =
          new Thread(
              () -> {
                for (int i = 0; i < 1_000_000 && !killed.get(); i++) {
                  String value = "v" + i;
                  producer.send(
                      new ProducerRecord<>("crash", 0, null, Records.utf8(value)),
                      (md, e) -> {
                        if (e == null) {
                          acked.put(md.offset(), value);
                        }
                      });
                }
              });
      writer.start();
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> acked.size() > 2_000);
      broker.kill();
      killed.set(true);
      writer.join(30_000);
      producer.close(Duration.ZERO);
    }
    assertThat(acked).isNotEmpty();

    try (BrokerProcess restarted = BrokerProcess.start(config(port))) {
      assertThat(restarted.output()).anySatisfy(line -> assertThat(line).contains("unclean"));
      List<ConsumerRecord<byte[], byte[]>> all = readAll(bootstrap, "crash");
      Set<String> seen = new HashSet<>();
      for (int i = 0; i < all.size(); i++) {
        ConsumerRecord<byte[], byte[]> r = all.get(i);
        assertThat(r.offset()).as("contiguous offsets").isEqualTo(i);
        assertThat(seen.add(Records.str(r.value())))
            .as("no duplicate of %s", Records.str(r.value()))
            .isTrue();
      }
      for (Map.Entry<Long, String> e : acked.entrySet()) {
        assertThat(e.getKey()).isLessThan(all.size());
        assertThat(Records.str(all.get(e.getKey().intValue()).value()))
            .as("acknowledged record at offset %d", e.getKey())
            .isEqualTo(e.getValue());
      }
      // Offsets continue where the recovered log ends.
      try (KafkaProducer<byte[], byte[]> p = producer(bootstrap)) {
        long next =
            p.send(new ProducerRecord<>("crash", 0, null, Records.utf8("after"))).get().offset();
        assertThat(next).isEqualTo(all.size());
      }
    }
  }

  @Test
  void flippedByteInLastSegmentTruncatesAtThatBatch() throws Exception {
    int port = BrokerProcess.freePort();
    String bootstrap = "127.0.0.1:" + port;
    int count = 50;
    try (BrokerProcess broker = BrokerProcess.start(config(port))) {
      createTopic(bootstrap, "flipped");
      try (KafkaProducer<byte[], byte[]> p = producer(bootstrap)) {
        for (int i = 0; i < count; i++) {
          // One send at a time: one batch per record.
          p.send(new ProducerRecord<>("flipped", 0, null, Records.utf8("record-" + i))).get();
        }
      }
      broker.kill();
    }
    Path segment;
    try (Stream<Path> files = Files.list(dir.resolve("logs").resolve("flipped-0"))) {
      segment =
          files
              .filter(f -> f.toString().endsWith(".log"))
              .sorted()
              .reduce((a, b) -> b)
              .orElseThrow();
    }
    try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
      long pos = f.length() - 3; // inside the last record's value
      f.seek(pos);
      int b = f.read();
      f.seek(pos);
      f.write(b ^ 0xFF);
    }
    try (BrokerProcess restarted = BrokerProcess.start(config(port))) {
      List<ConsumerRecord<byte[], byte[]>> all = readAll(bootstrap, "flipped");
      assertThat(all).hasSize(count - 1);
      for (int i = 0; i < count - 1; i++) {
        assertThat(all.get(i).offset()).isEqualTo(i);
        assertThat(Records.str(all.get(i).value())).isEqualTo("record-" + i);
      }
      assertThat(restarted.output())
          .anySatisfy(
              line ->
                  assertThat(line)
                      .containsIgnoringCase("flipped-0")
                      .containsIgnoringCase("truncat"));
      try (KafkaProducer<byte[], byte[]> p = producer(bootstrap)) {
        assertThat(
                p.send(new ProducerRecord<>("flipped", 0, null, Records.utf8("new")))
                    .get()
                    .offset())
            .isEqualTo(count - 1);
      }
    }
  }

  private static void createTopic(String bootstrap, String topic) throws Exception {
    try (Admin admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
      admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
    }
  }

  private static KafkaProducer<byte[], byte[]> producer(String bootstrap) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 10_000);
    return new KafkaProducer<>(p);
  }

  private static List<ConsumerRecord<byte[], byte[]>> readAll(String bootstrap, String topic) {
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
      return Records.pollUntil(consumer, got -> got.size() >= end, Duration.ofSeconds(60));
    }
  }
}
