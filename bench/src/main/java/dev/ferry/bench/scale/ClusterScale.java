package dev.ferry.bench.scale;

import dev.ferry.bench.Machine;
import dev.ferry.bench.Progress;
import dev.ferry.bench.broker.BrokerCluster;
import dev.ferry.bench.broker.BrokerProcess;
import dev.ferry.bench.broker.BrokerSettings;
import dev.ferry.bench.broker.ClusterLauncher;
import dev.ferry.bench.workload.ClusterReadiness;
import dev.ferry.bench.workload.MetadataProbe;
import dev.ferry.bench.workload.Topics;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;

/**
 * One system as a three-broker cluster, one topic of N partitions with replication factor 3: start,
 * create (until every partition has a full ISR and is served), Metadata, produce, then SIGKILL of a
 * broker that is not the controller, timed until every partition it led has another leader in the
 * Metadata of a surviving broker.
 */
final class ClusterScale {

  static final int BROKERS = 3;
  static final short REPLICATION_FACTOR = 3;
  private static final Duration STARTUP = Duration.ofSeconds(240);
  private static final Duration FAILOVER_TIMEOUT = Duration.ofSeconds(180);
  private static final long POLL_MS = 20;

  private final ScaleSteps steps;
  private final Progress progress;

  ClusterScale(ScaleSteps steps, Progress progress) {
    this.steps = steps;
    this.progress = progress;
  }

  ScalePoint run(
      ClusterLauncher launcher, Path runDir, BrokerSettings settings, int partitions, int round) {
    ScalePoint point =
        new ScalePoint(
            launcher.name(), "cluster", round, partitions, partitions * REPLICATION_FACTOR);
    point.loadBefore = Machine.loadAverage();
    progress.say(
        String.format(
            "%s, %d brokers, %,d partitions × RF %d (round %d, load %.1f)",
            launcher.name(), BROKERS, partitions, REPLICATION_FACTOR, round, point.loadBefore));
    BrokerCluster cluster = null;
    try {
      cluster = launcher.launch(runDir, settings, BROKERS);
      ClusterReadiness.awaitAllBrokers(cluster, STARTUP);
      point.rssIdleMb = ScaleSteps.megabytes(cluster.rssBytes());
      steps.createTopic(cluster, partitions, REPLICATION_FACTOR, point);
      steps.metadata(cluster.brokers().get(0), point);
      steps.produce(cluster, partitions, point);
      point.rssMb = ScaleSteps.megabytes(cluster.rssBytes());
      failover(cluster, partitions, point);
    } catch (Exception e) {
      point.note += e.toString().replace('\n', ' ') + ". ";
      progress.say("  " + launcher.name() + " cluster: FAILED " + e);
    } finally {
      if (cluster != null) {
        cluster.close();
      }
      point.loadAfter = Machine.loadAverage();
    }
    return point;
  }

  /**
   * SIGKILL of the highest-numbered broker that is not the controller (Kafka: node 3, broker-only;
   * Ferry: the controller is whichever broker won the ZooKeeper election), then Metadata requests
   * to broker 1 every {@link #POLL_MS} ms until none of the partitions it led names it as leader.
   */
  private void failover(BrokerCluster cluster, int partitions, ScalePoint point)
      throws IOException, InterruptedException, ExecutionException, TimeoutException {
    int controller;
    try (Admin admin = Topics.admin(cluster.bootstrapServers(), Duration.ofSeconds(30))) {
      controller = admin.describeCluster().controller().get(30, TimeUnit.SECONDS).id();
    }
    int victimId = controller == BROKERS ? BROKERS - 1 : BROKERS;
    if (cluster.name().equals("kafka")) {
      victimId = BROKERS; // node 1 hosts the KRaft controller; DescribeCluster names any broker
    }
    BrokerProcess victim = cluster.brokers().get(victimId - 1);
    BrokerProcess survivor = cluster.brokers().get(0);
    try (MetadataProbe probe = new MetadataProbe(survivor.bootstrapServers(), ScaleSteps.TOPIC)) {
      MetadataProbe.Partitions before = probe.request().partitions(ScaleSteps.TOPIC, partitions);
      point.failoverLedByVictim = before.ledBy(victimId);
      progress.say(
          String.format(
              "  %s: SIGKILL broker %d (controller %d), which leads %,d partitions",
              cluster.name(), victimId, controller, point.failoverLedByVictim));
      long t0 = System.nanoTime();
      victim.kill();
      while (System.nanoTime() - t0 < FAILOVER_TIMEOUT.toNanos()) {
        MetadataProbe.Partitions now = probe.request().partitions(ScaleSteps.TOPIC, partitions);
        int stillLed = now.ledBy(victimId);
        if (stillLed < point.failoverLedByVictim && Double.isNaN(point.failoverFirstMs)) {
          point.failoverFirstMs = ScaleSteps.millisSince(t0);
        }
        if (stillLed == 0 && now.fullyReplicated(1)) {
          point.failoverAllMs = ScaleSteps.millisSince(t0);
          break;
        }
        Thread.sleep(POLL_MS);
      }
    }
    progress.say(
        String.format(
            "  %s: first new leader after %,.0f ms, all after %,.0f ms",
            cluster.name(), point.failoverFirstMs, point.failoverAllMs));
  }
}
