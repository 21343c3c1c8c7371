package dev.ferry.tools;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * Apache Kafka 4.4 as a single KRaft node (broker and controller in one JVM) on loopback ports, run
 * from the test classpath (the test-scope kafka_2.13 dependency) in a JVM of its own: the reference
 * that {@code ferry verify} must also pass against. Its data directory is formatted first, as an
 * operator would.
 */
final class KafkaBroker implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  private final Process process;
  private final int port;
  private final Path logFile;

  private KafkaBroker(Process process, int port, Path logFile) {
    this.process = process;
    this.port = port;
    this.logFile = logFile;
  }

  static KafkaBroker start(Path dir) throws Exception {
    int port = freePort();
    int controllerPort = freePort();
    Path data = Files.createDirectories(dir.resolve("kafka-data"));
    Map<String, String> config = new LinkedHashMap<>();
    config.put("process.roles", "broker,controller");
    config.put("node.id", "1");
    config.put("controller.quorum.bootstrap.servers", "127.0.0.1:" + controllerPort);
    config.put(
        "listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    config.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    config.put("controller.listener.names", "CONTROLLER");
    config.put("inter.broker.listener.name", "PLAINTEXT");
    config.put("listener.security.protocol.map", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT");
    config.put("log.dirs", data.toString());
    config.put("offsets.topic.replication.factor", "1");
    config.put("offsets.topic.num.partitions", "1");
    config.put("transaction.state.log.replication.factor", "1");
    config.put("transaction.state.log.min.isr", "1");
    config.put("transaction.state.log.num.partitions", "1");
    config.put("share.coordinator.state.topic.replication.factor", "1");
    config.put("share.coordinator.state.topic.min.isr", "1");
    config.put("group.initial.rebalance.delay.ms", "0");
    Path properties = dir.resolve("server.properties");
    Properties p = new Properties();
    p.putAll(config);
    try (var out = Files.newBufferedWriter(properties)) {
      p.store(out, "Apache Kafka for a ferry verify test");
    }
    Path formatLog = dir.resolve("kafka-format.log");
    Process format =
        new ProcessBuilder(
                java(
                    "kafka.tools.StorageTool",
                    "format",
                    "-t",
                    Uuid.randomUuid().toString(),
                    "-c",
                    properties.toString(),
                    "--standalone"))
            .redirectErrorStream(true)
            .redirectOutput(formatLog.toFile())
            .start();
    if (!format.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || format.exitValue() != 0) {
      format.destroyForcibly();
      throw new IOException("Kafka storage format failed: " + Files.readString(formatLog));
    }
    Path logFile = dir.resolve("kafka.log");
    Process process =
        new ProcessBuilder(java("kafka.Kafka", properties.toString()))
            .redirectErrorStream(true)
            .redirectOutput(logFile.toFile())
            .start();
    KafkaBroker broker = new KafkaBroker(process, port, logFile);
    try {
      broker.awaitReady();
    } catch (Exception e) {
      broker.close();
      throw e;
    }
    return broker;
  }

  private static List<String> java(String mainClass, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512m");
    command.add("-XX:+UseSerialGC");
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(mainClass);
    command.addAll(List.of(args));
    return command;
  }

  /** Until the node answers a DescribeCluster (it is then a broker with a quorum). */
  private void awaitReady() throws Exception {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    Map<String, Object> c = new LinkedHashMap<>();
    c.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
    c.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 5_000);
    c.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
    try (Admin admin = Admin.create(c)) {
      while (true) {
        if (!process.isAlive()) {
          throw new IOException("Kafka exited: " + Files.readString(logFile));
        }
        try {
          if (!admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (Exception e) {
          if (System.nanoTime() - deadline > 0) {
            throw new IOException("Kafka not ready within " + START_TIMEOUT, e);
          }
        }
        Thread.sleep(200);
      }
    }
  }

  String bootstrap() {
    return "127.0.0.1:" + port;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
