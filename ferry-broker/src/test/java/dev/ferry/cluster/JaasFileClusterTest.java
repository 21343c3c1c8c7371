package dev.ferry.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.security.SecureClusterConfig;
import dev.ferry.security.sasl.JaasFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.security.auth.login.Configuration;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two brokers configured as Kafka brokers are with a JAAS file ({@code
 * -Djava.security.auth.login.config}): PLAIN users and the inter-broker credentials come from its
 * {@code KafkaServer} section, a listener's {@code <listener>.KafkaServer} section replaces it for
 * that listener, and {@code listener.name.<l>.plain.sasl.jaas.config} wins over both. Followers
 * replicate over the SASL inter-broker listener with the file's {@code username}/{@code password}.
 */
class JaasFileClusterTest {

  private static final String PLAIN = SecureClusterConfig.PLAIN_MODULE;

  @TempDir Path dir;

  @Test
  void usersAndInterBrokerCredentialsComeFromTheJaasFileWithKafkasPrecedence() throws Exception {
    Path jaas = dir.resolve("kafka_server_jaas.conf");
    Files.writeString(
        jaas,
        "KafkaServer {\n"
            + "  "
            + PLAIN
            + " required\n"
            + "    username=\"broker\" password=\"broker-secret\"\n"
            + "    user_broker=\"broker-secret\" user_alice=\"alice-secret\";\n"
            + "};\n"
            + "client.KafkaServer {\n"
            + "  "
            + PLAIN
            + " required user_carol=\"carol-secret\";\n"
            + "};\n"
            + "external.KafkaServer {\n"
            + "  "
            + PLAIN
            + " required user_mallory=\"mallory-secret\";\n"
            + "};\n");
    Map<String, String> settings = new HashMap<>();
    settings.put("listeners", "INTERNAL://127.0.0.1:0,CLIENT://127.0.0.1:0,EXTERNAL://127.0.0.1:0");
    settings.put(
        "listener.security.protocol.map",
        "INTERNAL:SASL_PLAINTEXT,CLIENT:SASL_PLAINTEXT,EXTERNAL:SASL_PLAINTEXT");
    settings.put("inter.broker.listener.name", "INTERNAL");
    settings.put("sasl.enabled.mechanisms", "PLAIN");
    settings.put("sasl.mechanism.inter.broker.protocol", "PLAIN");
    settings.put(
        "listener.name.external.plain.sasl.jaas.config",
        PLAIN + " required user_dave=\"dave-secret\";");
    settings.put("offsets.topic.replication.factor", "2");
    settings.put("connection.failed.authentication.delay.ms", "0");

    String previous = System.getProperty(JaasFile.LOGIN_CONFIG_PROPERTY);
    System.setProperty(JaasFile.LOGIN_CONFIG_PROPERTY, jaas.toString());
    TestCluster cluster;
    try {
      // The brokers read the file as they start.
      cluster = TestCluster.start(dir, 2, settings);
    } finally {
      restore(previous);
    }
    try (cluster) {
      String internal = bootstrap(cluster, "INTERNAL");
      String client = bootstrap(cluster, "CLIENT");
      String external = bootstrap(cluster, "EXTERNAL");

      try (Admin admin = Admin.create(props(internal, "alice"))) {
        admin
            .createTopics(List.of(new NewTopic("orders", 1, (short) 2)))
            .all()
            .get(30, TimeUnit.SECONDS);
      }
      cluster.awaitFullIsr("orders", 0, 2);
      Properties producerProps = props(internal, "alice");
      producerProps.put(ProducerConfig.ACKS_CONFIG, "all");
      producerProps.put(
          ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
      producerProps.put(
          ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
      try (KafkaProducer<String, String> producer = new KafkaProducer<>(producerProps)) {
        for (int i = 0; i < 20; i++) {
          assertThat(
                  producer
                      .send(new ProducerRecord<>("orders", "k" + i, "v" + i))
                      .get(30, TimeUnit.SECONDS)
                      .offset())
              .isEqualTo(i);
        }
      }
      // acks=all with both replicas in sync: the follower fetched with the file's credentials.
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () ->
                  cluster.runningIds().stream()
                      .allMatch(id -> cluster.partition(id, "orders", 0).logEndOffset() == 20));
      assertThat(TestCluster.logBytes(cluster.partition(1, "orders", 0), 20))
          .isEqualTo(TestCluster.logBytes(cluster.partition(0, "orders", 0), 20));

      // CLIENT has its own section: carol reads, alice (only in KafkaServer) is refused.
      assertThat(consumeAll(client, "carol")).hasSize(20).first().isEqualTo("k0=v0");
      assertRefused(client, "alice");
      // EXTERNAL: its sasl.jaas.config wins over the file's external.KafkaServer section.
      assertThat(clusterId(external, "dave")).isNotBlank();
      assertRefused(external, "mallory");
      assertRefused(internal, "carol");
    }
  }

  private static void restore(String previous) {
    if (previous == null) {
      System.clearProperty(JaasFile.LOGIN_CONFIG_PROPERTY);
    } else {
      System.setProperty(JaasFile.LOGIN_CONFIG_PROPERTY, previous);
    }
    // ZooKeeper's client and server read the JDK's global JAAS configuration while the property
    // was set and cached it: drop that copy so later tests in this JVM start from none.
    Configuration.setConfiguration(null);
  }

  private static String bootstrap(TestCluster cluster, String listener) {
    List<String> servers = new ArrayList<>();
    for (int id : cluster.runningIds()) {
      servers.add(cluster.broker(id).bootstrapServers(listener));
    }
    return String.join(",", servers);
  }

  private static Properties props(String bootstrap, String user) {
    return SecureClusterConfig.client(bootstrap, "SASL_PLAINTEXT", "PLAIN", user);
  }

  private static String clusterId(String bootstrap, String user) throws Exception {
    try (Admin admin = Admin.create(props(bootstrap, user))) {
      return admin.describeCluster().clusterId().get(30, TimeUnit.SECONDS);
    }
  }

  private static void assertRefused(String bootstrap, String user) {
    assertThatThrownBy(() -> clusterId(bootstrap, user))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOf(SaslAuthenticationException.class)
        .hasMessageContaining("Invalid username or password");
  }

  private static List<String> consumeAll(String bootstrap, String user) {
    Properties p = props(bootstrap, user);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    List<String> out = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
      consumer.assign(List.of(new org.apache.kafka.common.TopicPartition("orders", 0)));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (out.size() < 20 && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          out.add(r.key() + "=" + r.value());
        }
      }
    }
    return out;
  }
}
