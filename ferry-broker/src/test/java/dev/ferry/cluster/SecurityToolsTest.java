package dev.ferry.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.it.TestBroker;
import dev.ferry.security.SecureClusterConfig;
import java.io.IOException;
import java.io.OutputStream;
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
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's own security tools against a Ferry broker with SASL_SSL and the ACL authorizer, run as
 * their shell scripts run them (their own Admin client from {@code --bootstrap-server} and a {@code
 * --command-config} with the SASL settings): {@code kafka-configs.sh} (ConfigCommand) creates,
 * describes and deletes SCRAM-SHA-512 users, {@code kafka-acls.sh} (AclCommand) adds, lists and
 * removes ACLs. Each step's printed output is compared exactly with what the tool prints against
 * Kafka, and its effect is checked with the real client: the new user authenticates, an added ACL
 * lets it in, a removed one shuts it out, a deleted user no longer authenticates.
 */
class SecurityToolsTest {

  private static final String CONFIGS = "org.apache.kafka.tools.ConfigCommand";
  private static final String ACLS = "org.apache.kafka.tools.AclCommand";
  private static final String NL = System.lineSeparator();

  @TempDir static Path dir;
  static TestBroker broker;
  static String bootstrap;
  static Path plainAdmin;
  static Path scramAdmin;

