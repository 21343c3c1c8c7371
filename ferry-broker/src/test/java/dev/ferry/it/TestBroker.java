package dev.ferry.it;

import static org.awaitility.Awaitility.await;

import dev.ferry.broker.BrokerConfig;
import dev.ferry.broker.FerryBroker;
import dev.ferry.replication.Partition;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A real Ferry broker in this JVM on an ephemeral loopback port, with an embedded ZooKeeper and its
 * data in a test directory, plus factories for real Kafka clients pointed at it. The broker
 * module's integration tests and the tools' tests (through the test jar) share it.
 */
public final class TestBroker implements AutoCloseable {

  private final Path dataDir;
  private final Map<String, String> overrides;
  private FerryBroker broker;

  private TestBroker(Path dataDir, Map<String, String> overrides) {
    this.dataDir = dataDir;
    this.overrides = overrides;
  }

  public static TestBroker start(Path dataDir) {
    return start(dataDir, Map.of());
  }

  public static TestBroker start(Path dataDir, Map<String, String> overrides) {
    TestBroker b = new TestBroker(dataDir, new HashMap<>(overrides));
    b.startBroker();
    return b;
  }

  public static Map<String, String> baseConfig(Path dataDir) {
    Map<String, String> props = new HashMap<>();
    props.put("listeners", "PLAINTEXT://127.0.0.1:0");
    props.put("log.dirs", dataDir.resolve("logs").toString());
    props.put("num.network.threads", "2");
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("offsets.topic.num.partitions", "4");
    props.put("offsets.topic.replication.factor", "1");
    // Few share-state partitions, like the offsets topic: tests start many brokers.
    props.put("share.coordinator.state.topic.num.partitions", "4");
    return props;
  }

  private void startBroker() {
    Map<String, String> props = baseConfig(dataDir);
    props.putAll(overrides);
    broker = new FerryBroker(new BrokerConfig(props)).start();
    awaitLeadership();
  }

  /**
   * Until this broker leads every partition on its disk. A restarted broker leads only once the
   * controller has confirmed it (it never obeys a state written before its own registration), and
   * the raw-protocol tests do not retry NOT_LEADER_OR_FOLLOWER as clients do.
   */
  private void awaitLeadership() {
    int id = broker.replicaManager().localBrokerId();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                broker.metadata().topics().stream()
                    .allMatch(
                        t ->
                            t.replicaAssignment().entrySet().stream()
                                .filter(e -> e.getValue().contains(id))
                                .allMatch(e -> ledHere(new TopicPartition(t.name(), e.getKey())))));
  }

  private boolean ledHere(TopicPartition tp) {
    Partition p = broker.replicaManager().partition(tp);
    return p != null && p.isLeader();
  }

  /** Clean stop and start on the same data directory (the port changes). */
  public void restart() {
    broker.close();
    startBroker();
  }

  public FerryBroker broker() {
    return broker;
  }

  public String bootstrap() {
    return broker.bootstrapServers();
  }

  public Admin admin() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    return Admin.create(p);
  }

  public KafkaProducer<byte[], byte[]> producer() {
    return producer(Map.of());
  }

  public KafkaProducer<byte[], byte[]> producer(Map<String, Object> extra) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
    p.putAll(extra);
    return new KafkaProducer<>(p);
  }

  public KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> extra) {
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.putAll(extra);
    return new KafkaConsumer<>(p);
  }

  @Override
  public void close() {
    if (broker != null) {
      broker.close();
    }
  }
}
