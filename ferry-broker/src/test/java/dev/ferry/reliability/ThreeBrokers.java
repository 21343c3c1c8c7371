package dev.ferry.reliability;

import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Three broker JVMs on a one-node ZooKeeper (500 ms tick), started together: the cluster of the
 * tests that drive one partition into a known state by hand ({@link KnownBadConfigurationTest},
 * {@link WholeIsrPowerLossTest}). Brokers fetch again 100 ms after a failed fetch and wait up to 30
 * s for ZooKeeper at start-up; in a {@link NetworkLab} each broker runs in its own namespace and
 * reaches ZooKeeper through the lab's bridge. Closing stops the brokers, then ZooKeeper; the
 * brokers stay readable afterwards (their output and log dirs).
 */
final class ThreeBrokers implements AutoCloseable {

  static final int SIZE = 3;

  private final ZooKeeperEnsemble zk;
  private final List<ManagedBroker> brokers = new ArrayList<>();

  private ThreeBrokers(ZooKeeperEnsemble zk) {
    this.zk = zk;
  }

  /**
   * Starts ZooKeeper and the three brokers (in parallel) and waits until all serve.
   *
   * @param settings broker settings on top of the common ones (e.g. {@code
   *     replica.lag.time.max.ms})
   * @param network the lab whose namespaces the brokers run in; null for loopback
   * @param syncProbes whether each broker reports its fsyncs, for {@link ManagedBroker#losePower}
   */
  static ThreeBrokers start(
      Path dir,
      int sessionTimeoutMs,
      Map<String, String> settings,
      NetworkLab network,
      boolean syncProbes)
      throws Exception {
    ZooKeeperEnsemble zk =
        new ZooKeeperEnsemble(dir, 1, 500, network == null ? "127.0.0.1" : "0.0.0.0");
    ThreeBrokers cluster = new ThreeBrokers(zk);
    try {
      zk.start();
      Map<String, String> config = new HashMap<>();
      config.put(
          "zookeeper.connect",
          network == null ? zk.connectString() : zk.connectString(network.zooKeeperAddress()));
      config.put("zookeeper.session.timeout.ms", Integer.toString(sessionTimeoutMs));
      config.put("zookeeper.connection.timeout.ms", "30000");
      config.put("replica.fetch.backoff.ms", "100");
      config.putAll(settings);
      for (int id = 0; id < SIZE; id++) {
        Path data = dir.resolve("broker-" + id);
        cluster.brokers.add(
            new ManagedBroker(
                id,
                data,
                config,
                network == null ? "127.0.0.1" : network.hostAddress(id),
                network == null ? List.of() : network.launcher(id),
                syncProbes ? data.resolve("sync-probe") : null));
      }
      ManagedBroker.startAll(cluster.brokers);
      return cluster;
    } catch (Exception | Error e) {
      try {
        cluster.close();
      } catch (Exception closing) {
        e.addSuppressed(closing);
      }
      throw e;
    }
  }

  /** The three brokers, by id (broker {@code i} is at index {@code i}, its lab host too). */
  List<ManagedBroker> brokers() {
    return brokers;
  }

  /** Broker {@code id}. */
  ManagedBroker broker(int id) {
    return brokers.get(id);
  }

  /** The ZooKeeper node the brokers share (to kill or restart it). */
  ZooKeeperEnsemble zooKeeper() {
    return zk;
  }

  String bootstrap() {
    return brokers.stream().map(ManagedBroker::bootstrap).collect(Collectors.joining(","));
  }

  /** Who leads and follows each partition of {@code topic}, asked of the cluster. */
  PartitionLeaders leaders(String topic) {
    String bootstrap = bootstrap();
    return new PartitionLeaders(() -> bootstrap, topic);
  }

  /**
   * Waits until partition 0 has all three replicas in sync, then cuts its leader off from both
   * followers in {@code network} (clients and ZooKeeper still reach it) and waits until it leads
   * with an ISR of itself alone. Returns the leader's id.
   */
  static int isolateLeaderFromFollowers(PartitionLeaders leaders, NetworkLab network)
      throws Exception {
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> fullIsr(leaders));
    int leader = leaders.await(0, Duration.ofSeconds(30)).leader();
    for (int other = 0; other < SIZE; other++) {
      if (other != leader) {
        network.cut(leader, other);
      }
    }
    // The leader drops its unreachable followers from the ISR and acknowledges alone.
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(() -> leaders.isrSizes().get(0) == 1);
    return leader;
  }

  /** Whether partition 0 has all three replicas in its ISR. */
  static boolean fullIsr(PartitionLeaders leaders) throws Exception {
    return leaders.isrSizes().get(0) == SIZE;
  }

  @Override
  public void close() throws Exception {
    try {
      for (ManagedBroker b : brokers) {
        b.close();
      }
    } finally {
      zk.close();
    }
  }
}
