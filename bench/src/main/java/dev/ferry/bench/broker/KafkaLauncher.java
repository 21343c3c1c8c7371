package dev.ferry.bench.broker;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Uuid;

/**
 * Apache Kafka 4.4.0 as a single KRaft node in combined mode (broker and controller in one JVM),
 * run from the jars that bench/run resolved from Maven Central. The storage directory is formatted
 * before launch, outside the start-up measurement, as an operator would do once.
 */
public final class KafkaLauncher implements BrokerLauncher {

  private static final long FORMAT_TIMEOUT_SECONDS = 120;

  private final Path kafkaLib;

  public KafkaLauncher(Path kafkaLib) {
    this.kafkaLib = kafkaLib;
  }

  @Override
  public String name() {
    return "kafka";
  }

  @Override
  public String displayName() {
    return "Apache Kafka 4.4.0 (KRaft, combined mode)";
  }

  @Override
  public BrokerProcess launch(Path runDir, BrokerSettings settings)
      throws IOException, InterruptedException {
    Path dataDir = Files.createDirectories(runDir.resolve("data")).toAbsolutePath();
    int brokerPort = FreePorts.loopbackPort();
    int controllerPort = FreePorts.loopbackPort();

    Map<String, String> config =
        nodeConfig("broker,controller", 1, brokerPort, controllerPort, dataDir);
    // Internal topics must fit on one node.
    config.put("offsets.topic.replication.factor", "1");
    config.put("transaction.state.log.replication.factor", "1");
    config.put("transaction.state.log.min.isr", "1");
    config.put("share.coordinator.state.topic.replication.factor", "1");
    config.put("share.coordinator.state.topic.min.isr", "1");
    config.put("group.initial.rebalance.delay.ms", "0");
    Map<String, Integer> extraPorts = ExtraListeners.ports(settings);
    ExtraListeners.append(config, extraPorts);
    config.put(
        "listener.security.protocol.map",
        config.get("listener.security.protocol.map") + ExtraListeners.protocolMap(extraPorts));
    config.putAll(settings.commonConfig());
    config.putAll(settings.extraConfig());
    Path serverProperties = runDir.resolve("server.properties");
    ConfigFiles.writeProperties(serverProperties, "written by the Ferry benchmark harness", config);

    List<String> logFlag = writeLog4j(runDir);
    String classpath = classpath(kafkaLib);
    Process format =
        startFormat(
            runDir, settings, classpath, logFlag, serverProperties, Uuid.randomUuid(), true);
    awaitFormat(format, runDir);

    BrokerProcess process =
        start(name(), runDir, settings, classpath, logFlag, serverProperties, brokerPort, dataDir);
    extraPorts.forEach((listener, port) -> process.withListener(listener, "127.0.0.1:" + port));
    return process;
  }

  /**
   * Listeners, roles and directories of one KRaft node; the controller listener is on {@code
   * controllerPort} of this node (combined mode) or of the quorum's only voter (broker-only nodes).
   */
  static Map<String, String> nodeConfig(
      String roles, int nodeId, int brokerPort, int controllerPort, Path dataDir) {
    boolean controller = roles.contains("controller");
    Map<String, String> config = new LinkedHashMap<>();
    config.put("process.roles", roles);
    config.put("node.id", Integer.toString(nodeId));
    config.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
    config.put(
        "listeners",
        "PLAINTEXT://127.0.0.1:"
            + brokerPort
            + (controller ? ",CONTROLLER://127.0.0.1:" + controllerPort : ""));
    config.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort);
    config.put("controller.listener.names", "CONTROLLER");
    config.put("inter.broker.listener.name", "PLAINTEXT");
    config.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
    config.put("log.dirs", dataDir.toString());
    return config;
  }

  static String classpath(Path kafkaLib) throws IOException {
    if (!Files.isDirectory(kafkaLib)) {
      throw new IOException("Kafka jars not found in " + kafkaLib + " (bench/run resolves them)");
    }
    return kafkaLib.toAbsolutePath() + "/*";
  }

  /** Writes a Log4j 2 config (INFO to stdout) into {@code dir}; returns the JVM flag using it. */
  static List<String> writeLog4j(Path dir) throws IOException {
    Path log4j = dir.resolve("log4j2.properties");
    Files.writeString(
        log4j,
        String.join(
            "\n",
            "# INFO to stdout, as the binary distribution's default console appender does.",
            "status = warn",
            "appender.console.type = Console",
            "appender.console.name = STDOUT",
            "appender.console.layout.type = PatternLayout",
            "appender.console.layout.pattern = [%d] %p %m (%c)%n",
            "rootLogger.level = info",
            "rootLogger.appenderRef.stdout.ref = STDOUT",
            ""));
    return List.of("-Dlog4j2.configurationFile=" + log4j.toAbsolutePath());
  }

  /** {@code java -cp kafka-lib/* kafka.Kafka server.properties}, output to dir/broker.log. */
  static BrokerProcess start(
      String name,
      Path dir,
      BrokerSettings settings,
      String classpath,
      List<String> logFlag,
      Path serverProperties,
      int brokerPort,
      Path dataDir)
      throws IOException {
    List<String> command =
        new ArrayList<>(JvmCommand.java(settings, logFlag, classpath, "kafka.Kafka"));
    command.add(serverProperties.toAbsolutePath().toString());
    Path logFile = dir.resolve("broker.log");
    Files.writeString(logFile, "# " + BrokerProcess.describe(command) + "\n");
    return BrokerProcess.launch(name, command, dir, "127.0.0.1:" + brokerPort, logFile, dataDir);
  }

  /**
   * Starts kafka-storage.sh format for one node, writing dir/format.log. {@code standalone} makes
   * this node the only voter of a new KRaft quorum (--standalone); broker-only nodes are formatted
   * without it. Every node of a cluster gets the same {@code clusterId}.
   */
  static Process startFormat(
      Path dir,
      BrokerSettings settings,
      String classpath,
      List<String> logFlag,
      Path serverProperties,
      Uuid clusterId,
      boolean standalone)
      throws IOException {
    BrokerSettings smallHeap =
        new BrokerSettings(
            "256m",
            List.of(),
            settings.segmentBytes(),
            settings.flushIntervalMessages(),
            settings.numPartitions(),
            Map.of());
    List<String> command =
        new ArrayList<>(JvmCommand.java(smallHeap, logFlag, classpath, "kafka.tools.StorageTool"));
    command.addAll(
        List.of(
            "format",
            "-t",
            clusterId.toString(),
            "-c",
            serverProperties.toAbsolutePath().toString()));
    if (standalone) {
      command.add("--standalone");
    }
    Process process =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("format.log").toFile())
            .start();
    ProcessReaper.register(process);
    return process;
  }

  /** Waits (bounded) for a format started by {@link #startFormat}; throws unless it succeeded. */
  static void awaitFormat(Process process, Path dir) throws IOException, InterruptedException {
    Path formatLog = dir.resolve("format.log");
    try {
      if (!process.waitFor(FORMAT_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IOException("kafka storage format timed out; see " + formatLog);
      }
      if (process.exitValue() != 0) {
        throw new IOException(
            "kafka storage format failed (exit " + process.exitValue() + "); see " + formatLog);
      }
    } finally {
      ProcessReaper.unregister(process);
    }
  }
}
