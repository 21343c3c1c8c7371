package dev.ferry.reliability;

import dev.ferry.it.BrokerProcess;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One ZooKeeper server in its own JVM ({@code QuorumPeerMain} from the test class path), on fixed
 * loopback ports and a fixed data directory, so that it can be SIGKILLed and started again on the
 * same data — what a broker sees when its ZooKeeper node crashes. Output goes to {@code
 * <dir>/zookeeper.log} (appended across restarts).
 */
final class ZooKeeperNode implements AutoCloseable {

  private final int id;
  private final int clientPort;
  private final Path dir;
  private Process process;

  /**
   * @param peers "host:quorumPort:electionPort" of every member of the ensemble, by id 1..n; a
   *     single member runs standalone
   */
  ZooKeeperNode(int id, int clientPort, Path dir, List<String> peers, int tickTimeMs)
      throws IOException {
    this(id, clientPort, dir, peers, tickTimeMs, "127.0.0.1");
  }

  /**
   * @param clientAddress where the client port listens: 127.0.0.1, or 0.0.0.0 for brokers in
   *     network namespaces of their own (see {@link NetworkLab})
   */
  ZooKeeperNode(
      int id, int clientPort, Path dir, List<String> peers, int tickTimeMs, String clientAddress)
      throws IOException {
    this.id = id;
    this.clientPort = clientPort;
    this.dir = dir;
    Path data = dir.resolve("data");
    Files.createDirectories(data);
    List<String> cfg = new ArrayList<>();
    cfg.add("tickTime=" + tickTimeMs);
    // In ticks: generous, the machine running the tests is slow and shared.
    cfg.add("initLimit=20");
    cfg.add("syncLimit=10");
    cfg.add("dataDir=" + data);
    cfg.add("clientPort=" + clientPort);
    cfg.add("clientPortAddress=" + clientAddress);
    cfg.add("maxClientCnxns=0");
    cfg.add("admin.enableServer=false");
    cfg.add("4lw.commands.whitelist=srvr");
    if (peers.size() > 1) {
      Files.writeString(data.resolve("myid"), Integer.toString(id));
      for (int i = 0; i < peers.size(); i++) {
        cfg.add("server." + (i + 1) + "=" + peers.get(i));
      }
    }
    Files.write(dir.resolve("zoo.cfg"), cfg);
  }

  int id() {
    return id;
  }

  String connectString() {
    return connectString("127.0.0.1");
  }

  /** The client port at {@code host}, an address this node listens on. */
  String connectString(String host) {
    return host + ":" + clientPort;
  }

  /** Starts the JVM; returns at once ({@link #awaitServing} waits for it). */
  void start() throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx128m");
    cmd.add(BrokerProcess.FAST_START);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("org.apache.zookeeper.server.quorum.QuorumPeerMain");
    cmd.add(dir.resolve("zoo.cfg").toString());
    process =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("zookeeper.log").toFile()))
            .start();
  }

  /**
   * Waits until the server answers {@code srvr} with its mode (standalone, leader or follower): it
   * has loaded its data and, in an ensemble, joined a quorum.
   */
  void awaitServing(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "";
    while (System.nanoTime() - deadline < 0) {
      if (process == null || !process.isAlive()) {
        throw new IllegalStateException("ZooKeeper node " + id + " exited; see " + dir);
      }
      last = fourLetterWord("srvr");
      if (last.contains("Mode: ")) {
        return;
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(
        "ZooKeeper node " + id + " not serving within " + timeout + " (last answer: " + last + ")");
  }

  /** The server's answer to a four-letter command, or "" if it does not answer (yet). */
  private String fourLetterWord(String command) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", clientPort), 1_000);
      s.setSoTimeout(2_000);
      OutputStream out = s.getOutputStream();
      out.write(command.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    } catch (IOException e) {
      return "";
    }
  }

  /** SIGKILL: no shutdown, the server's sessions and connections simply vanish. */
  void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("ZooKeeper node " + id + " survived SIGKILL for 30 s");
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        kill();
      }
    }
  }
}
