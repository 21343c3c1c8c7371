package dev.ferry.bench.broker;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Ferry as a cluster on loopback, configured as docs/cluster.md describes: brokers 1..n (broker.id
 * = node number) sharing one standalone ZooKeeper, which the harness starts itself ({@code
 * org.apache.zookeeper.server.ZooKeeperServerMain} from Ferry's own class path). ZooKeeper is part
 * of what a Ferry cluster costs, so its CPU and memory count in the cluster's totals.
 */
public final class FerryClusterLauncher implements ClusterLauncher {

  /** ZooKeeper holds a few dozen znodes here; it gets a small heap of its own. */
  static final String ZOOKEEPER_HEAP = "256m";

  private static final long ZOOKEEPER_START_SECONDS = 30;

  private final Path repoRoot;

  public FerryClusterLauncher(Path repoRoot) {
    this.repoRoot = repoRoot;
  }

  @Override
  public String name() {
    return "ferry";
  }

  @Override
  public String layout(int brokers) {
    return "Ferry: brokers 1–"
        + brokers
        + " and one standalone ZooKeeper (ZooKeeperServerMain from Ferry's class path, -Xms"
        + ZOOKEEPER_HEAP
        + " -Xmx"
        + ZOOKEEPER_HEAP
        + ", same GC flags); ZooKeeper's CPU and RSS count in Ferry's totals";
  }

  @Override
  public BrokerCluster launch(Path runDir, BrokerSettings settings, int brokers)
      throws IOException, InterruptedException {
    Path target = repoRoot.resolve("ferry-tools/target");
    String classpath = FerryLauncher.classpath(target);
    BrokerProcess zookeeper = startZooKeeper(runDir, settings, classpath);
    List<BrokerProcess> started = new ArrayList<>();
    try {
      awaitListening(zookeeper, ZOOKEEPER_START_SECONDS);
      for (int id = 1; id <= brokers; id++) {
        started.add(startBroker(runDir, settings, id, zookeeper.bootstrapServers()));
      }
    } catch (IOException | InterruptedException | RuntimeException e) {
      started.forEach(BrokerProcess::close);
      zookeeper.close();
      throw e;
    }
    return new BrokerCluster(
        name(), started, List.of(zookeeper), List.of(zookeeper), zookeeper.launchNanos());
  }

  private BrokerProcess startBroker(
      Path runDir, BrokerSettings settings, int id, String zookeeperConnect) throws IOException {
    Path dir = Files.createDirectories(runDir.resolve("broker-" + id));
    Path dataDir =
        Files.createDirectories(runDir.resolve("data").resolve("broker-" + id)).toAbsolutePath();
    int port = FreePorts.loopbackPort();

    Map<String, String> config = new LinkedHashMap<>();
    config.put("node.id", Integer.toString(id));
    config.put("broker.id", Integer.toString(id));
    config.put("zookeeper.connect", zookeeperConnect);
    // Kafka's defaults, set explicitly on both systems.
    config.put("offsets.topic.replication.factor", "3");
    config.put("min.insync.replicas", "2");
    config.putAll(settings.commonConfig());
    Path configFile = dir.resolve("ferry.properties");
    ConfigFiles.writeProperties(configFile, "written by the Ferry benchmark harness", config);

    Map<String, String> overrides = new LinkedHashMap<>();
    overrides.put("listeners", "PLAINTEXT://127.0.0.1:" + port);
    overrides.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    overrides.put("log.dirs", dataDir.toString());
    overrides.putAll(settings.extraConfig());
    return FerryLauncher.start(
        name() + "-" + id, repoRoot, dir, settings, configFile, overrides, port, dataDir);
  }

  private static BrokerProcess startZooKeeper(
      Path runDir, BrokerSettings settings, String classpath) throws IOException {
    Path dir = Files.createDirectories(runDir.resolve("zookeeper"));
    Path dataDir =
        Files.createDirectories(runDir.resolve("data").resolve("zookeeper")).toAbsolutePath();
    int port = FreePorts.loopbackPort();
    Path zooCfg = dir.resolve("zoo.cfg");
    Files.writeString(
        zooCfg,
        String.join(
            "\n",
            "# written by the Ferry benchmark harness: one standalone server on loopback",
            "tickTime=2000",
            "dataDir=" + dataDir,
            "clientPort=" + port,
            "clientPortAddress=127.0.0.1",
            // The admin server would take port 8080.
            "admin.enableServer=false",
            "maxClientCnxns=0",
            ""));
    BrokerSettings zkSettings =
        new BrokerSettings(
            ZOOKEEPER_HEAP,
            settings.jvmFlags(),
            settings.segmentBytes(),
            settings.flushIntervalMessages(),
            settings.numPartitions(),
            Map.of());
    List<String> command =
        new ArrayList<>(
            JvmCommand.java(
                zkSettings,
                List.of(),
                classpath,
                "org.apache.zookeeper.server.ZooKeeperServerMain"));
    command.add(zooCfg.toAbsolutePath().toString());
    Path logFile = dir.resolve("zookeeper.log");
    Files.writeString(logFile, "# " + BrokerProcess.describe(command) + "\n");
    return BrokerProcess.launch("zookeeper", command, dir, "127.0.0.1:" + port, logFile, dataDir);
  }

  /** Bounded wait until the process accepts TCP connections on its address. */
  private static void awaitListening(BrokerProcess process, long seconds)
      throws IOException, InterruptedException {
    String[] hostPort = process.bootstrapServers().split(":");
    InetSocketAddress address = new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      process.checkAlive();
      try (Socket socket = new Socket()) {
        socket.connect(address, 1000);
        return;
      } catch (IOException e) {
        Thread.sleep(50);
      }
    }
    throw new IOException(
        process.name() + " not listening on " + address + " after " + seconds + " s");
  }
}
