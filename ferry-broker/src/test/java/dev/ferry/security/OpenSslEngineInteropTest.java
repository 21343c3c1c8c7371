package dev.ferry.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ferry.it.TestBroker;
import dev.ferry.security.ssl.OpenSslEngineFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
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
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.errors.SslAuthenticationException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The real Java client against BoringSSL's engine: one broker with two SSL listeners requiring
 * client certificates (mutual TLS), OPENSSL naming {@code OpenSslEngineFactory} in {@code
 * ssl.engine.factory.class} and JDK naming Kafka's {@code DefaultSslEngineFactory}. Records written
 * through one engine are read back byte for byte through both, with TLS 1.2 and 1.3.
 */
class OpenSslEngineInteropTest {

  @TempDir static Path dir;
  static TestBroker broker;

  @BeforeAll
  static void start() {
    assumeTrue(
        OpenSslEngineFactory.unavailabilityCause().isEmpty(),
        "BoringSSL's native library does not load on this platform");
    Map<String, String> p = SecureClusterConfig.brokerSettings();
    p.put("listeners", "PLAINTEXT://127.0.0.1:0,OPENSSL://127.0.0.1:0,JDK://127.0.0.1:0");
    p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,OPENSSL:SSL,JDK:SSL");
    p.put("inter.broker.listener.name", "PLAINTEXT");
    p.put("listener.name.openssl.ssl.client.auth", "required");
    p.put("listener.name.jdk.ssl.client.auth", "required");
    p.put(
        "listener.name.openssl.ssl.engine.factory.class",
        "dev.ferry.security.ssl.OpenSslEngineFactory");
    p.put(
        "listener.name.jdk.ssl.engine.factory.class",
        "org.apache.kafka.common.security.ssl.DefaultSslEngineFactory");
    broker = TestBroker.start(dir, p);
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  private static Properties client(String listener, String tlsVersion) {
    Properties p =
        SecureClusterConfig.client(
            broker.broker().bootstrapServers(listener), "SSL", "none", "alice");
    p.put(SslConfigs.SSL_PROTOCOL_CONFIG, tlsVersion);
    p.put(SslConfigs.SSL_ENABLED_PROTOCOLS_CONFIG, tlsVersion);
    return p;
  }

  @ParameterizedTest
  @CsvSource({"TLSv1.3", "TLSv1.2"})
  void recordsWrittenThroughOpenSslReadBackExactlyThroughBothEngines(String tlsVersion)
      throws Exception {
    String topic = "interop-" + tlsVersion.replace('.', '-').toLowerCase();
    Properties openssl = client("OPENSSL", tlsVersion);
    try (Admin admin = Admin.create(openssl)) {
      admin
          .createTopics(List.of(new NewTopic(topic, 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    // Sizes around the TLS record size (16 KiB) and a value spanning several records;
    // incompressible bytes, so the fetch response is as large.
    int[] sizes = {0, 1, 100, 16_383, 16_384, 16_385, 70_000, 3_000, 5};
    Random random = new Random(42);
    List<ProducerRecord<byte[], byte[]>> sent = new ArrayList<>();
    for (int i = 0; i < sizes.length * 3; i++) {
      byte[] value = new byte[sizes[i % sizes.length]];
      random.nextBytes(value);
      RecordHeaders headers = new RecordHeaders();
      headers.add("i", Integer.toString(i).getBytes(StandardCharsets.UTF_8));
      sent.add(
          new ProducerRecord<>(
              topic, 0, null, ("k" + i).getBytes(StandardCharsets.UTF_8), value, headers));
    }
    Properties producerProps = new Properties();
    producerProps.putAll(openssl);
    producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
    producerProps.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(producerProps, new ByteArraySerializer(), new ByteArraySerializer())) {
      List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> acks =
          new ArrayList<>();
      for (ProducerRecord<byte[], byte[]> r : sent) {
        acks.add(producer.send(r));
      }
      for (int i = 0; i < acks.size(); i++) {
        assertThat(acks.get(i).get(30, TimeUnit.SECONDS).offset()).isEqualTo(i);
      }
    }

    for (String listener : List.of("OPENSSL", "JDK")) {
      List<ConsumerRecord<byte[], byte[]>> received = consume(client(listener, tlsVersion), topic);
      assertThat(received).as("records through %s", listener).hasSize(sent.size());
      for (int i = 0; i < sent.size(); i++) {
        ConsumerRecord<byte[], byte[]> r = received.get(i);
        assertThat(r.offset()).isEqualTo(i);
        assertThat(r.key()).isEqualTo(sent.get(i).key());
        assertThat(r.value()).as("value %d through %s", i, listener).isEqualTo(sent.get(i).value());
        assertThat(Arrays.asList(r.headers().toArray()))
            .containsExactlyElementsOf(Arrays.asList(sent.get(i).headers().toArray()));
      }
    }
  }

  private static List<ConsumerRecord<byte[], byte[]>> consume(Properties client, String topic) {
    Properties p = new Properties();
    p.putAll(client);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    // Small fetches: many responses, each a few TLS records.
    p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, "50000");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long end = consumer.endOffsets(List.of(tp)).get(tp);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (out.size() < end && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  @Test
  void clientWithoutCertificateIsRefusedByTheOpenSslListener() {
    Properties p = client("OPENSSL", "TLSv1.3");
    p.remove(SslConfigs.SSL_KEYSTORE_LOCATION_CONFIG);
    p.remove(SslConfigs.SSL_KEYSTORE_TYPE_CONFIG);
    p.remove(SslConfigs.SSL_KEYSTORE_PASSWORD_CONFIG);
    p.remove(SslConfigs.SSL_KEY_PASSWORD_CONFIG);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000");
    try (Admin admin = Admin.create(p)) {
      assertThatThrownBy(() -> admin.listTopics().names().get(60, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(SslAuthenticationException.class);
    }
  }
}
