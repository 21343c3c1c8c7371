package dev.ferry.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ferry.verify.CheckReport;
import dev.ferry.verify.WorkloadChecker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Proof that the checker can fail: a configuration known to lose acknowledged records, driven into
 * the loss on purpose, must show the loss in the report, with partition and offset.
 *
 * <p>acks=1 (idempotence off): the leader answers after its own append. Both followers are frozen
 * (SIGSTOP) for less than the ZooKeeper session and the replica lag time, so they stay registered
 * and in the ISR while the leader acknowledges records they never fetch; then the leader is
 * SIGKILLed and the followers continued. The controller elects one of them — a clean election, it
 * is in the ISR — and the records only the dead leader had are gone; when it comes back it
 * truncates them. Kafka documents exactly this for acks=1; with acks=all the same sequence loses
 * nothing (the records would not have been acknowledged).
 */
@Tag("slow")
class KnownBadConfigurationTest {

  private static final String TOPIC = "acks-one";
  private static final int SESSION_TIMEOUT_MS = 6_000;

  @TempDir Path dir;

  @Test
  void acksOneWithTheLeaderKilledRightAfterAcknowledgingLosesRecordsAndTheCheckerSaysSo()
      throws Exception {
    CheckReport report;
    long acknowledgedWhileFrozen;
    try (ThreeBrokers cluster =
        ThreeBrokers.start(
            dir, SESSION_TIMEOUT_MS, Map.of("replica.lag.time.max.ms", "10000"), null, false)) {
      String bootstrap = cluster.bootstrap();
      PartitionLeaders leaders = cluster.leaders(TOPIC);
      WorkloadChecker.Settings settings =
          new WorkloadChecker.Settings(
                  TOPIC, 1, 1, 300, Duration.ofSeconds(60), (short) 3, Map.of())
              .withProducerProperties(
                  Map.of(
                      ProducerConfig.ACKS_CONFIG,
                      "1",
                      ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG,
                      false,
                      ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION,
                      1));
      try (WorkloadChecker checker = new WorkloadChecker(() -> bootstrap, settings)) {
        checker.start(Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(60)).until(() -> checker.acknowledged() >= 200);
        await()
            .atMost(Duration.ofSeconds(60))
            .ignoreExceptions()
            .until(() -> ThreeBrokers.fullIsr(leaders));
        PartitionLeaders.Replicas r = leaders.await(0, Duration.ofSeconds(30));
        ManagedBroker leader = cluster.broker(r.leader());
        List<ManagedBroker> followers = r.followers().stream().map(cluster::broker).toList();
        for (ManagedBroker f : followers) {
          f.pause();
        }
        long before = checker.acknowledged();
        try {
          await()
              .atMost(Duration.ofSeconds(3))
              .pollInterval(Duration.ofMillis(20))
              .until(() -> checker.acknowledged() >= before + 100);
          leader.kill();
          // Counted after the kill: everything the leader answered while alone.
          acknowledgedWhileFrozen = checker.acknowledged() - before;
        } finally {
          for (ManagedBroker f : followers) {
            f.resume();
          }
        }
        // A follower takes over; the old leader comes back and truncates what only it had.
        await()
            .atMost(Duration.ofSeconds(60))
            .until(() -> checker.acknowledged() >= before + acknowledgedWhileFrozen + 300);
        leader.start();
        await()
            .atMost(Duration.ofSeconds(60))
            .ignoreExceptions()
            .until(() -> ThreeBrokers.fullIsr(leaders));
        report = checker.check(Duration.ofSeconds(60));
      }
    }
    System.out.println(report.summary());
    assertThat(report.ok()).as(report.summary()).isFalse();
    // What the leader acknowledged alone: everything while the followers were frozen (at least),
    // plus what they had not fetched yet when frozen (how much depends on the machine's load).
    assertThat(report.lostAcknowledged())
        .as("records acknowledged by the frozen-out leader alone")
        .isGreaterThanOrEqualTo(Math.min(acknowledgedWhileFrozen, 1))
        .isPositive();
    assertThat(report.movedAcknowledged()).isZero();
    CheckReport.Anomaly first = report.anomalies().get(0);
    assertThat(first.kind()).isEqualTo(CheckReport.Kind.LOST);
    assertThat(first.partition()).isZero();
    assertThat(first.description()).startsWith("lost acknowledged p0-");
    assertThat(report.duplicates()).isZero();
  }

  /**
   * unclean.leader.election.enable=true with a partitioned leader (the 2013 Jepsen finding for
   * Kafka): the leader is cut from its followers but keeps ZooKeeper and its clients, so it shrinks
   * the ISR to itself and, with min.insync.replicas=1, goes on acknowledging acks=all records
   * alone. Then it dies; no ISR member is left, and the unclean election makes a follower leader
   * without those records. When the old leader returns it truncates them. The checker must report
   * the loss.
   */
  @Test
  void uncleanElectionAfterAPartitionedLeaderShrankTheIsrLosesRecordsAndTheCheckerSaysSo()
      throws Exception {
    NetworkLab.Result lab = NetworkLab.create(3);
    assumeTrue(lab.lab().isPresent(), () -> "no network namespaces here: " + lab.whyNot());
    CheckReport report;
    long acknowledgedAlone;
    try (NetworkLab network = lab.lab().get();
        ThreeBrokers cluster =
            ThreeBrokers.start(
                dir,
                SESSION_TIMEOUT_MS,
                Map.of("replica.lag.time.max.ms", "3000"),
                network,
                false)) {
      List<ManagedBroker> brokers = cluster.brokers();
      String bootstrap = cluster.bootstrap();
      PartitionLeaders leaders = cluster.leaders(TOPIC);
      WorkloadChecker.Settings settings =
          new WorkloadChecker.Settings(
              TOPIC,
              1,
              1,
              300,
              Duration.ofSeconds(60),
              (short) 3,
              Map.of("min.insync.replicas", "1", "unclean.leader.election.enable", "true"));
      try (WorkloadChecker checker = new WorkloadChecker(() -> bootstrap, settings)) {
        checker.start(Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(60)).until(() -> checker.acknowledged() >= 200);
        int leader = ThreeBrokers.isolateLeaderFromFollowers(leaders, network);
        long alone = checker.acknowledged();
        await().atMost(Duration.ofSeconds(30)).until(() -> checker.acknowledged() >= alone + 200);
        brokers.get(leader).kill();
        acknowledgedAlone = checker.acknowledged() - alone;
        network.heal();
        // An out-of-sync follower takes over (unclean); the old leader returns and truncates.
        long before = checker.acknowledged();
        await().atMost(Duration.ofSeconds(90)).until(() -> checker.acknowledged() >= before + 300);
        brokers.get(leader).start();
        await()
            .atMost(Duration.ofSeconds(90))
            .ignoreExceptions()
            .until(() -> ThreeBrokers.fullIsr(leaders));
        report = checker.check(Duration.ofSeconds(60));
      }
    }
    System.out.println(report.summary());
    assertThat(report.ok()).as(report.summary()).isFalse();
    assertThat(report.lostAcknowledged())
        .as("records the partitioned leader acknowledged alone")
        .isGreaterThanOrEqualTo(Math.min(acknowledgedAlone, 1))
        .isPositive();
    assertThat(report.anomalies().get(0).kind()).isEqualTo(CheckReport.Kind.LOST);
    assertThat(report.duplicates()).isZero();
  }
}
