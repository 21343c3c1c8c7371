package dev.ferry.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MarkdownReportTest {

  private static ReportContext context(Map<String, String> skipped) {
    return context(skipped, 1, Map.of());
  }

  private static ReportContext context(
      Map<String, String> skipped, int clusterRounds, Map<String, String> clusterSkipped) {
    return new ReportContext(
        "2026-01-01 00:00",
        "Machine: test.",
        1,
        "1 min 00 s",
        List.of("kafka", "ferry"),
        Map.of("kafka", "Apache Kafka 4.4.0", "ferry", "Ferry"),
        skipped,
        List.of("JVM: -Xmx1g"),
        Map.of("Loopback TCP", "1,000 MB/s"),
        List.of("throughput.png"),
        clusterRounds,
        clusterSkipped);
  }

  @Test
  void rowShowsBothMediansTheRatioAndWhetherTheTargetIsMet() {
    RunResult kafka = new RunResult("kafka", 1);
    kafka.put(Figure.B50_MSGS, 200_000);
    kafka.put(Figure.B50_CPU, 10);
    RunResult ferry = new RunResult("ferry", 1);
    ferry.put(Figure.B50_MSGS, 210_000);
    ferry.put(Figure.B50_CPU, 6);
    String md = MarkdownReport.render(new Summary(List.of(kafka, ferry)), context(Map.of()));

    assertThat(md)
        .contains("| Batch of 50: throughput (msg/s) | 200,000 | 210,000 | 1.05× ✅ | ≥ 1.00× |")
        .contains("| Batch of 50: broker CPU (µs/msg) | 10.0 | 6.00 | 0.60× ❌ | ≤ 0.50× |")
        .contains("| Loopback TCP | 1,000 MB/s |")
        .contains("![throughput.png](throughput.png)");
  }

  @Test
  void consumerThroughputIsShownAsAShareOfTheMachinesLimits() {
    RunResult kafka = new RunResult("kafka", 1);
    kafka.put(Figure.CONS_MBPS, 250);
    RunResult ferry = new RunResult("ferry", 1);
    ferry.put(Figure.CONS_MBPS, 500);
    ReportContext ctx =
        new ReportContext(
            "2026-01-01 00:00",
            "Machine: test.",
            1,
            "1 min 00 s",
            List.of("kafka", "ferry"),
            Map.of("kafka", "Apache Kafka 4.4.0 (KRaft)", "ferry", "Ferry (this repository)"),
            Map.of(),
            List.of(),
            Map.of(
                "Loopback TCP, one connection", "2,000 MB/s",
                "Page-cache read of a 1 GiB file", "1,000 MB/s"),
            List.of(),
            0,
            Map.of());
    String md = MarkdownReport.render(new Summary(List.of(kafka, ferry)), ctx);

    assertThat(md)
        .contains(
            "Against this machine's limits: Ferry reads at 25% of loopback TCP and 50% of"
                + " page-cache read bandwidth; Apache Kafka 4.4.0 reads at 13% of loopback TCP and"
                + " 25% of page-cache read bandwidth.");
  }

  @Test
  void skippedBrokerIsExplainedAndItsCellsAreEmpty() {
    RunResult kafka = new RunResult("kafka", 1);
    kafka.put(Figure.STARTUP_MS, 4321);
    kafka.note("latency high: 3 sends failed");
    String md =
        MarkdownReport.render(
            new Summary(List.of(kafka)), context(Map.of("ferry", "skipped (--skip-ferry)")));

    assertThat(md)
        .contains("**Ferry**: no numbers — skipped (--skip-ferry)")
        .contains("| Start-up to first acked produce (ms) | 4,321 | — | — | ≤ 0.10× |")
        .contains("- kafka round 1: latency high: 3 sends failed");
  }

  @Test
  void clusterSectionHasItsOwnRoundsSummedFiguresAndReasonsForMissingNumbers() {
    RunResult single = new RunResult("kafka", 1);
    single.put(Figure.MOD_MSGS, 90_000);
    RunResult kafka = new RunResult("kafka", 1, "cluster");
    kafka.put(Figure.CLUSTER_MSGS, 20_000);
    kafka.put(Figure.CLUSTER_CPU, 40);
    kafka.note("warm-up stopped at its 40 s cap");
    String md =
        MarkdownReport.render(
            new Summary(List.of(single, kafka)),
            context(Map.of(), 2, Map.of("ferry", "failed to start — no ZooKeeper")));

    assertThat(md)
        .contains("## 6. Three-broker cluster, RF 3")
        .contains(
            "Median of 2 cluster rounds.\n\n- **Ferry**: no cluster numbers — failed to start")
        .contains("| Throughput (msg/s) | 20,000 | — | — | ≥ 1.00× |")
        .contains("| CPU, sum of the cluster's processes (µs/msg) | 40.0 | — | — | ≤ 0.50× |")
        .contains("| Throughput (msg/s) | 90,000 | — | — | ≥ 1.00× |")
        .contains("- kafka cluster round 1: warm-up stopped at its 40 s cap");
    assertThat(kafka.fileStem()).isEqualTo("kafka-cluster-r1");
    assertThat(single.fileStem()).isEqualTo("kafka-r1");
  }

  @Test
  void clusterSectionSaysWhenItWasNotRun() {
    String md = MarkdownReport.render(new Summary(List.of()), context(Map.of(), 0, Map.of()));

    assertThat(md).contains("## 6. Three-broker cluster, RF 3").contains("Not run in this suite.");
  }

  @Test
  void numbersKeepAboutThreeSignificantDigits() {
    assertThat(MarkdownReport.number(123_456.7)).isEqualTo("123,457");
    assertThat(MarkdownReport.number(123.4)).isEqualTo("123");
    assertThat(MarkdownReport.number(12.34)).isEqualTo("12.3");
    assertThat(MarkdownReport.number(1.234)).isEqualTo("1.23");
  }
}
