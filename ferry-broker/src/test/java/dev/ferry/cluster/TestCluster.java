package dev.ferry.cluster;

import dev.ferry.broker.BrokerConfig;
import dev.ferry.broker.FerryBroker;
import dev.ferry.metadata.PartitionState;
import dev.ferry.replication.Partition;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import org.apache.curator.test.TestingServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.awaitility.Awaitility;

/**
 * Brokers of one cluster in this JVM, each a real {@link FerryBroker} on its own loopback port and
 * data directory, sharing a ZooKeeper ({@link TestingServer}); they replicate over real sockets.
 * Stopping one is a clean (controlled) shutdown; crashes need separate JVMs ({@code
 * ClusterProcesses}).
 */
final class TestCluster implements AutoCloseable {

  private final Path dir;
  private final TestingServer zk;
  private final Map<String, String> overrides;
  private int logDirsPerBroker = 1;
  private final Map<Integer, FerryBroker> brokers = new HashMap<>();
  private final Map<Integer, Integer> ports = new HashMap<>();

  private TestCluster(Path dir, TestingServer zk, Map<String, String> overrides) {
    this.dir = dir;
    this.zk = zk;
    this.overrides = overrides;
  }

  static TestCluster start(Path dir, int size, Map<String, String> overrides) throws Exception {
    return start(dir, size, 1, overrides);
  }

  /** As {@link #start(Path, int, Map)}, each broker with {@code logDirs} log dirs (JBOD). */
  static TestCluster start(Path dir, int size, int logDirs, Map<String, String> overrides)
      throws Exception {
    TestingServer zk = new TestingServer(true);
    TestCluster c = new TestCluster(dir, zk, overrides);
    c.logDirsPerBroker = logDirs;
    try {
      for (int id = 0; id < size; id++) {
        c.startBroker(id);
      }
    } catch (Exception | Error e) {
      c.close();
      throw e;
    }
    return c;
  }

  String zkConnect() {
    return zk.getConnectString();
  }

  Map<String, String> brokerProps(int id) {
    Map<String, String> p = new HashMap<>();
    p.put("broker.id", String.valueOf(id));
    // The same port on restart, so clients and followers find the broker again.
    p.put("listeners", "PLAINTEXT://127.0.0.1:" + ports.getOrDefault(id, 0));
    p.put(
        "log.dirs",
        logDirsPerBroker == 1
            ? dir.resolve("broker-" + id).toString()
            : java.util.stream.IntStream.range(0, logDirsPerBroker)
                .mapToObj(d -> dir.resolve("broker-" + id).resolve("d" + d).toString())
                .collect(Collectors.joining(",")));
    p.put("zookeeper.connect", zk.getConnectString());
    p.put("zookeeper.session.timeout.ms", "6000");
    p.put("num.network.threads", "2");
    p.put("group.initial.rebalance.delay.ms", "0");
    p.put("offsets.topic.num.partitions", "3");
    p.put("offsets.topic.replication.factor", "3");
    p.put("replica.lag.time.max.ms", "3000");
    p.put("replica.fetch.backoff.ms", "100");
    p.put("controlled.shutdown.timeout.ms", "5000");
    p.putAll(overrides);
    return p;
  }

  FerryBroker startBroker(int id) {
    FerryBroker b = new FerryBroker(new BrokerConfig(brokerProps(id))).start();
    brokers.put(id, b);
    ports.put(id, b.port());
    return b;
  }

  /** Clean stop (controlled shutdown). */
  void stopBroker(int id) {
    FerryBroker b = brokers.remove(id);
    if (b != null) {
      b.close();
    }
  }

  FerryBroker broker(int id) {
    return brokers.get(id);
  }

  List<Integer> runningIds() {
    return brokers.keySet().stream().sorted().collect(Collectors.toList());
  }

  String bootstrap() {
    return brokers.values().stream()
        .map(FerryBroker::bootstrapServers)
        .collect(Collectors.joining(","));
  }

  /** The partition state as any running broker's cache has it. */
  PartitionState state(String topic, int partition) {
    FerryBroker any = brokers.values().iterator().next();
    return any.metadata().partitionState(topic, partition).orElseThrow();
  }

  /** The id of the broker whose controller is active, or -1. */
  int activeController() {
    for (Map.Entry<Integer, FerryBroker> e : brokers.entrySet()) {
      if (e.getValue().controller() != null && e.getValue().controller().isActive()) {
        return e.getKey();
      }
    }
    return -1;
  }

  /** Waits until every replica of the partition is in sync and every running one hosts it. */
  void awaitFullIsr(String topic, int partition, int replicas) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> state(topic, partition).isr().size() == replicas);
  }

  /** The hosted partition on broker {@code id}. */
  Partition partition(int id, String topic, int partition) {
    return brokers.get(id).replicaManager().partition(new TopicPartition(topic, partition));
  }

  /** Bytes of the replica's log below {@code endOffset}, read batch by batch from its segments. */
  static byte[] logBytes(Partition p, long endOffset) throws IOException {
    return logBytes(p.log(), endOffset);
  }

  static byte[] logBytes(dev.ferry.storage.PartitionLog log, long endOffset) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    long offset = log.logStartOffset();
    while (offset < endOffset) {
      Records r = log.read(offset, 1 << 20, endOffset, true).records();
      if (r.sizeInBytes() == 0) {
        break;
      }
      ByteBuffer buf = ByteBuffer.allocate(r.sizeInBytes());
      if (r instanceof FileRecords f) {
        f.readInto(buf, 0);
      } else {
        buf.put(((org.apache.kafka.common.record.internal.MemoryRecords) r).buffer().duplicate());
      }
      buf.flip();
      long last = offset;
      for (var batch : r.batches()) {
        last = batch.lastOffset();
      }
      out.write(buf.array(), 0, buf.limit());
      offset = last + 1;
    }
    return out.toByteArray();
  }

  Admin admin() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
    return Admin.create(p);
  }

  KafkaProducer<byte[], byte[]> producer(Map<String, Object> extra) {
    Map<String, Object> p = new HashMap<>();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 60_000);
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
    p.put(ProducerConfig.RETRY_BACKOFF_MS_CONFIG, 100);
    p.put(ProducerConfig.METADATA_MAX_AGE_CONFIG, 1_000);
    p.putAll(extra);
    return new KafkaProducer<>(p);
  }

  KafkaConsumer<byte[], byte[]> consumer(Map<String, Object> extra) {
    Map<String, Object> p = new HashMap<>();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
    p.put(ConsumerConfig.METADATA_MAX_AGE_CONFIG, 1_000);
    p.putAll(extra);
    return new KafkaConsumer<>(p);
  }

  @Override
  public void close() throws IOException {
    List<Integer> ids = new ArrayList<>(brokers.keySet());
    for (int id : ids) {
      try {
        stopBroker(id);
      } catch (RuntimeException e) {
        // Keep stopping the others.
      }
    }
    zk.close();
  }
}
