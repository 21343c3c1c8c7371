package dev.ferry.security;

import static dev.ferry.security.DenialMatrixTest.acl;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.it.RawKafkaConnection;
import dev.ferry.it.TestBroker;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.TransactionalIdAuthorizationException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka's authorization of the transaction APIs under the ACL authorizer: Describe/ListTransactions
 * need DESCRIBE on the transactional id (and show only describable topics), DescribeProducers READ
 * on the topic, and an AddPartitionsToTxn with one denied topic adds nothing, answering
 * OPERATION_NOT_ATTEMPTED for the allowed partitions.
 */
class TransactionAuthorizationTest {

  @TempDir static Path dir;
  static TestBroker broker;
  static KafkaProducer<String, String> visible;
  static KafkaProducer<String, String> hidden;

  @BeforeAll
  static void start() throws Exception {
    broker = AuthorizerTestBroker.start(dir, Map.of());
    AuthorizerTestBroker.createTopicsAndAcls(
        broker,
        List.of(new NewTopic("orders", 1, (short) 1), new NewTopic("secret", 1, (short) 1)),
        List.of(
            acl(ResourceType.TRANSACTIONAL_ID, "visible-tx", "User:alice", AclOperation.DESCRIBE),
            acl(ResourceType.TOPIC, "orders", "User:alice", AclOperation.READ),
            acl(ResourceType.TRANSACTIONAL_ID, "anon-tx", "User:ANONYMOUS", AclOperation.WRITE),
            acl(ResourceType.TOPIC, "orders", "User:ANONYMOUS", AclOperation.WRITE)));
    // Two ongoing transactions of admin's, each on both topics.
    visible = ongoingTransaction("visible-tx");
    hidden = ongoingTransaction("hidden-tx");
  }

  private static KafkaProducer<String, String> ongoingTransaction(String id) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, id);
    KafkaProducer<String, String> producer = AuthorizerTestBroker.producer(broker, p);
    producer.initTransactions();
    producer.beginTransaction();
    producer.send(new ProducerRecord<>("orders", 0, "k", id)).get(30, TimeUnit.SECONDS);
    producer.send(new ProducerRecord<>("secret", 0, "k", id)).get(30, TimeUnit.SECONDS);
    return producer;
  }

  @AfterAll
  static void stop() {
    for (KafkaProducer<String, String> p : new KafkaProducer[] {visible, hidden}) {
      if (p != null) {
        p.close();
      }
    }
    if (broker != null) {
      broker.close();
    }
  }

  static Properties client(String user) {
    return AuthorizerTestBroker.client(broker, user);
  }

  @Test
  void describeTransactionsNeedsDescribeOnTheIdAndShowsOnlyDescribableTopics() throws Exception {
    try (Admin alice = Admin.create(client("alice"))) {
      TransactionDescription d =
          alice.describeTransactions(List.of("visible-tx")).description("visible-tx").get();
      assertThat(d.state().toString()).isEqualTo("Ongoing");
      // alice may describe orders (READ implies DESCRIBE), not secret.
      assertThat(d.topicPartitions()).containsExactly(new TopicPartition("orders", 0));
      assertThatThrownBy(
              () -> alice.describeTransactions(List.of("hidden-tx")).description("hidden-tx").get())
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(TransactionalIdAuthorizationException.class);
    }
    try (Admin admin = Admin.create(client("admin"))) {
      assertThat(
              admin
                  .describeTransactions(List.of("hidden-tx"))
                  .description("hidden-tx")
                  .get()
                  .topicPartitions())
          .containsExactlyInAnyOrder(
              new TopicPartition("orders", 0), new TopicPartition("secret", 0));
    }
  }

  @Test
  void listTransactionsShowsOnlyDescribableIds() throws Exception {
    assertThat(listed("admin")).containsExactlyInAnyOrder("visible-tx", "hidden-tx");
    assertThat(listed("alice")).containsExactly("visible-tx");
    assertThat(listed("bob")).isEmpty();
  }

  private static List<String> listed(String user) throws Exception {
    try (Admin a = Admin.create(client(user))) {
      return a.listTransactions().all().get(30, TimeUnit.SECONDS).stream()
          .map(TransactionListing::transactionalId)
          .sorted()
          .collect(Collectors.toList());
    }
  }

  @Test
  void describeProducersNeedsReadOnTheTopic() throws Exception {
    TopicPartition orders = new TopicPartition("orders", 0);
    TopicPartition secret = new TopicPartition("secret", 0);
    try (Admin alice = Admin.create(client("alice"))) {
      var result = alice.describeProducers(List.of(orders, secret));
      List<ProducerState> producers = result.partitionResult(orders).get().activeProducers();
      assertThat(producers).hasSize(2);
      assertThatThrownBy(() -> result.partitionResult(secret).get())
          .isInstanceOf(ExecutionException.class)
          .cause()
          .isInstanceOf(TopicAuthorizationException.class);
    }
  }

  @Test
  void addPartitionsWithADeniedTopicAddsNothing() throws Exception {
    AddPartitionsToTxnRequest request =
        AddPartitionsToTxnRequest.Builder.forClient(
                "anon-tx",
                4242L,
                (short) 0,
                List.of(new TopicPartition("orders", 0), new TopicPartition("secret", 0)))
            .build((short) 3);
    // The PLAINTEXT listener's clients are User:ANONYMOUS.
    try (RawKafkaConnection c = RawKafkaConnection.to(broker)) {
      AddPartitionsToTxnResponse response = (AddPartitionsToTxnResponse) c.send(request);
      assertThat(response.errors().get(AddPartitionsToTxnResponse.V3_AND_BELOW_TXN_ID))
          .isEqualTo(
              Map.of(
                  new TopicPartition("orders", 0), Errors.OPERATION_NOT_ATTEMPTED,
                  new TopicPartition("secret", 0), Errors.TOPIC_AUTHORIZATION_FAILED));
    }
  }
}
