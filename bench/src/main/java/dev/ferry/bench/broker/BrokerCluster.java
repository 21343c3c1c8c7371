package dev.ferry.bench.broker;

import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * The processes of one running cluster that this harness started: its brokers and any separate
 * metadata store (Ferry's ZooKeeper). CPU and memory are summed over all of them, since a cluster
 * costs what all its processes cost. Closing it stops everything, in an order that lets brokers
 * shut down cleanly: first the processes the others do not depend on, side by side, then the
 * metadata hosts (the KRaft controller's node, ZooKeeper), each stop bounded as in {@link
 * BrokerProcess#close}.
 */
public final class BrokerCluster implements AutoCloseable {

  private final String name;
  private final List<BrokerProcess> brokers;
  private final List<BrokerProcess> helpers;
  private final List<BrokerProcess> stopLast;
  private final long launchNanos;

  /**
   * @param brokers broker processes in node-id order
   * @param helpers processes that are part of the cluster but not brokers (ZooKeeper)
   * @param stopLast processes (among the above) that hold cluster metadata: stopped after the rest
   * @param launchNanos when the first process of the cluster was forked
   */
  public BrokerCluster(
      String name,
      List<BrokerProcess> brokers,
      List<BrokerProcess> helpers,
      List<BrokerProcess> stopLast,
      long launchNanos) {
    this.name = name;
    this.brokers = List.copyOf(brokers);
    this.helpers = List.copyOf(helpers);
    this.stopLast = List.copyOf(stopLast);
    this.launchNanos = launchNanos;
  }

  public String name() {
    return name;
  }

  public List<BrokerProcess> brokers() {
    return brokers;
  }

  /** Processes of the cluster that are not brokers (Ferry's ZooKeeper); empty for Kafka. */
  public List<BrokerProcess> helpers() {
    return helpers;
  }

  public long launchNanos() {
    return launchNanos;
  }

  /** Every broker's listener, comma-separated, as clients' bootstrap.servers. */
  public String bootstrapServers() {
    StringJoiner joined = new StringJoiner(",");
    brokers.forEach(b -> joined.add(b.bootstrapServers()));
    return joined.toString();
  }

  /** CPU seconds of every process of the cluster, helpers included, in {@link #all()} order. */
  public double[] cpuSeconds() {
    List<BrokerProcess> all = all();
    double[] seconds = new double[all.size()];
    for (int i = 0; i < seconds.length; i++) {
      seconds[i] = all.get(i).cpuSeconds();
    }
    return seconds;
  }

  /** VmRSS summed over every process of the cluster, helpers included. */
  public long rssBytes() {
    long sum = 0;
    for (BrokerProcess p : all()) {
      sum += Math.max(0, p.rssBytes());
    }
    return sum;
  }

  /** Brokers first (node-id order), then helpers. */
  public List<BrokerProcess> all() {
    List<BrokerProcess> all = new ArrayList<>(brokers);
    all.addAll(helpers);
    return all;
  }

  /** Throws with the log tail of the first process that has died. */
  public void checkAlive() {
    for (BrokerProcess p : all()) {
      p.checkAlive();
    }
  }

  /** One log file per process, for the progress line after a run. */
  public String logFiles() {
    StringJoiner joined = new StringJoiner(", ");
    all().forEach(p -> joined.add(p.logFile().toString()));
    return joined.toString();
  }

  @Override
  public void close() {
    List<BrokerProcess> first = new ArrayList<>(all());
    first.removeAll(stopLast);
    stopTogether(first);
    stopTogether(stopLast);
  }

  private static void stopTogether(List<BrokerProcess> processes) {
    processes.forEach(BrokerProcess::requestStop);
    processes.forEach(BrokerProcess::close);
  }
}
