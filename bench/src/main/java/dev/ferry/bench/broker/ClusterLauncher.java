package dev.ferry.bench.broker;

import java.io.IOException;
import java.nio.file.Path;

/** Knows how to lay out and start a cluster of one system's brokers on loopback. */
public interface ClusterLauncher {

  /** Same short name as the system's single-node {@link BrokerLauncher}: "kafka", "ferry". */
  String name();

  /** How the cluster is laid out, for the report's settings. */
  String layout(int brokers);

  /**
   * Writes configuration under {@code runDir}, prepares fresh data directories under runDir/data
   * and starts every process of the cluster. Returns once all are forked (and any metadata store
   * the brokers need at start is listening); readiness of the brokers is the caller's business.
   * Processes already started are stopped if a later one fails to start.
   */
  BrokerCluster launch(Path runDir, BrokerSettings settings, int brokers)
      throws IOException, InterruptedException;
}
