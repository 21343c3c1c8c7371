package dev.ferry.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.verify.CheckReport;
import dev.ferry.verify.WorkloadChecker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acknowledged records survive SIGKILL, SIGSTOP pauses longer than the ZooKeeper session and clean
 * restarts of real broker processes while producers (acks=all, idempotent) and a consumer run.
 *
 * <p>System properties: {@code ferry.faults.seed} replays a schedule (the seed is always printed),
 * {@code ferry.faults.duration} (seconds; default 10, which usually leaves just the three faults
 * covering each kind once; long runs pass minutes) sets the fault budget, {@code ferry.faults.rate}
 * the records per second per producer (default 400).
 */
@Tag("slow")
class FaultInjectionTest {

  private static final Logger log = LoggerFactory.getLogger(FaultInjectionTest.class);

  /** Short enough that a restart after SIGKILL waits little for the stale registration. */
  private static final int SESSION_TIMEOUT_MS = 3_000;

  @TempDir Path dir;

  @Test
  void acknowledgedRecordsSurviveASeededScheduleOfFaults() throws Exception {
    long seed = Long.getLong("ferry.faults.seed", System.nanoTime());
    Duration budget = Duration.ofSeconds(Long.getLong("ferry.faults.duration", 10));
    int rate = Integer.getInteger("ferry.faults.rate", 400);
    // Pauses up to twice the session timeout: some outlive the session of the broker's own
    // (embedded, equally paused) ZooKeeper.
    FaultSchedule schedule =
        FaultSchedule.random(seed, 1, budget, Duration.ofMillis(2L * SESSION_TIMEOUT_MS));
    System.out.println(
        "FaultInjectionTest seed " + seed + " (replay with -Dferry.faults.seed=" + seed + ")");
    System.out.println(schedule);

    List<ManagedBroker> brokers = new ArrayList<>();
    brokers.add(
        new ManagedBroker(
            0,
            dir.resolve("broker-0"),
            Map.of(
                // Every append fsynced before it is acknowledged: a SIGKILL mid-write must then
                // lose nothing even if the page cache were lost too.
                "log.flush.interval.messages",
                "1",
                "zookeeper.session.timeout.ms",
                Integer.toString(SESSION_TIMEOUT_MS),
                // A restart on a busy machine may need longer than one short session to start.
                "zookeeper.connection.timeout.ms",
                "30000")));
    FaultInjector injector = new FaultInjector(brokers);
    CheckReport report;
    long producerRestarts;
    try {
      for (ManagedBroker b : brokers) {
        b.start();
      }
      String bootstrap =
          brokers.stream().map(ManagedBroker::bootstrap).collect(Collectors.joining(","));
      WorkloadChecker.Settings settings =
          new WorkloadChecker.Settings("faults", 3, 3, rate, Duration.ofSeconds(120));
      try (WorkloadChecker checker = new WorkloadChecker(() -> bootstrap, settings)) {
        checker.start(Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(30)).until(() -> checker.acknowledged() >= 300);
        injector.run(schedule);
        // Let the workload run against the healed broker before stopping it.
        long before = checker.acknowledged();
        await().atMost(Duration.ofSeconds(60)).until(() -> checker.acknowledged() >= before + 300);
        checker.stopProducing(Duration.ofSeconds(150));
        report = checker.check(Duration.ofSeconds(60));
        producerRestarts = checker.producerRestarts();
      }
    } finally {
      for (ManagedBroker b : brokers) {
        b.close();
      }
    }
    String summary =
        report.summary()
            + String.format(
                " Faults injected (seed %d): %s; producer restarts: %d.",
                seed, injector.injected(), producerRestarts);
    System.out.println(summary);
    injector.timeline().forEach(System.out::println);
    log.info(summary);

    assertThat(injector.total()).isEqualTo(schedule.faults().size());
    assertThat(injector.injected().keySet())
        .containsExactlyInAnyOrderElementsOf(FaultSchedule.SINGLE_BROKER);
    if (schedule.faults().stream()
        .anyMatch(f -> f.duration().toMillis() > SESSION_TIMEOUT_MS + 1_000)) {
      // The pause outlived the session of the broker's own ZooKeeper, which expired it on waking;
      // the broker must have registered itself again (it served the workload afterwards, too).
      assertThat(brokers.get(0).output())
          .anySatisfy(
              line ->
                  assertThat(line).contains("[ferry-broker-registration]", "Registered broker"));
    }
    assertThat(report.acknowledged()).isGreaterThan(1_000);
    WorkloadAssertions.assertNothingLostDuplicatedOrReordered(
        report, FailureEvidence.collect("single-" + seed, brokers, "faults", report));
  }
}
