package dev.ferry.reliability;

import dev.ferry.it.BrokerProcess;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * One broker of a fault-injection run: a {@link BrokerProcess} with a fixed port and data directory
 * that can be killed, paused and restarted, keeping the output of every incarnation. A cluster is a
 * list of these (each with its own {@code broker.id}).
 */
final class ManagedBroker implements AutoCloseable {

  private final int brokerId;
  private final int port;
  private final Path logDir;
  private final Map<String, String> config;
  private final String host;
  private final List<String> launcher;
  private final Path syncProbe;
  private final List<String> previousOutput = new ArrayList<>();
  private BrokerProcess process;
  private boolean paused;

  /**
   * @param extra settings on top of the defaults (listener, log.dirs, broker.id), e.g. {@code
   *     zookeeper.connect} of a shared ensemble or {@code log.flush.interval.messages}
   */
  ManagedBroker(int brokerId, Path dataDir, Map<String, String> extra) throws IOException {
    this(brokerId, dataDir, extra, "127.0.0.1", List.of());
  }

  /**
   * @param host the address the broker listens on (its own, in a network namespace)
   * @param launcher a command that execs the broker's JVM, e.g. {@code ip netns exec NAME}; empty
   *     for none
   */
  ManagedBroker(
      int brokerId, Path dataDir, Map<String, String> extra, String host, List<String> launcher)
      throws IOException {
    this(brokerId, dataDir, extra, host, launcher, null);
  }

  /**
   * @param syncProbe where the broker's storage reports what each flush forced to disk ({@link
   *     PowerLoss#probeOption}), for {@link #losePower}; null for none
   */
  ManagedBroker(
      int brokerId,
      Path dataDir,
      Map<String, String> extra,
      String host,
      List<String> launcher,
      Path syncProbe)
      throws IOException {
    this.brokerId = brokerId;
    this.port = BrokerProcess.freePort();
    this.host = host;
    this.syncProbe = syncProbe;
    List<String> command = new ArrayList<>(launcher);
    if (syncProbe != null) {
      command.addAll(List.of("env", "JAVA_TOOL_OPTIONS=" + PowerLoss.probeOption(syncProbe)));
    }
    this.launcher = List.copyOf(command);
    this.config = new HashMap<>();
    config.put("broker.id", Integer.toString(brokerId));
    config.put("listeners", "PLAINTEXT://" + host + ":" + port);
    this.logDir = logDir(dataDir);
    config.put("log.dirs", logDir.toString());
    config.put("num.network.threads", "2");
    config.put("offsets.topic.replication.factor", "1");
    config.put("offsets.topic.num.partitions", "1");
    config.putAll(extra);
  }

  int brokerId() {
    return brokerId;
  }

  String bootstrap() {
    return host + ":" + port;
  }

  /**
   * Where the broker serves {@code /metrics}, if its settings name a {@code metrics.port} (fixed,
   * so the address survives restarts); it binds to the listener's host.
   */
  URI metricsUrl() {
    String metricsPort = config.get("metrics.port");
    if (metricsPort == null) {
      throw new IllegalStateException("Broker " + brokerId + " runs without metrics.port");
    }
    return URI.create("http://" + host + ":" + metricsPort + "/metrics");
  }

  /** The {@code log.dirs} of a broker whose data directory is {@code dataDir}. */
  static Path logDir(Path dataDir) {
    return dataDir.resolve("logs");
  }

  /** The broker's {@code log.dirs}: one directory per hosted partition. */
  Path logDir() {
    return logDir;
  }

  /** Starts the broker process and waits until it listens and is registered. */
  void start() throws Exception {
    process = BrokerProcess.start(launcher, config);
  }

