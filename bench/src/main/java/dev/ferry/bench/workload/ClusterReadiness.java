package dev.ferry.bench.workload;

import dev.ferry.bench.broker.BrokerCluster;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;

/**
 * Readiness of a cluster: every broker is registered, i.e. DescribeCluster lists them all (KRaft
 * lists unfenced brokers; Ferry those registered in ZooKeeper). Topics are created only after this,
 * so their replicas spread over all brokers.
 */
public final class ClusterReadiness {

  private static final long ATTEMPT_SECONDS = 5;
  private static final long PAUSE_MS = 50;

  private ClusterReadiness() {}

  /** Milliseconds from the cluster's first launch until all its brokers are listed. */
  public static double awaitAllBrokers(BrokerCluster cluster, Duration timeout)
      throws InterruptedException, TimeoutException {
    int expected = cluster.brokers().size();
    long deadline = cluster.launchNanos() + timeout.toNanos();
    String last = "no answer yet";
    try (Admin admin = Topics.admin(cluster.bootstrapServers())) {
      while (System.nanoTime() < deadline) {
        cluster.checkAlive();
        try {
          int listed =
              admin.describeCluster().nodes().get(ATTEMPT_SECONDS, TimeUnit.SECONDS).size();
          if (listed >= expected) {
            return (System.nanoTime() - cluster.launchNanos()) / 1e6;
          }
          last = listed + " of " + expected + " brokers listed";
        } catch (ExecutionException | TimeoutException e) {
          last = e.toString();
        }
        Thread.sleep(PAUSE_MS);
      }
    }
    throw new TimeoutException(
        cluster.name()
            + ": not all "
            + expected
            + " brokers registered within "
            + timeout.toSeconds()
            + " s; last: "
            + last);
  }
}
