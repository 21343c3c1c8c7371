package dev.ferry.cluster;

import dev.ferry.it.BrokerProcess;
import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.zk.ZkMetadataStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.awaitility.Awaitility;

/**
 * Broker JVMs on one test ZooKeeper, the set-up of the tests that SIGKILL brokers: each broker is a
 * {@link BrokerProcess} (so a kill is a real one), and an observer session reads partition state
 * straight from ZooKeeper, as no broker's cache can be trusted mid-failover. Every broker gets the
 * settings those tests share (fast ISR shrink and fetch retry, RF 3 offsets topic); a test adds its
 * own through {@code extraConfig}.
 */
final class ProcessCluster implements AutoCloseable {

  private final Path dir;
  private final int sessionMs;
  private final IntFunction<Map<String, String>> extraConfig;
  private final TestingServer zk;
  private final Map<Integer, Integer> ports = new TreeMap<>();
  private final Map<Integer, BrokerProcess> brokers = new TreeMap<>();
  private ZkMetadataStore observer;

  /**
   * Starts ZooKeeper and {@code size} brokers (ids 0..size-1, data under {@code dir/broker-N}) in
   * parallel, then the observer. {@code sessionMs} is every broker's ZooKeeper session: a failover
   * after a SIGKILL waits for it to expire.
   */
  static ProcessCluster start(
      Path dir, int size, int sessionMs, IntFunction<Map<String, String>> extraConfig)
      throws Exception {
    ProcessCluster cluster = new ProcessCluster(dir, sessionMs, extraConfig);
    try {
      cluster.startAll(size);
      return cluster;
    } catch (Exception | Error e) {
      cluster.close();
      throw e;
    }
  }

  private ProcessCluster(Path dir, int sessionMs, IntFunction<Map<String, String>> extraConfig)
      throws Exception {
    this.dir = dir;
    this.sessionMs = sessionMs;
    this.extraConfig = extraConfig;
    // A 500 ms tick: ZooKeeper's default (3 s) would stretch every session to at least 6 s.
    this.zk = new TestingServer(new InstanceSpec(null, -1, -1, -1, true, -1, 500, -1), true);
  }

  private void startAll(int size) throws Exception {
    for (int id = 0; id < size; id++) {
      ports.put(id, BrokerProcess.freePort());
    }
    // In parallel: each JVM start takes seconds on a busy machine.
    ExecutorService pool = Executors.newFixedThreadPool(size);
    try {
      Map<Integer, Future<BrokerProcess>> starting = new HashMap<>();
      for (int id = 0; id < size; id++) {
        Map<String, String> config = config(id);
        starting.put(id, pool.submit(() -> BrokerProcess.start(config)));
      }
      // Every start is waited for, so a failed one leaves no untracked JVM behind.
      ExecutionException failed = null;
      for (Map.Entry<Integer, Future<BrokerProcess>> e : starting.entrySet()) {
        try {
          brokers.put(e.getKey(), e.getValue().get());
        } catch (ExecutionException ex) {
          failed = ex;
        }
      }
      if (failed != null) {
        throw failed;
      }
    } finally {
      pool.shutdownNow();
    }
    observer = ZkMetadataStore.connect(zk.getConnectString(), sessionMs);
  }

  private Map<String, String> config(int id) {
    Map<String, String> p = new HashMap<>();
    p.put("broker.id", String.valueOf(id));
    p.put("listeners", "PLAINTEXT://127.0.0.1:" + ports.get(id));
    p.put("log.dirs", dir.resolve("broker-" + id).toString());
    p.put("zookeeper.connect", zk.getConnectString());
    p.put("zookeeper.session.timeout.ms", String.valueOf(sessionMs));
    p.put("num.network.threads", "2");
    p.put("replica.lag.time.max.ms", "4000");
    p.put("replica.fetch.backoff.ms", "100");
    p.put("offsets.topic.replication.factor", "3");
    p.putAll(extraConfig.apply(id));
    return p;
  }

  /** The running broker {@code id}. */
  BrokerProcess broker(int id) {
    return brokers.get(id);
  }

  /** The ids of the brokers running now, ascending. */
  Set<Integer> runningIds() {
    return brokers.keySet();
  }

  /** SIGKILL: no controlled shutdown, nothing more written. */
  void kill(int id) throws Exception {
    brokers.get(id).kill();
  }

  /** Reaps broker {@code id} (killed or not) and starts it again on the same data and port. */
  void restart(int id) throws Exception {
    brokers.remove(id).close();
    brokers.put(id, BrokerProcess.start(config(id)));
  }

  /** Stops every broker cleanly, e.g. to read their logs from disk. */
  void stopAll() throws Exception {
    for (BrokerProcess b : brokers.values()) {
      b.close();
    }
    brokers.clear();
  }

  String bootstrap() {
    StringBuilder sb = new StringBuilder();
    for (int port : ports.values()) {
      sb.append(sb.isEmpty() ? "" : ",").append("127.0.0.1:").append(port);
    }
    return sb.toString();
  }

  Admin admin() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "30000");
    return Admin.create(p);
  }

  /** The partition's state as ZooKeeper has it now; the partition must exist. */
  PartitionState state(String topic, int partition) {
    return observer.partitionState(topic, partition).orElseThrow();
  }

  Optional<PartitionState> stateIfExists(String topic, int partition) {
    return observer.partitionState(topic, partition);
  }

  /** Waits (bounded) until each of the topic's partitions has a leader and all replicas in sync. */
  void awaitFullIsr(String topic, int partitions) {
    Awaitility.await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> fullIsr(topic, partitions));
  }

  /** Whether each of the topic's partitions exists, has a leader and every replica in sync. */
  boolean fullIsr(String topic, int partitions) {
    for (int p = 0; p < partitions; p++) {
      Optional<PartitionState> s = stateIfExists(topic, p);
      if (s.isEmpty() || s.get().leader() < 0 || s.get().isr().size() != ports.size()) {
        return false;
      }
    }
    return true;
  }

  @Override
  public void close() throws Exception {
    stopAll();
    if (observer != null) {
      observer.close();
    }
    zk.close();
  }
}
