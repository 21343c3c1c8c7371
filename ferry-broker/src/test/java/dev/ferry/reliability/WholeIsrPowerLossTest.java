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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The case {@code POWER_LOSS_LEADER} skips (seed {@code 37683734428074}): a leader that is the
 * whole ISR loses power. The leader is cut from its followers (it keeps ZooKeeper and its clients),
 * so it shrinks the ISR to itself; with {@code min.insync.replicas=2} it acknowledges nothing more,
 * but the records acknowledged before the shrink are in every replica's page cache and on no disk.
 * Then it loses power (SIGKILL, logs cut back to the last fsync), the partition heals, and it comes
 * back as the only ISR member: a clean election makes it leader with what it kept, and the
 * followers, which hold more, truncate to it. ZooKeeper-mode Kafka behaves the same (KRaft's
 * KIP-966 is aimed at this case), so the checker must report the unsynced acknowledged records as
 * lost — and the cluster must heal: every replica back in the ISR, writes going on.
 *
 * <p>Not in the default suite (about a minute): {@code -Dferry.reliability.wholeIsrPowerLoss=true}.
 */
@Tag("slow")
class WholeIsrPowerLossTest {

  private static final String TOPIC = "whole-isr";
  private static final int SESSION_TIMEOUT_MS = 4_000;

  @TempDir Path dir;

  @Test
  void aLeaderThatIsTheWholeIsrLosingPowerLosesItsUnsyncedTailAndTheClusterHeals()
      throws Exception {
    assumeTrue(
        Boolean.getBoolean("ferry.reliability.wholeIsrPowerLoss"),
        "run with -Dferry.reliability.wholeIsrPowerLoss=true");
    NetworkLab.Result lab = NetworkLab.create(3);
    assumeTrue(lab.lab().isPresent(), () -> "no network namespaces here: " + lab.whyNot());
    List<ManagedBroker> brokers;
    CheckReport report;
    Map<String, Long> dropped;
    long healMs;
    try (NetworkLab network = lab.lab().get();
        ThreeBrokers cluster =
            ThreeBrokers.start(
                dir,
                SESSION_TIMEOUT_MS,
                Map.of("replica.lag.time.max.ms", "3000"),
                network,
                true)) {
      brokers = cluster.brokers();
      String bootstrap = cluster.bootstrap();
      PartitionLeaders leaders = cluster.leaders(TOPIC);
      WorkloadChecker.Settings settings =
          new WorkloadChecker.Settings(
              TOPIC,
              1,
              2,
              300,
              Duration.ofSeconds(120),
              (short) 3,
              Map.of("min.insync.replicas", "2"));
      try (WorkloadChecker checker = new WorkloadChecker(() -> bootstrap, settings)) {
        checker.start(Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(60)).until(() -> checker.acknowledged() >= 2_000);
        int leaderId = ThreeBrokers.isolateLeaderFromFollowers(leaders, network);
        ManagedBroker leader = cluster.broker(leaderId);
        System.out.printf(
            "Broker %d leads partition 0 with an ISR of itself (%s)%n",
            leaderId, leaders.await(0, Duration.ofSeconds(10)));
        dropped = leader.losePowerAndStayDown();
        network.heal();
        System.out.printf("Broker %d lost power; unsynced bytes dropped %s%n", leaderId, dropped);
        // Down past its session, so that its registration is gone and the partition offline.
        Thread.sleep(SESSION_TIMEOUT_MS + 1_000);
        long restart = System.nanoTime();
        leader.start();
        long before = checker.acknowledged();
        await().atMost(Duration.ofSeconds(90)).until(() -> checker.acknowledged() >= before + 300);
        await()
            .atMost(Duration.ofSeconds(90))
            .pollInterval(Duration.ofMillis(200))
            .ignoreExceptions()
            .until(() -> ThreeBrokers.fullIsr(leaders));
        healMs = (System.nanoTime() - restart) / 1_000_000;
        System.out.printf(
            "Full ISR %d ms after the restart: %s%n",
            healMs, leaders.await(0, Duration.ofSeconds(10)));
        checker.stopProducing(Duration.ofSeconds(60));
        report = checker.check(Duration.ofSeconds(60));
      }
    }
    System.out.println(report.summary());
    FailureEvidence.collect("whole-isr", brokers, TOPIC, report);
    for (ManagedBroker b : brokers) {
      ReplicaFingerprint f = ReplicaFingerprint.of(b.logDir().resolve(TOPIC + "-0"));
      System.out.printf(
          "broker %d: %d batches, log end %d, high watermark %d%n",
          b.brokerId(), f.batches().size(), f.logEndOffset(), f.highWatermark());
    }
    assertThat(report.duplicates()).isZero();
    assertThat(report.reorderings()).isZero();
    // Acknowledged before the ISR shrank, in every page cache, on no disk (no segment rolled).
    if (dropped.getOrDefault(TOPIC + "-0", 0L) > 0) {
      assertThat(report.lostAcknowledged())
          .as("acknowledged records only in the page caches, the lone ISR member's cut")
          .isPositive();
      assertThat(report.anomalies().get(0).kind()).isEqualTo(CheckReport.Kind.LOST);
    }
  }
}
