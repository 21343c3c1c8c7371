package dev.ferry.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

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
 * A single broker loses power mid-write ({@link PowerLoss}: SIGKILL, then every log cut back to
 * what its last fsync covered). With {@code log.flush.interval.messages=1} every acknowledged
 * record was forced to disk before its acknowledgement, so nothing acknowledged is lost. With the
 * default flush settings nothing is forced until a segment rolls or the broker stops, and the
 * acknowledged records of the unflushed tail are lost — Kafka's design too (it relies on replicas,
 * not fsync): the test proves the checker reports it.
 */
@Tag("slow")
class PowerLossTest {

  /** Short, so that the restart after the SIGKILL waits little for the stale registration. */
  private static final int SESSION_TIMEOUT_MS = 3_000;

  @TempDir Path dir;

  /**
   * One broker, one power loss, two topics: {@code flushed} with {@code flush.messages=1} (the
   * topic form of {@code log.flush.interval.messages}) and {@code unflushed} with the default flush
   * settings, each under its own workload.
   */
  @Test
  void aPowerLossLosesNothingAcknowledgedWithAFlushPerMessageAndTheUnflushedTailWithout()
      throws Exception {
    Path probe = dir.resolve("sync-probe");
    ManagedBroker broker =
        new ManagedBroker(
            0,
            dir.resolve("broker"),
            Map.of(
                "zookeeper.session.timeout.ms",
                Integer.toString(SESSION_TIMEOUT_MS),
                // A restart on a busy machine may need longer than one short session to start.
                "zookeeper.connection.timeout.ms",
                "30000"),
            "127.0.0.1",
            List.of("env", "JAVA_TOOL_OPTIONS=" + PowerLoss.probeOption(probe)));
    WorkloadChecker.Settings flushedSettings =
        new WorkloadChecker.Settings(
            "flushed", 3, 2, 300, Duration.ofSeconds(60), (short) 1, Map.of("flush.messages", "1"));
    WorkloadChecker.Settings unflushedSettings =
        new WorkloadChecker.Settings("unflushed", 3, 2, 300, Duration.ofSeconds(60));
    CheckReport flushed;
    CheckReport unflushed;
    try {
      broker.start();
      String bootstrap = broker.bootstrap();
      try (WorkloadChecker flushedRun = new WorkloadChecker(() -> bootstrap, flushedSettings);
          WorkloadChecker unflushedRun = new WorkloadChecker(() -> bootstrap, unflushedSettings)) {
        flushedRun.start(Duration.ofSeconds(30));
        unflushedRun.start(Duration.ofSeconds(30));
        await()
            .atMost(Duration.ofSeconds(60))
            .until(
                () -> flushedRun.acknowledged() >= 1_000 && unflushedRun.acknowledged() >= 1_000);
        broker.kill();
        Map<String, Long> dropped = PowerLoss.dropUnsynced(broker.logDir(), probe);
        System.out.println("Power loss dropped bytes per partition: " + dropped);
        broker.start();
        long flushedBefore = flushedRun.acknowledged();
        long unflushedBefore = unflushedRun.acknowledged();
        await()
            .atMost(Duration.ofSeconds(90))
            .until(
                () ->
                    flushedRun.acknowledged() >= flushedBefore + 300
                        && unflushedRun.acknowledged() >= unflushedBefore + 300);
        flushed = flushedRun.check(Duration.ofSeconds(60));
        unflushed = unflushedRun.check(Duration.ofSeconds(60));
      }
    } finally {
      broker.close();
    }
    System.out.println("flush.messages=1: " + flushed.summary());
    System.out.println("default flushing: " + unflushed.summary());

    assertThat(flushed.acknowledged()).isGreaterThan(1_000);
    WorkloadAssertions.assertNothingLostDuplicatedOrReordered(flushed, " (flush.messages=1)");

    assertThat(unflushed.ok()).as(unflushed.summary()).isFalse();
    assertThat(unflushed.lostAcknowledged()).isPositive();
    assertThat(unflushed.anomalies().get(0).kind()).isEqualTo(CheckReport.Kind.LOST);
    assertThat(unflushed.duplicates()).isZero();
  }
}
