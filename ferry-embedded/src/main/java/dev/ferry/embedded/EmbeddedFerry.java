package dev.ferry.embedded;

import dev.ferry.broker.BrokerConfig;
import dev.ferry.broker.FerryBroker;
import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.TopicMetadata;
import dev.ferry.metadata.memory.InMemoryMetadataCluster;
import dev.ferry.replication.Partition;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;

/**
 * Ferry brokers running inside the current JVM, for tests: real sockets on loopback, the real Kafka
 * protocol and real storage in a temporary directory (deleted on {@link #close()}), with the
 * cluster metadata held in memory, so there is no ZooKeeper and nothing to install.
 *
 * <pre>{@code
 * try (EmbeddedFerry ferry = EmbeddedFerry.start()) {
 *   ferry.createTopic("orders", 3, 1);
 *   // point any Kafka client at ferry.bootstrapServers()
 * }
 * }</pre>
 *
 * <p>Several brokers ({@link Builder#brokers(int)}) share one in-memory metadata cluster and
 * replicate to each other over their sockets exactly as separate broker processes do, so failover
 * can be tested with {@link #stopBroker(int)} and {@link #restartBroker(int)}. Brokers are numbered
 * from 0. A restarted broker keeps its port and its data.
 *
 * <p>Thread-safe; methods that change the cluster are serialised.
 */
public final class EmbeddedFerry implements AutoCloseable {

  private static final long TOPIC_READY_TIMEOUT_MS = 30_000;

  private final InMemoryMetadataCluster metadata = new InMemoryMetadataCluster();
  private final Path dataRoot;
  private final Map<String, String> overrides;
  private final TreeMap<Integer, Slot> brokers = new TreeMap<>();
  private boolean closed;

  /** One broker id: its settings, the port it keeps, and the running broker if any. */
  private static final class Slot {
    final int id;
    int port;
    FerryBroker broker;

    Slot(int id) {
      this.id = id;
    }
  }

  /** One broker with the small defaults (see {@link Builder}); ready to serve when this returns. */
  public static EmbeddedFerry start() {
    return builder().start();
  }

  public static Builder builder() {
    return new Builder();
  }

