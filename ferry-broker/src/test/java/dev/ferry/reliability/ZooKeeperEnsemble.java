package dev.ferry.reliability;

import dev.ferry.it.BrokerProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A ZooKeeper ensemble of separate JVMs ({@link ZooKeeperNode}s) on loopback: one node runs
 * standalone (killing it takes ZooKeeper away from every broker until it is back), three form a
 * quorum (killing one loses nothing, killing the leader costs a re-election).
 */
final class ZooKeeperEnsemble implements AutoCloseable {

  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);

  private final List<ZooKeeperNode> nodes = new ArrayList<>();

  /**
   * @param tickTimeMs session timeouts must lie between 2 and 20 ticks
   */
  ZooKeeperEnsemble(Path dir, int size, int tickTimeMs) throws IOException {
    this(dir, size, tickTimeMs, "127.0.0.1");
  }

  /**
   * @param clientAddress where the nodes' client ports listen (0.0.0.0 to be reached from other
   *     network namespaces); the quorum's own links stay on loopback
   */
  ZooKeeperEnsemble(Path dir, int size, int tickTimeMs, String clientAddress) throws IOException {
    List<Integer> clientPorts = new ArrayList<>();
    List<String> peers = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      clientPorts.add(BrokerProcess.freePort());
      peers.add("127.0.0.1:" + BrokerProcess.freePort() + ":" + BrokerProcess.freePort());
    }
    for (int i = 0; i < size; i++) {
      nodes.add(
          new ZooKeeperNode(
              i + 1,
              clientPorts.get(i),
              dir.resolve("zk-" + (i + 1)),
              peers,
              tickTimeMs,
              clientAddress));
    }
  }

  /** Starts every node and waits until each serves. */
  void start() throws Exception {
    for (ZooKeeperNode n : nodes) {
      n.start();
    }
    for (ZooKeeperNode n : nodes) {
      n.awaitServing(START_TIMEOUT);
    }
  }

  int size() {
    return nodes.size();
  }

  String connectString() {
    return connectString("127.0.0.1");
  }

  /** Every node's client port at {@code host}. */
  String connectString(String host) {
    return nodes.stream().map(n -> n.connectString(host)).collect(Collectors.joining(","));
  }

  /** SIGKILL of node {@code index}, which stays down (until {@link #close}). */
  void kill(int index) throws InterruptedException {
    nodes.get(index).kill();
  }

  /** SIGKILL of node {@code index}, {@code down} of downtime, then a restart on the same data. */
  void killAndRestart(int index, Duration down) throws Exception {
    ZooKeeperNode node = nodes.get(index);
    node.kill();
    Thread.sleep(down.toMillis());
    node.start();
    node.awaitServing(START_TIMEOUT);
  }

  int nodeId(int index) {
    return nodes.get(index).id();
  }

  @Override
  public void close() {
    for (ZooKeeperNode n : nodes) {
      try {
        n.close();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (RuntimeException e) {
        // Keep stopping the others.
      }
    }
  }
}
