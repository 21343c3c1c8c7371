package dev.ferry.security;

import static dev.ferry.security.DenialMatrixTest.acl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.it.TestBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.GroupProtocol;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.SubscriptionPattern;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.resource.ResourceType;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The consumer group protocol (KIP-848) under the ACL authorizer, as Kafka checks it: a member
 * needs READ on the group and DESCRIBE on its subscribed topics (READ on them to fetch);
 * ConsumerGroupDescribe needs DESCRIBE on the group. Without these rules the APIs fell to the
 * CLUSTER_ACTION default and only super users could use the new protocol.
 */
class ConsumerGroupAuthorizationTest {

  private static final String GROUP = "alice-group";
  private static final String REGEX_GROUP = "alice-regex-group";

  @TempDir static Path dir;
  static TestBroker broker;

  @BeforeAll
  static void start() throws Exception {
    broker = AuthorizerTestBroker.start(dir, Map.of());
    AuthorizerTestBroker.createTopicsAndAcls(
        broker,
        List.of(new NewTopic("orders", 1, (short) 1), new NewTopic("hidden", 1, (short) 1)),
        List.of(
            acl(ResourceType.GROUP, GROUP, "User:alice", AclOperation.READ),
            acl(ResourceType.GROUP, REGEX_GROUP, "User:alice", AclOperation.READ),
            acl(ResourceType.TOPIC, "orders", "User:alice", AclOperation.READ),
            // bob may use the group but not see the topic
            acl(ResourceType.GROUP, GROUP, "User:bob", AclOperation.READ)));
    AuthorizerTestBroker.produce(
        broker, "orders", List.of("order-0", "order-1", "order-2", "order-3", "order-4"));
    AuthorizerTestBroker.produce(broker, "hidden", List.of("hidden-0", "hidden-1"));
  }

  @AfterAll
  static void stop() {
    if (broker != null) {
      broker.close();
    }
  }

  static Properties client(String user) {
    return AuthorizerTestBroker.client(broker, user);
  }

  private static KafkaConsumer<String, String> consumer(String user, String group) {
    Properties p = client(user);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, GroupProtocol.CONSUMER.name());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    KafkaConsumer<String, String> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
    c.subscribe(List.of("orders"));
    return c;
  }

  @Test
  void aMemberWithReadOnGroupAndTopicConsumesAndTheOthersAreRefused() {
    try (KafkaConsumer<String, String> alice = consumer("alice", GROUP)) {
      List<String> values = new ArrayList<>();
      Awaitility.await()
          .atMost(30, TimeUnit.SECONDS)
          .until(
              () -> {
                for (ConsumerRecord<String, String> r : alice.poll(Duration.ofMillis(100))) {
                  values.add(r.value());
                }
                return values.size() >= 5;
              });
      alice.commitSync();
      assertThat(values).containsExactly("order-0", "order-1", "order-2", "order-3", "order-4");
    }
    // No ACL for alice on this group.
    try (KafkaConsumer<String, String> alice = consumer("alice", "forbidden-group")) {
      assertThatThrownBy(() -> pollUntilFailure(alice))
          .isInstanceOf(GroupAuthorizationException.class);
    }
    // bob may use the group, but not describe its topic.
    try (KafkaConsumer<String, String> bob = consumer("bob", GROUP)) {
      assertThatThrownBy(() -> pollUntilFailure(bob))
          .isInstanceOf(TopicAuthorizationException.class);
    }
  }

  /**
   * Kafka 4 resolves a regex subscription only to the topics the member may describe: alice's
   * pattern matches "hidden" too, but she gets (and learns of) only "orders". Before this rule she
   * was assigned hidden-0 and her poll failed on fetching it.
   */
  @Test
  void aRegexSubscriptionResolvesOnlyToTopicsTheMemberMayDescribe() {
    Properties p = client("alice");
    p.put(ConsumerConfig.GROUP_ID_CONFIG, REGEX_GROUP);
    p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, GroupProtocol.CONSUMER.name());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    try (KafkaConsumer<String, String> alice =
        new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
      alice.subscribe(new SubscriptionPattern("orders|hidden"));
      List<String> values = new ArrayList<>();
      Awaitility.await()
          .atMost(30, TimeUnit.SECONDS)
          .until(
              () -> {
                for (ConsumerRecord<String, String> r : alice.poll(Duration.ofMillis(100))) {
                  values.add(r.value());
                }
                return values.size() >= 5;
              });
      assertThat(alice.assignment()).containsExactly(new TopicPartition("orders", 0));
      assertThat(values).containsExactly("order-0", "order-1", "order-2", "order-3", "order-4");
    }
  }

  @Test
  void describingAGroupNeedsDescribeOnIt() throws Exception {
    try (KafkaConsumer<String, String> member = consumer("alice", GROUP);
        Admin alice = Admin.create(client("alice"))) {
      Awaitility.await()
          .atMost(30, TimeUnit.SECONDS)
          .until(
              () -> {
                member.poll(Duration.ofMillis(100));
                return !member.assignment().isEmpty();
              });
      ConsumerGroupDescription group =
          alice.describeConsumerGroups(List.of(GROUP)).all().get(30, TimeUnit.SECONDS).get(GROUP);
      assertThat(group.groupId()).isEqualTo(GROUP);
      assertThat(group.members()).hasSize(1);
      assertThat(group.members().iterator().next().assignment().topicPartitions())
          .extracting(tp -> tp.topic() + "-" + tp.partition())
          .containsExactly("orders-0");
      assertThatThrownBy(
              () ->
                  alice
                      .describeConsumerGroups(List.of("forbidden-group"))
                      .all()
                      .get(30, TimeUnit.SECONDS))
          .isInstanceOf(ExecutionException.class)
          .hasCauseInstanceOf(GroupAuthorizationException.class);
    }
  }

  /** Polls until the consumer reports its failure; fails the test after 30 s without one. */
  private static void pollUntilFailure(KafkaConsumer<String, String> c) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      c.poll(Duration.ofMillis(100));
    }
    throw new AssertionError("no authorization failure within 30 s");
  }
}
