package dev.ferry.reliability;

import dev.ferry.it.BrokerProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
    this.brokerId = brokerId;
    this.port = BrokerProcess.freePort();
    this.host = host;
    this.launcher = List.copyOf(launcher);
    this.config = new HashMap<>();
    config.put("broker.id", Integer.toString(brokerId));
    config.put("listeners", "PLAINTEXT://" + host + ":" + port);
    this.logDir = dataDir.resolve("logs");
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

  /** The broker's {@code log.dirs}: one directory per hosted partition. */
  Path logDir() {
    return logDir;
  }

  /** Starts the broker process and waits until it listens and is registered. */
  void start() throws Exception {
    process = BrokerProcess.start(launcher, config);
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

  /** SIGTERM (clean shutdown: flush, snapshot, clean-shutdown marker), then start again. */
  void restartCleanly() throws Exception {
    process.stopGracefully();
    retire();
    start();
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
    previousOutput.addAll(process.output());
    process.close();
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
