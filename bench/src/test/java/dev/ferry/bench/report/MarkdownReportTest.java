package dev.ferry.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MarkdownReportTest {

  private static ReportContext context(Map<String, String> skipped) {
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
        1,
        Map.of());
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
  void numbersKeepAboutThreeSignificantDigits() {
    assertThat(MarkdownReport.number(123_456.7)).isEqualTo("123,457");
    assertThat(MarkdownReport.number(123.4)).isEqualTo("123");
    assertThat(MarkdownReport.number(12.34)).isEqualTo("12.3");
    assertThat(MarkdownReport.number(1.234)).isEqualTo("1.23");
  }
}
