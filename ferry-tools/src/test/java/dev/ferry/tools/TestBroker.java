package dev.ferry.tools;

import dev.ferry.broker.BrokerConfig;
import dev.ferry.broker.FerryBroker;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** A real Ferry broker in this JVM on an ephemeral loopback port, with an embedded ZooKeeper. */
final class TestBroker implements AutoCloseable {

  private final FerryBroker broker;

  private TestBroker(FerryBroker broker) {
    this.broker = broker;
  }

  static TestBroker start(Path dataDir) {
    return start(dataDir, Map.of());
  }

  static TestBroker start(Path dataDir, Map<String, String> overrides) {
    Map<String, String> props = new HashMap<>();
    props.put("listeners", "PLAINTEXT://127.0.0.1:0");
    props.put("log.dirs", dataDir.resolve("logs").toString());
    props.put("num.network.threads", "2");
    props.put("group.initial.rebalance.delay.ms", "0");
    props.put("offsets.topic.num.partitions", "2");
    props.put("offsets.topic.replication.factor", "1");
    props.putAll(overrides);
    return new TestBroker(new FerryBroker(new BrokerConfig(props)).start());
  }

  String bootstrap() {
    return broker.bootstrapServers();
  }

  Admin admin() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "15000");
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    return Admin.create(p);
  }

  KafkaProducer<byte[], byte[]> producer() {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
    return new KafkaProducer<>(p);
  }

  KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> extra) {
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
    broker.close();
  }
}