  /**
   * Starts every broker of {@code brokers} at once and waits until all serve: a JVM start takes
   * seconds on a busy machine, and the brokers of a cluster do not need each other to start.
   */
  static void startAll(List<ManagedBroker> brokers) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(brokers.size());
    try {
      List<Future<?>> started = new ArrayList<>();
      for (ManagedBroker b : brokers) {
        started.add(
            pool.submit(
                () -> {
                  b.start();
                  return null;
                }));
      }
      // Every start is waited for, so a failed one leaves no untracked JVM behind.
      ExecutionException failed = null;
      for (Future<?> f : started) {
        try {
          f.get();
        } catch (ExecutionException e) {
          failed = e;
        }
      }
      if (failed != null) {
        throw failed;
      }
    } finally {
      pool.shutdownNow();
    }
  }

  /** SIGKILL, then start again on the same data. */
  void killAndRestart() throws Exception {
    killAndRestart(Duration.ZERO);
  }

  /** SIGKILL, {@code down} of downtime, then start again on the same data. */
  void killAndRestart(Duration down) throws Exception {
    process.kill();
    retire();
    Thread.sleep(down.toMillis());
    start();
  }

  /**
   * SIGTERM (clean shutdown: flush, snapshot, clean-shutdown marker), then start again. Returns how
   * long the stop took, in milliseconds.
   */
  long restartCleanly() throws Exception {
    long stopMs = process.stopGracefully();
    retire();
    start();
    return stopMs;
  }

  /**
   * SIGTERM, leaving the broker down until {@link #start}. Returns how long the stop took, in
   * milliseconds ({@link BrokerProcess#stopGracefully}: bounded, with thread dumps of a slow stop).
   */
  long stopCleanly() throws Exception {
    long stopMs = process.stopGracefully();
    retire();
    process = null;
    return stopMs;
  }

  /**
   * A power loss of this broker alone: SIGKILL, every log cut back to what its last fsync covered
   * ({@link PowerLoss#dropUnsynced}), {@code down} of downtime, then a start on what is left.
   * Returns the bytes dropped per partition directory.
   */
  Map<String, Long> losePower(Duration down) throws Exception {
    if (syncProbe == null) {
      throw new IllegalStateException("Broker " + brokerId + " runs without a sync probe");
    }
    process.kill();
    retire();
    process = null;
    Map<String, Long> dropped = PowerLoss.dropUnsynced(logDir, syncProbe);
    Thread.sleep(down.toMillis());
    start();
    return dropped;
  }

  /**
   * As {@link #losePower(Duration)}, but the broker stays down until {@link #start}: for a test
   * that changes the world (heals a partition) before it comes back.
   */
  Map<String, Long> losePowerAndStayDown() throws Exception {
    if (syncProbe == null) {
      throw new IllegalStateException("Broker " + brokerId + " runs without a sync probe");
    }
    process.kill();
    retire();
    process = null;
    return PowerLoss.dropUnsynced(logDir, syncProbe);
  }

  /** SIGSTOP, until {@link #resume}. */
  void pause() throws Exception {
    process.pause();
    paused = true;
  }

  /** SIGCONT after {@link #pause}. */
  void resume() throws Exception {
    process.resume();
    paused = false;
  }

  /** Whether the broker's current process runs (false once killed, or if it died). */
  boolean isAlive() {
    return process != null && process.isAlive();
  }

  /**
   * If the broker's process died by itself (e.g. a broker that stops on a failed disk), keeps its
   * output and starts it again; returns whether it had died.
   */
  boolean restartIfDead() throws Exception {
    if (process == null || process.isAlive()) {
      return false;
    }
    retire();
    start();
    return true;
  }

  /** SIGKILL, leaving the broker down until {@link #start}. */
  void kill() throws Exception {
    process.kill();
    retire();
    process = null;
  }

  /** SIGSTOP for {@code duration}, then SIGCONT. */
  void pauseFor(Duration duration) throws Exception {
    process.pause();
    paused = true;
    try {
      Thread.sleep(duration.toMillis());
    } finally {
      process.resume();
      paused = false;
    }
  }

  /** Output of every incarnation so far, oldest first. */
  List<String> output() {
    List<String> all = new ArrayList<>(previousOutput);
    if (process != null) {
      all.addAll(process.output());
    }
    return all;
  }

  private void retire() throws InterruptedException {
    process.close(); // its output read to the end first
    previousOutput.addAll(process.output());
  }

  @Override
  public void close() throws IOException {
    if (process != null) {
      if (paused) {
        try {
          process.resume();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      process.close();
    }
  }
}
