package dev.ferry.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.it.TestBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclBindingFilter;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.AuthenticationException;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.ClusterAuthorizationException;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The denial matrix of issue 13 with the real Java client: admin (super user), alice (WRITE and
 * READ on topic orders, READ on group billing), bob (no ACLs) and an unauthenticated client, over
 * SASL_PLAINTEXT (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512), SSL with client certificates and SASL_SSL.
 * Each API gives Kafka's outcome: the data for those allowed, Kafka's authorization error for the
 * others, and topics alice may not describe never appear in her metadata.
 */
public class DenialMatrixTest {

  @TempDir static Path dir;
  static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    Map<String, String> settings = new java.util.HashMap<>(SecureClusterConfig.brokerSettings());
    settings.put(
        "authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
    // The PLAINTEXT listener is the inter-broker one; its clients are User:ANONYMOUS.
    settings.put("super.users", "User:admin;User:ANONYMOUS");
    broker = TestBroker.start(dir, settings);
    try (Admin admin = Admin.create(client("SASL_PLAINTEXT", "PLAIN", "admin"))) {
      List<UserScramCredentialUpsertion> users = new ArrayList<>();
      for (String user : List.of("admin", "alice", "bob")) {
        for (ScramMechanism m :
            List.of(ScramMechanism.SCRAM_SHA_256, ScramMechanism.SCRAM_SHA_512)) {
          users.add(
              new UserScramCredentialUpsertion(
                  user, new ScramCredentialInfo(m, 4096), SecureClusterConfig.password(user)));
        }
      }
      // One alteration per request: a user may be altered once per request (as in Kafka).
      for (UserScramCredentialUpsertion u : users) {
        admin.alterUserScramCredentials(List.of(u)).all().get(30, TimeUnit.SECONDS);
      }
      admin
          .createTopics(
              List.of(new NewTopic("orders", 1, (short) 1), new NewTopic("secret", 1, (short) 1)))
          .all()
          .get(30, TimeUnit.SECONDS);
      admin
          .createAcls(
              List.of(
                  acl(ResourceType.TOPIC, "orders", "User:alice", AclOperation.WRITE),
                  acl(ResourceType.TOPIC, "orders", "User:alice", AclOperation.READ),
                  acl(ResourceType.GROUP, "billing", "User:alice", AclOperation.READ)))
          .all()
          .get(30, TimeUnit.SECONDS);
      assertThat(admin.describeAcls(AclBindingFilter.ANY).values().get(30, TimeUnit.SECONDS))
          .hasSize(3);
      assertThat(admin.describeUserScramCredentials().all().get(30, TimeUnit.SECONDS).keySet())
          .containsExactlyInAnyOrder("admin", "alice", "bob");
    }
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  public static AclBinding acl(ResourceType type, String name, String principal, AclOperation op) {
    return new AclBinding(
        new ResourcePattern(type, name, PatternType.LITERAL),
        new AccessControlEntry(principal, "*", op, AclPermissionType.ALLOW));
  }

  static Properties client(String protocol, String mechanism, String user) {
    Properties p =
        SecureClusterConfig.client(
            broker.broker().bootstrapServers(protocol), protocol, mechanism, user);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    return p;
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "SASL_PLAINTEXT, PLAIN",
    "SASL_PLAINTEXT, SCRAM-SHA-256",
    "SASL_PLAINTEXT, SCRAM-SHA-512",
    "SSL, none",
    "SASL_SSL, SCRAM-SHA-256"
  })
  void everyApiGivesKafkasOutcome(String protocol, String mechanism) throws Exception {
    String suffix = (protocol + "-" + mechanism).toLowerCase().replace('_', '-');
    Properties admin = client(protocol, mechanism, "admin");
    Properties alice = client(protocol, mechanism, "alice");
    Properties bob = client(protocol, mechanism, "bob");

    // Metadata: nobody sees a topic they may not describe.
    assertThat(topics(admin)).contains("orders", "secret");
    assertThat(topics(alice)).containsExactly("orders");
    assertThat(topics(bob)).isEmpty();
    assertDenied(() -> describeTopic(bob, "orders"), TopicAuthorizationException.class);

    // Produce.
    String value = "v-" + suffix;
    produce(alice, "orders", value);
    produce(admin, "orders", value + "-admin");
    assertDenied(() -> produce(bob, "orders", "nope"), AuthorizationException.class);

    // Fetch (assigned, no group).
    assertThat(fetch(alice, "orders")).contains(value, value + "-admin");
    assertThat(fetch(admin, "orders")).contains(value);
    assertDenied(() -> fetch(bob, "orders"), TopicAuthorizationException.class);
    assertDenied(() -> fetch(alice, "secret"), TopicAuthorizationException.class);

    // Groups: join and commit, list.
    assertThat(consumeInGroup(alice, "billing", "orders")).contains(value);
    // Bob may neither describe the topic nor read the group; the client reports whichever answer
    // reaches it first, as with Kafka.
    assertDenied(() -> consumeInGroup(bob, "billing", "orders"), AuthorizationException.class);
    assertDenied(
        () -> consumeInGroup(alice, "other-" + suffix, "orders"),
        GroupAuthorizationException.class);
    assertThat(groups(admin)).contains("billing");
    assertThat(groups(alice)).containsExactly("billing");
    assertThat(groups(bob)).isEmpty();

    // Create and delete topics.
    String created = "created-" + suffix;
    assertDenied(() -> createTopic(alice, created), TopicAuthorizationException.class);
    assertDenied(() -> createTopic(bob, created), TopicAuthorizationException.class);
    createTopic(admin, created);
    assertDenied(() -> deleteTopic(alice, created), TopicAuthorizationException.class);
    deleteTopic(admin, created);

    // Configs.
    assertDenied(() -> describeConfigs(alice, "orders"), TopicAuthorizationException.class);
    assertThat(describeConfigs(admin, "orders")).isNotEmpty();
    assertDenied(() -> alterConfig(alice, "orders"), TopicAuthorizationException.class);
    alterConfig(admin, "orders");
    assertDenied(() -> describeBrokerConfigs(alice), ClusterAuthorizationException.class);

    // Delete records needs DELETE.
    assertDenied(() -> deleteRecords(alice, "orders"), TopicAuthorizationException.class);

    // ACL and SCRAM administration need the cluster resource.
    assertDenied(() -> describeAcls(alice), ClusterAuthorizationException.class);
    assertThat(describeAcls(admin)).hasSize(3);
    assertDenied(
        () -> createAcl(bob, acl(ResourceType.TOPIC, "orders", "User:bob", AclOperation.ALL)),
        ClusterAuthorizationException.class);
    assertDenied(() -> describeScram(alice), ClusterAuthorizationException.class);
    assertThat(describeScram(admin)).contains("alice", "bob");

    // Unauthenticated: no credentials (SASL) or no certificate (SSL) gets nowhere.
    Properties nobody = client(protocol, mechanism, "nobody");
    if (protocol.equals("SSL")) {
      // TLS 1.3: the client's side of the handshake ends before the broker refuses the missing
      // certificate; the Java client then keeps reconnecting until its timeout.
      nobody.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "3000");
      nobody.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "3000");
      assertDenied(() -> topics(nobody), Exception.class);
    } else {
      assertDenied(() -> topics(nobody), AuthenticationException.class);
    }
  }

  interface Call {
    void run() throws Exception;
  }

  static void assertDenied(Call call, Class<? extends Exception> expected) {
    assertThatThrownBy(call::run)
        .satisfies(
            e -> {
              Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
              assertThat(cause).isInstanceOf(expected);
            });
  }

  static Set<String> topics(Properties p) throws Exception {
    try (Admin a = Admin.create(p)) {
      return a.listTopics().names().get(20, TimeUnit.SECONDS);
    }
  }

  static void describeTopic(Properties p, String topic) throws Exception {
    try (Admin a = Admin.create(p)) {
      a.describeTopics(List.of(topic)).allTopicNames().get(20, TimeUnit.SECONDS);
    }
  }

  static void produce(Properties p, String topic, String value) throws Exception {
    Properties c = new Properties();
    c.putAll(p);
    c.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "10000");
    c.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "12000");
    c.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    try (KafkaProducer<String, String> producer = SecureListenersTest.producer(c)) {
      producer.send(new ProducerRecord<>(topic, "k", value)).get(20, TimeUnit.SECONDS);
    }
  }

  public static List<String> fetch(Properties p, String topic) {
    try (KafkaConsumer<String, String> consumer = SecureListenersTest.consumer(p)) {
      TopicPartition tp = new TopicPartition(topic, 0);
      consumer.assign(List.of(tp));
      consumer.seek(tp, 0);
      return pollValues(consumer);
    }
  }

  static List<String> consumeInGroup(Properties p, String group, String topic) {
    Properties c = new Properties();
    c.putAll(p);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    try (KafkaConsumer<String, String> consumer = SecureListenersTest.consumer(c)) {
      consumer.subscribe(List.of(topic));
      List<String> values = pollValues(consumer);
      consumer.commitSync(Duration.ofSeconds(15));
      return values;
    }
  }

  private static List<String> pollValues(KafkaConsumer<String, String> consumer) {
    List<String> values = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (values.isEmpty() && System.nanoTime() < deadline) {
      for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
        values.add(r.value());
      }
    }
    // Everything currently in the partition (the test writes few records).
    for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(300))) {
      values.add(r.value());
    }
    return values;
  }

  static Set<String> groups(Properties p) throws Exception {
    try (Admin a = Admin.create(p)) {
      return a.listConsumerGroups().all().get(20, TimeUnit.SECONDS).stream()
          .map(ConsumerGroupListing::groupId)
          .collect(Collectors.toSet());
    }
  }

  static void createTopic(Properties p, String topic) throws Exception {
    try (Admin a = Admin.create(p)) {
      a.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(20, TimeUnit.SECONDS);
    }
  }

  static void deleteTopic(Properties p, String topic) throws Exception {
    try (Admin a = Admin.create(p)) {
      a.deleteTopics(List.of(topic)).all().get(20, TimeUnit.SECONDS);
    }
  }

  static java.util.Collection<ConfigEntry> describeConfigs(Properties p, String topic)
      throws Exception {
    try (Admin a = Admin.create(p)) {
      ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      return a.describeConfigs(List.of(r)).all().get(20, TimeUnit.SECONDS).get(r).entries();
    }
  }

  static void describeBrokerConfigs(Properties p) throws Exception {
    try (Admin a = Admin.create(p)) {
      ConfigResource r = new ConfigResource(ConfigResource.Type.BROKER, "0");
      a.describeConfigs(List.of(r)).all().get(20, TimeUnit.SECONDS);
    }
  }

  static void alterConfig(Properties p, String topic) throws Exception {
    try (Admin a = Admin.create(p)) {
      ConfigResource r = new ConfigResource(ConfigResource.Type.TOPIC, topic);
      a.incrementalAlterConfigs(
              Map.of(
                  r,
                  List.of(
                      new AlterConfigOp(
                          new ConfigEntry("retention.ms", "86400000"), AlterConfigOp.OpType.SET))))
          .all()
          .get(20, TimeUnit.SECONDS);
    }
  }

  static void deleteRecords(Properties p, String topic) throws Exception {
    try (Admin a = Admin.create(p)) {
      a.deleteRecords(Map.of(new TopicPartition(topic, 0), RecordsToDelete.beforeOffset(0)))
          .all()
          .get(20, TimeUnit.SECONDS);
    }
  }

  static java.util.Collection<AclBinding> describeAcls(Properties p) throws Exception {
    try (Admin a = Admin.create(p)) {
      return a.describeAcls(AclBindingFilter.ANY).values().get(20, TimeUnit.SECONDS);
    }
  }

  static void createAcl(Properties p, AclBinding binding) throws Exception {
    try (Admin a = Admin.create(p)) {
      a.createAcls(List.of(binding)).all().get(20, TimeUnit.SECONDS);
    }
  }

  static Set<String> describeScram(Properties p) throws Exception {
    try (Admin a = Admin.create(p)) {
      return a.describeUserScramCredentials().all().get(20, TimeUnit.SECONDS).keySet();
    }
  }
}