  @BeforeAll
  static void start() throws IOException {
    Map<String, String> settings = new HashMap<>(SecureClusterConfig.brokerSettings());
    settings.put(
        "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    // The PLAINTEXT listener is the inter-broker one; its clients are User:ANONYMOUS.
    settings.put("super.users", "User:admin;User:ANONYMOUS");
    broker = TestBroker.start(dir.resolve("broker"), settings);
    bootstrap = broker.broker().bootstrapServers("SASL_SSL");
    // The super user has a PLAIN password in the JAAS config; its SCRAM credential is made with
    // the tool below, as an operator bootstraps SCRAM on a fresh cluster.
    plainAdmin =
        commandConfig(
            "admin-plain.properties",
            SecureClusterConfig.client(bootstrap, "SASL_SSL", "PLAIN", "admin"));
    scramAdmin =
        commandConfig(
            "admin-scram.properties",
            SecureClusterConfig.client(bootstrap, "SASL_SSL", "SCRAM-SHA-512", "admin"));
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  /** A client properties file as an operator writes it, without the bootstrap servers. */
  private static Path commandConfig(String name, Properties client) throws IOException {
    Properties p = new Properties();
    p.putAll(client);
    p.remove("bootstrap.servers");
    Path file = dir.resolve(name);
    try (OutputStream out = Files.newOutputStream(file)) {
      p.store(out, null);
    }
    return file;
  }

  private static String configs(Path commandConfig, String... args) throws Exception {
    return KafkaTool.command(CONFIGS, withConnection(commandConfig, args));
  }

  private static String acls(String... args) throws Exception {
    return KafkaTool.command(ACLS, withConnection(scramAdmin, args));
  }

  private static String[] withConnection(Path commandConfig, String... args) {
    List<String> all = new ArrayList<>();
    all.add("--bootstrap-server");
    all.add(bootstrap);
    all.add("--command-config");
    all.add(commandConfig.toString());
    all.addAll(List.of(args));
    return all.toArray(String[]::new);
  }

  @Test
  void kafkaConfigsManagesScramUsersAndKafkaAclsManagesAcls() throws Exception {
    // kafka-configs.sh: SCRAM-SHA-512 credentials for the super user (over PLAIN), then carol.
    assertThat(
            configs(
                plainAdmin,
                "--alter",
                "--add-config",
                "SCRAM-SHA-512=[password=admin-secret]",
                "--entity-type",
                "users",
                "--entity-name",
                "admin"))
        .isEqualTo("Completed updating config for user admin." + NL);
    assertThat(
            configs(
                scramAdmin,
                "--alter",
                "--add-config",
                "SCRAM-SHA-512=[iterations=8192,password=carol-secret]",
                "--entity-type",
                "users",
                "--entity-name",
                "carol"))
        .isEqualTo("Completed updating config for user carol." + NL);
    assertThat(
            configs(scramAdmin, "--describe", "--entity-type", "users", "--entity-name", "carol"))
        .isEqualTo(
            "SCRAM credential configs for user-principal 'carol' are SCRAM-SHA-512=iterations=8192"
                + NL);
    // Without a name: every user with credentials; the default iterations are 4096.
    assertThat(configs(scramAdmin, "--describe", "--entity-type", "users").lines())
        .containsExactlyInAnyOrder(
            "SCRAM credential configs for user-principal 'admin' are SCRAM-SHA-512=iterations=4096",
            "SCRAM credential configs for user-principal 'carol' are SCRAM-SHA-512=iterations=8192");

    try (Admin admin =
        Admin.create(SecureClusterConfig.client(bootstrap, "SASL_SSL", "PLAIN", "admin"))) {
      admin
          .createTopics(List.of(new NewTopic("payments", 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
    Properties carol = SecureClusterConfig.client(bootstrap, "SASL_SSL", "SCRAM-SHA-512", "carol");

    // carol authenticates (her credential exists) but has no ACL yet.
    assertThatThrownBy(() -> send(carol, "before"))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(TopicAuthorizationException.class);

    // kafka-acls.sh --add: WRITE on the topic (it implies DESCRIBE), READ on the prefix "pay".
    String payments = "ResourcePattern(resourceType=TOPIC, name=payments, patternType=LITERAL)";
    String write = "(principal=User:carol, host=*, operation=WRITE, permissionType=ALLOW)";
    String prefix = "ResourcePattern(resourceType=TOPIC, name=pay, patternType=PREFIXED)";
    String read = "(principal=User:carol, host=*, operation=READ, permissionType=ALLOW)";
    assertThat(
            acls(
                "--add",
                "--allow-principal",
                "User:carol",
                "--operation",
                "Write",
                "--topic",
                "payments"))
        .isEqualTo("Adding ACLs for resource `" + payments + "`: " + NL + " \t" + write + NL + NL);
    assertThat(
            acls(
                "--add",
                "--allow-principal",
                "User:carol",
                "--operation",
                "Read",
                "--topic",
                "pay",
                "--resource-pattern-type",
                "prefixed"))
        .isEqualTo("Adding ACLs for resource `" + prefix + "`: " + NL + " \t" + read + NL + NL);
    // Adding it again changes nothing and says so.
    assertThat(
            acls(
                "--add",
                "--allow-principal",
                "User:carol",
                "--operation",
                "Write",
                "--topic",
                "payments"))
        .isEqualTo("Acl (pattern=" + payments + ", entry=" + write + ") already exists." + NL);

    // kafka-acls.sh --list: one resource, then every ACL of the principal.
    assertThat(acls("--list", "--topic", "payments"))
        .isEqualTo("Current ACLs for resource `" + payments + "`:" + NL + "\t" + write + NL + NL);
    String all = acls("--list", "--principal", "User:carol");
    assertThat(all)
        .startsWith("ACLs for principal `User:carol`" + NL)
        .contains("Current ACLs for resource `" + payments + "`:" + NL + "\t" + write + NL + NL)
        .contains("Current ACLs for resource `" + prefix + "`:" + NL + "\t" + read + NL + NL)
        .hasSize(
            ("ACLs for principal `User:carol`" + NL).length()
                + ("Current ACLs for resource `" + payments + "`:" + NL + "\t" + write + NL + NL)
                    .length()
                + ("Current ACLs for resource `" + prefix + "`:" + NL + "\t" + read + NL + NL)
                    .length());

    // Enforced: carol writes and reads back (READ through the prefixed ACL).
    awaitAuthorized(() -> send(carol, "first"));
    assertThat(send(carol, "second")).isEqualTo(1L);
    assertThat(readAll(carol, 2)).containsExactly("first", "second");

    // kafka-acls.sh --remove --force prints nothing; the ACL is gone from --list and enforcement.
    assertThat(
            acls(
                "--remove",
                "--force",
                "--allow-principal",
                "User:carol",
                "--operation",
                "Write",
                "--topic",
                "payments"))
        .isEmpty();
    assertThat(acls("--list", "--topic", "payments")).isEmpty();
    // Without WRITE on any topic her idempotent producer may not even get a producer id: Kafka
    // answers InitProducerId with CLUSTER_AUTHORIZATION_FAILED (no IDEMPOTENT_WRITE on the cluster
    // and no WRITE on any topic), and so does Ferry.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThatThrownBy(() -> send(carol, "denied"))
                    .hasCauseInstanceOf(ClusterAuthorizationException.class));
    assertThat(readAll(carol, 2)).containsExactly("first", "second");

    // kafka-configs.sh --delete-config: carol's credential is gone, she no longer authenticates.
    assertThat(
            configs(
                scramAdmin,
                "--alter",
                "--delete-config",
                "SCRAM-SHA-512",
                "--entity-type",
                "users",
                "--entity-name",
                "carol"))
        .isEqualTo("Completed updating config for user carol." + NL);
    assertThat(configs(scramAdmin, "--describe", "--entity-type", "users").lines())
        .containsExactly(
            "SCRAM credential configs for user-principal 'admin' are SCRAM-SHA-512=iterations=4096");
    assertThatThrownBy(() -> send(carol, "gone"))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(SaslAuthenticationException.class);
  }

  /** Sends one record to payments-0 as the client, returning its offset. */
  private static long send(Properties client, String value) throws Exception {
    Properties p = new Properties();
    p.putAll(client);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "10000");
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      return producer
          .send(new ProducerRecord<>("payments", 0, null, value))
          .get(30, TimeUnit.SECONDS)
          .offset();
    }
  }

  private interface Send {
    long run() throws Exception;
  }

  /** The first authorized send (ACL changes reach the broker's cache through ZooKeeper). */
  private static void awaitAuthorized(Send send) {
    await()
        .atMost(Duration.ofSeconds(10))
        .ignoreExceptionsInstanceOf(ExecutionException.class)
        .untilAsserted(() -> assertThat(send.run()).isEqualTo(0L));
  }

  private static List<String> readAll(Properties client, int expected) {
    Properties p = new Properties();
    p.putAll(client);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    List<String> values = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
      TopicPartition tp = new TopicPartition("payments", 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (values.size() < expected && System.nanoTime() < deadline) {
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
          values.add(r.value());
        }
      }
    }
    return values;
  }
}
