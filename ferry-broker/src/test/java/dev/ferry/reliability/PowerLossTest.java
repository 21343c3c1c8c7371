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

  @TempDir Path dir;

  @Test
  void withAFlushPerMessageAPowerLossLosesNothingAcknowledged() throws Exception {
    CheckReport report = runAndPullThePlug(Map.of("log.flush.interval.messages", "1"));
    assertThat(report.acknowledged()).isGreaterThan(300);
    WorkloadAssertions.assertNothingLostDuplicatedOrReordered(report, "");
  }

  @Test
  void withDefaultFlushingAPowerLossLosesTheUnflushedTailAndTheCheckerSaysSo() throws Exception {
    CheckReport report = runAndPullThePlug(Map.of());
    assertThat(report.ok()).as(report.summary()).isFalse();
    assertThat(report.lostAcknowledged()).isPositive();
    assertThat(report.anomalies().get(0).kind()).isEqualTo(CheckReport.Kind.LOST);
    assertThat(report.duplicates()).isZero();
  }

  private CheckReport runAndPullThePlug(Map<String, String> flush) throws Exception {
    Path probe = dir.resolve("sync-probe");
    ManagedBroker broker =
        new ManagedBroker(
            0,
            dir.resolve("broker"),
            flush,
            "127.0.0.1",
            List.of("env", "JAVA_TOOL_OPTIONS=" + PowerLoss.probeOption(probe)));
    try {
      broker.start();
      WorkloadChecker.Settings settings =
          new WorkloadChecker.Settings("power", 3, 2, 300, Duration.ofSeconds(60));
      String bootstrap = broker.bootstrap();
      try (WorkloadChecker checker = new WorkloadChecker(() -> bootstrap, settings)) {
        checker.start(Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(60)).until(() -> checker.acknowledged() >= 1_000);
        broker.kill();
        Map<String, Long> dropped = PowerLoss.dropUnsynced(broker.logDir(), probe);
        System.out.println("Power loss dropped bytes per partition: " + dropped);
        broker.start();
        await().atMost(Duration.ofSeconds(90)).until(() -> checker.acknowledged() >= 1_300);
        CheckReport report = checker.check(Duration.ofSeconds(60));
        System.out.println(report.summary());
        return report;
      }
    } finally {
      broker.close();
    }
  }
}