  private EmbeddedFerry(Builder builder) {
    try {
      this.dataRoot = Files.createTempDirectory("ferry-embedded-");
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot create a data directory for embedded Ferry", e);
    }
    this.overrides = Map.copyOf(builder.properties);
    try {
      for (int id = 0; id < builder.brokers; id++) {
        Slot slot = new Slot(id);
        brokers.put(id, slot);
        startSlot(slot, 0);
      }
    } catch (RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  /**
   * "host:port,host:port" of every broker, running or stopped (clients skip those that are down).
   */
  public synchronized String bootstrapServers() {
    return brokers.values().stream()
        .map(s -> "127.0.0.1:" + s.port)
        .collect(Collectors.joining(","));
  }

  /** The broker ids, running or not, ascending. */
  public synchronized List<Integer> brokerIds() {
    return List.copyOf(brokers.keySet());
  }

  /** True if broker {@code id} is running. */
  public synchronized boolean isRunning(int id) {
    return slot(id).broker != null;
  }

  /**
   * Creates a topic, replicas placed round-robin over the running brokers, and returns once every
   * partition's leader serves it (the next produce does not see UNKNOWN_TOPIC_OR_PARTITION).
   *
   * @throws org.apache.kafka.common.errors.TopicExistsException if the name is taken
   * @throws org.apache.kafka.common.errors.InvalidReplicationFactorException for too few brokers
   */
  public void createTopic(String name, int partitions, int replicationFactor) {
    createTopic(name, partitions, replicationFactor, Map.of());
  }

  /** {@link #createTopic(String, int, int)} with topic config overrides (Kafka names). */
  public void createTopic(
      String name, int partitions, int replicationFactor, Map<String, String> configs) {
    FerryBroker broker = anyRunningBroker();
    TopicMetadata topic;
    try {
      topic =
          broker
              .topicAdmin()
              .createTopic(name, partitions, (short) replicationFactor, Map.of(), configs, false)
              .get(TOPIC_READY_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new KafkaException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new KafkaException("Interrupted while creating topic " + name, e);
    } catch (TimeoutException e) {
      throw new org.apache.kafka.common.errors.TimeoutException("Creating topic " + name, e);
    }
    awaitLeaders(topic);
  }

  /** The broker leading {@code topic}-{@code partition} now, or -1 when it has no leader. */
  public int leader(String topic, int partition) {
    return anyRunningBroker()
        .metadata()
        .partitionState(topic, partition)
        .map(PartitionState::leader)
        .orElse(-1);
  }

  /**
   * Stops broker {@code id} the way an operator would: leadership moves to other in-sync replicas
   * first (controlled shutdown), then the broker closes. Its data and port are kept for {@link
   * #restartBroker(int)}.
   */
  public synchronized void stopBroker(int id) {
    Slot slot = slot(id);
    if (slot.broker != null) {
      FerryBroker broker = slot.broker;
      slot.broker = null;
      broker.close();
    }
  }

  /** Starts broker {@code id} again (stopping it first if it runs), on its old port and data. */
  public synchronized void restartBroker(int id) {
    Slot slot = slot(id);
    stopBroker(id);
    startSlot(slot, slot.port);
  }

  /** Stops every broker and deletes the data. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    List<Slot> running = new ArrayList<>(brokers.values());
    Collections.reverse(running);
    for (Slot slot : running) {
      if (slot.broker != null) {
        slot.broker.close();
        slot.broker = null;
      }
    }
    TempDirs.deleteRecursively(dataRoot);
  }

  private void startSlot(Slot slot, int port) {
    if (closed) {
      throw new IllegalStateException("This EmbeddedFerry is closed");
    }
    Map<String, String> props = new LinkedHashMap<>(Defaults.brokerProperties(brokers.size()));
    props.putAll(overrides);
    props.put("broker.id", String.valueOf(slot.id));
    props.put("listeners", "PLAINTEXT://127.0.0.1:" + port);
    props.put("log.dirs", dataRoot.resolve("broker-" + slot.id).toString());
    FerryBroker broker = new FerryBroker(new BrokerConfig(props), metadata::connect).start();
    slot.broker = broker;
    slot.port = broker.port();
  }

  private synchronized FerryBroker anyRunningBroker() {
    for (Slot s : brokers.values()) {
      if (s.broker != null) {
        return s.broker;
      }
    }
    throw new IllegalStateException("No broker is running");
  }

  private synchronized Optional<FerryBroker> running(int id) {
    Slot s = brokers.get(id);
    return s == null ? Optional.empty() : Optional.ofNullable(s.broker);
  }

  private Slot slot(int id) {
    Slot s = brokers.get(id);
    if (s == null) {
      throw new IllegalArgumentException("No broker " + id + "; brokers are " + brokers.keySet());
    }
    return s;
  }

  /**
   * Waits (bounded) until each partition's leader hosts it as leader. The leader learns of a new
   * topic from its metadata events thread, a moment after the write.
   */
  private void awaitLeaders(TopicMetadata topic) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(TOPIC_READY_TIMEOUT_MS);
    for (int p = 0; p < topic.partitionCount(); p++) {
      TopicPartition tp = new TopicPartition(topic.name(), p);
      while (!leads(tp)) {
        if (System.nanoTime() - deadline > 0) {
          throw new org.apache.kafka.common.errors.TimeoutException(
              "No leader serves " + tp + " within " + TOPIC_READY_TIMEOUT_MS + " ms");
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
      }
    }
  }

  private boolean leads(TopicPartition tp) {
    int leader = leader(tp.topic(), tp.partition());
    if (leader < 0) {
      return false;
    }
    return running(leader)
        .map(b -> b.replicaManager().partition(tp))
        .map(Partition::isLeader)
        .orElse(false);
  }

  /** Settings for {@link #start()}: how many brokers, and broker properties over the defaults. */
  public static final class Builder {

    private int brokers = 1;
    private final Map<String, String> properties = new LinkedHashMap<>();

    private Builder() {}

    /** Number of brokers (ids 0..n-1); default 1. */
    public Builder brokers(int count) {
      if (count < 1) {
        throw new IllegalArgumentException("At least one broker, not " + count);
      }
      this.brokers = count;
      return this;
    }

    /**
     * A broker property (Kafka name) for every broker, over the embedded defaults, e.g. {@code
     * brokerProperty("auto.create.topics.enable", "false")}. {@code broker.id}, {@code listeners}
     * and {@code log.dirs} are chosen per broker and cannot be set.
     */
    public Builder brokerProperty(String key, String value) {
      if (Defaults.PER_BROKER.contains(key)) {
        throw new IllegalArgumentException(key + " is chosen by EmbeddedFerry for each broker");
      }
      properties.put(key, value);
      return this;
    }

    /** Starts the brokers; they serve requests when this returns. May be called more than once. */
    public EmbeddedFerry start() {
      return new EmbeddedFerry(this);
    }
  }
}
