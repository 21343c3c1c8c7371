package dev.ferry.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.it.TestBroker;
import dev.ferry.security.scram.ScramCrypto;
import dev.ferry.security.scram.ScramMechanism;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
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
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * One broker with PLAINTEXT, SASL_PLAINTEXT, SSL (client certificates required) and SASL_SSL
 * listeners; the real Java client produces and consumes over each, with each SASL mechanism.
 */
class SecureListenersTest {

  @TempDir static Path dir;
  static TestBroker broker;

  @BeforeAll
  static void start() {
    broker = TestBroker.start(dir, SecureClusterConfig.brokerSettings());
    for (String user : List.of("admin", "alice", "bob")) {
      for (ScramMechanism m : ScramMechanism.values()) {
        broker
            .broker()
            .security()
            .scram()
            .update(
                user, m, new ScramCrypto(m).credential(SecureClusterConfig.password(user), 4096));
      }
    }
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  static String bootstrap(String listener) {
    return broker.broker().bootstrapServers(listener);
  }

  @ParameterizedTest
  @CsvSource({
    "SASL_PLAINTEXT, PLAIN",
    "SASL_PLAINTEXT, SCRAM-SHA-256",
    "SASL_PLAINTEXT, SCRAM-SHA-512",
    "SSL, none",
    "SASL_SSL, PLAIN",
    "SASL_SSL, SCRAM-SHA-512"
  })
  void producesAndConsumesOverEachProtocol(String protocol, String mechanism) throws Exception {
    String topic = ("t-" + protocol + "-" + mechanism).replace('_', '-').toLowerCase();
    Properties client =
        SecureClusterConfig.client(bootstrap(protocol), protocol, mechanism, "alice");
    try (Admin admin = Admin.create(client)) {
      admin
          .createTopics(List.of(new NewTopic(topic, 2, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    List<String> sent = new ArrayList<>();
    // Values large enough that fetch responses span several TLS records.
    String padding = "x".repeat(20_000);
    try (KafkaProducer<String, String> producer = producer(client)) {
      for (int i = 0; i < 30; i++) {
        String value = i + "-" + padding;
        RecordMetadata md =
            producer.send(new ProducerRecord<>(topic, 0, "k" + i, value)).get(30, TimeUnit.SECONDS);
        assertThat(md.offset()).isEqualTo(i);
        sent.add(value);
      }
    }
    List<String> received = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = consumer(client)) {
      consumer.assign(List.of(new org.apache.kafka.common.TopicPartition(topic, 0)));
      consumer.seekToBeginning(consumer.assignment());
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (received.size() < sent.size() && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          received.add(r.value());
        }
      }
    }
    assertThat(received).containsExactlyElementsOf(sent);
  }

  @Test
  void metadataAdvertisesTheListenerOfTheRequest() throws Exception {
    for (String listener : List.of("PLAINTEXT", "SSL")) {
      Properties client =
          SecureClusterConfig.client(bootstrap(listener), listener, "none", "alice");
      try (Admin admin = Admin.create(client)) {
        var nodes = admin.describeCluster().nodes().get(30, TimeUnit.SECONDS);
        assertThat(nodes).hasSize(1);
        assertThat(nodes.iterator().next().port()).isEqualTo(broker.broker().port(listener));
      }
    }
  }

  @ParameterizedTest
  @CsvSource({"SASL_PLAINTEXT, PLAIN", "SASL_PLAINTEXT, SCRAM-SHA-256", "SASL_SSL, SCRAM-SHA-512"})
  void wrongPasswordIsRefusedWithKafkasError(String protocol, String mechanism) {
    Properties client =
        SecureClusterConfig.client(bootstrap(protocol), protocol, mechanism, "nobody");
    client.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
    client.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    try (Admin admin = Admin.create(client)) {
      assertThatThrownBy(() -> admin.listTopics().names().get(20, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(SaslAuthenticationException.class)
          .hasMessageContaining("Authentication failed");
    }
  }

  /**
   * ssl.client.auth=required and a client without a certificate: with TLS 1.3 the client's side of
   * the handshake is complete before the broker checks its (empty) certificate, so it learns of the
   * refusal only from the broker's alert; as with Kafka, that is an SslAuthenticationException at
   * once, not retries until the API timeout.
   */
  @ParameterizedTest
  @CsvSource({"TLSv1.3", "TLSv1.2"})
  void clientWithoutCertificateFailsFastWithSslAuthenticationError(String tlsVersion) {
    Properties client = SecureClusterConfig.client(bootstrap("SSL"), "SSL", "none", "nocert");
    client.put(org.apache.kafka.common.config.SslConfigs.SSL_PROTOCOL_CONFIG, tlsVersion);
    client.put(org.apache.kafka.common.config.SslConfigs.SSL_ENABLED_PROTOCOLS_CONFIG, tlsVersion);
    client.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000");
    client.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "30000");
    long start = System.nanoTime();
    try (Admin admin = Admin.create(client)) {
      assertThatThrownBy(() -> admin.listTopics().names().get(60, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(org.apache.kafka.common.errors.SslAuthenticationException.class);
    }
    // Well within the API timeout: the first connection's failure ends the call.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
  }

  @Test
  void plaintextClientOnTlsPortIsDisconnected() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", broker.broker().port("SSL"))) {
      socket.setSoTimeout(10_000);
      writeApiVersions(socket);
      // No Kafka response: the TLS alert of the failed handshake (a record of content type 21,
      // at most 7 bytes) then the end of the stream.
      byte[] answer = socket.getInputStream().readAllBytes();
      assertThat(answer.length).isBetween(0, 7);
      if (answer.length > 0) {
        assertThat(answer[0]).isEqualTo((byte) 21);
      }
    }
  }

  @Test
  void requestBeforeSaslAuthenticationClosesTheConnection() throws Exception {
    try (Socket socket = new Socket("127.0.0.1", broker.broker().port("SASL_PLAINTEXT"))) {
      socket.setSoTimeout(10_000);
      DataOutputStream out = new DataOutputStream(socket.getOutputStream());
      ByteBuffer metadata =
          new org.apache.kafka.common.requests.MetadataRequest.Builder(
                  new org.apache.kafka.common.message.MetadataRequestData().setTopics(null))
              .build((short) 12)
              .serializeWithHeader(new RequestHeader(ApiKeys.METADATA, (short) 12, "raw", 7));
      out.writeInt(metadata.remaining());
      out.write(metadata.array(), metadata.arrayOffset(), metadata.remaining());
      out.flush();
      assertThatThrownBy(() -> new DataInputStream(socket.getInputStream()).readInt())
          .isInstanceOf(EOFException.class);
    }
  }

  private static void writeApiVersions(Socket socket) throws Exception {
    DataOutputStream out = new DataOutputStream(socket.getOutputStream());
    ByteBuffer request =
        new ApiVersionsRequest.Builder(new ApiVersionsRequestData(), (short) 3, (short) 3)
            .build((short) 3)
            .serializeWithHeader(new RequestHeader(ApiKeys.API_VERSIONS, (short) 3, "raw", 1));
    out.writeInt(request.remaining());
    out.write(request.array(), request.arrayOffset(), request.remaining());
    out.flush();
  }

  static KafkaProducer<String, String> producer(Properties base) {
    Properties p = new Properties();
    p.putAll(base);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    return new KafkaProducer<>(p);
  }

  static KafkaConsumer<String, String> consumer(Properties base) {
    Properties p = new Properties();
    p.putAll(base);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    return new KafkaConsumer<>(p);
  }
}
