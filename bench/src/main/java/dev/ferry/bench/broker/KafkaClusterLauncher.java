package dev.ferry.bench.broker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;

/**
 * Apache Kafka 4.4.0 as a KRaft cluster on loopback: node 1 runs broker and controller in one JVM
 * and is the only voter of the metadata quorum (formatted with --standalone); nodes 2..n are
 * broker-only. One metadata server, like Ferry's single ZooKeeper. All nodes are formatted with the
 * same cluster id before launch, untimed, and started together.
 */
public final class KafkaClusterLauncher implements ClusterLauncher {

  private final Path kafkaLib;

  public KafkaClusterLauncher(Path kafkaLib) {
    this.kafkaLib = kafkaLib;
  }

  @Override
  public String name() {
    return "kafka";
  }

  @Override
  public String layout(int brokers) {
    return "Kafka: KRaft node 1 broker+controller (single-voter quorum, formatted --standalone),"
        + " nodes 2–"
        + brokers
        + " broker-only";
  }

  @Override
  public BrokerCluster launch(Path runDir, BrokerSettings settings, int brokers)
      throws IOException, InterruptedException {
    String classpath = KafkaLauncher.classpath(kafkaLib);
    int controllerPort = FreePorts.loopbackPort();
    Uuid clusterId = Uuid.randomUuid();
    List<Path> dirs = new ArrayList<>();
    List<Path> configs = new ArrayList<>();
    List<Path> dataDirs = new ArrayList<>();
    List<Integer> ports = new ArrayList<>();
    List<List<String>> logFlags = new ArrayList<>();
    for (int id = 1; id <= brokers; id++) {
      Path dir = Files.createDirectories(runDir.resolve("node-" + id));
      Path dataDir =
          Files.createDirectories(runDir.resolve("data").resolve("node-" + id)).toAbsolutePath();
      int port = FreePorts.loopbackPort();
      Map<String, String> config =
          KafkaLauncher.nodeConfig(
              id == 1 ? "broker,controller" : "broker", id, port, controllerPort, dataDir);
      // Kafka's defaults already suit three brokers (internal topics RF 3); stated for clarity
      // and matched on Ferry.
      config.put("offsets.topic.replication.factor", "3");
      config.put("min.insync.replicas", "2");
      config.put("group.initial.rebalance.delay.ms", "0");
      config.putAll(settings.commonConfig());
      config.putAll(settings.extraConfig());
      Path properties = dir.resolve("server.properties");
      ConfigFiles.writeProperties(properties, "written by the Ferry benchmark harness", config);
      dirs.add(dir);
      configs.add(properties);
      dataDirs.add(dataDir);
      ports.add(port);
      logFlags.add(KafkaLauncher.writeLog4j(dir));
    }

    // Formats run side by side: each is a short JVM of its own.
    List<Process> formats = new ArrayList<>();
    try {
      for (int i = 0; i < brokers; i++) {
        formats.add(
            KafkaLauncher.startFormat(
                dirs.get(i),
                settings,
                classpath,
                logFlags.get(i),
                configs.get(i),
                clusterId,
                i == 0));
      }
      for (int i = 0; i < brokers; i++) {
        KafkaLauncher.awaitFormat(formats.get(i), dirs.get(i));
      }
    } finally {
      for (Process p : formats) {
        if (p.isAlive()) {
          p.destroyForcibly();
        }
        ProcessReaper.unregister(p);
      }
    }

    List<BrokerProcess> nodes = new ArrayList<>();
    try {
      for (int i = 0; i < brokers; i++) {
        nodes.add(
            KafkaLauncher.start(
                name() + "-" + (i + 1),
                dirs.get(i),
                settings,
                classpath,
                logFlags.get(i),
                configs.get(i),
                ports.get(i),
                dataDirs.get(i)));
      }
    } catch (IOException | RuntimeException e) {
      nodes.forEach(BrokerProcess::close);
      throw e;
    }
    return new BrokerCluster(
        name(), nodes, List.of(), List.of(nodes.get(0)), nodes.get(0).launchNanos());
  }
}
