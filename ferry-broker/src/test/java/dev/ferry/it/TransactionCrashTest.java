package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker SIGKILLed with committed, aborted and open transactions in its logs: after restart
 * (unclean: producer state and aborted-transaction indexes rebuilt from the logs, the transaction
 * coordinator reloaded from {@code __transaction_state}) every committed transaction is visible
 * whole at read_committed, the aborted one never, the open one is aborted by its timeout, and the
 * last stable offset reaches the log end.
 */
@Tag("slow")
class TransactionCrashTest {

  private static final String TOPIC = "crash-txn";

  @TempDir Path dir;

  private Map<String, String> config(int port) {
    Map<String, String> c = new HashMap<>();
    c.put("listeners", "PLAINTEXT://127.0.0.1:" + port);
    c.put("log.dirs", dir.resolve("logs").toString());
    c.put("zookeeper.session.timeout.ms", "6000");
    c.put("num.network.threads", "2");
    c.put("offsets.topic.num.partitions", "2");
    c.put("offsets.topic.replication.factor", "1");
    c.putAll(TransactionsTest.brokerConfig());
    return c;
  }

  @Test
  void committedTransactionsSurviveSigkillAndOpenOnesAreAborted() throws Exception {
    int port = BrokerProcess.freePort();
    String bootstrap = "127.0.0.1:" + port;
    List<String> committed = new ArrayList<>();
    try (BrokerProcess broker = BrokerProcess.start(config(port))) {
      try (Admin admin = admin(bootstrap)) {
        admin.createTopics(List.of(new NewTopic(TOPIC, 2, (short) 1))).all().get();
      }
      try (KafkaProducer<byte[], byte[]> p = producer(bootstrap, "committer", 60_000)) {
        p.initTransactions();
        for (int t = 0; t < 5; t++) {
          p.beginTransaction();
          for (int i = 0; i < 10; i++) {
            String v = "c" + t + "-" + i;
            p.send(new ProducerRecord<>(TOPIC, i % 2, null, Records.utf8(v)));
            committed.add(v);
          }
          p.commitTransaction();
        }
      }
      try (KafkaProducer<byte[], byte[]> p = producer(bootstrap, "aborter", 60_000)) {
        p.initTransactions();
        p.beginTransaction();
        for (int i = 0; i < 10; i++) {
          p.send(new ProducerRecord<>(TOPIC, i % 2, null, Records.utf8("aborted-" + i)));
        }
        p.flush();
        p.abortTransaction();
      }
      KafkaProducer<byte[], byte[]> open = producer(bootstrap, "open", 3_000);
      open.initTransactions();
      open.beginTransaction();
      for (int i = 0; i < 10; i++) {
        open.send(new ProducerRecord<>(TOPIC, i % 2, null, Records.utf8("open-" + i)));
      }
      open.flush();
      broker.kill();
      open.close(Duration.ZERO);
    }

    try (BrokerProcess restarted = BrokerProcess.start(config(port));
        Admin admin = admin(bootstrap)) {
      // The open transaction holds the LSO back until the reloaded coordinator times it out.
      await()
          .atMost(Duration.ofSeconds(60))
          .untilAsserted(
              () -> {
                for (int p = 0; p < 2; p++) {
                  TopicPartition tp = new TopicPartition(TOPIC, p);
                  assertThat(latest(admin, tp, IsolationLevel.READ_COMMITTED))
                      .isEqualTo(latest(admin, tp, IsolationLevel.READ_UNCOMMITTED));
                }
              });
      assertThat(readCommitted(bootstrap, committed.size()))
          .containsExactlyInAnyOrderElementsOf(committed);

      // The transactional ids carry on where they were.
      try (KafkaProducer<byte[], byte[]> p = producer(bootstrap, "committer", 60_000)) {
        p.initTransactions();
        p.beginTransaction();
        p.send(new ProducerRecord<>(TOPIC, 0, null, Records.utf8("after-restart")));
        p.commitTransaction();
      }
      committed.add("after-restart");
      assertThat(readCommitted(bootstrap, committed.size()))
          .containsExactlyInAnyOrderElementsOf(committed);
    }
  }

  private static long latest(Admin admin, TopicPartition tp, IsolationLevel isolation)
      throws Exception {
    return admin
        .listOffsets(Map.of(tp, OffsetSpec.latest()), new ListOffsetsOptions(isolation))
        .partitionResult(tp)
        .get()
        .offset();
  }

  private static List<String> readCommitted(String bootstrap, int expected) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c)) {
      List<TopicPartition> tps =
          List.of(new TopicPartition(TOPIC, 0), new TopicPartition(TOPIC, 1));
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      List<ConsumerRecord<byte[], byte[]>> got =
          Records.pollUntil(consumer, expected, Duration.ofSeconds(30));
      got.addAll(Records.pollUntil(consumer, r -> false, Duration.ofMillis(500)));
      List<String> values = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> r : got) {
        values.add(Records.str(r.value()));
      }
      return values;
    }
  }

  private static KafkaProducer<byte[], byte[]> producer(
      String bootstrap, String transactionalId, int transactionTimeoutMs) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
    p.put(ProducerConfig.TRANSACTION_TIMEOUT_CONFIG, transactionTimeoutMs);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 60_000);
    return new KafkaProducer<>(p);
  }

  private static Admin admin(String bootstrap) {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "60000");
    return Admin.create(p);
  }
}
