package dev.ferry.bench.stock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ToolOutputTest {

  @Test
  void readsProducerPerformanceFinalLine() {
    List<String> lines =
        List.of(
            "49996 records sent, 9999.2 records/sec (1.91 MB/sec), 3.1 ms avg latency, 210.0 ms"
                + " max latency.",
            "100000 records sent, 10001.500150 records/sec (1.91 MB/sec), 2.85 ms avg latency,"
                + " 210.00 ms max latency, 2 ms 50th, 5 ms 95th, 12 ms 99th, 40 ms 99.9th.");
    ToolOutput.Summary s = ToolOutput.producer(lines);
    assertThat(s.records()).isEqualTo(100_000);
    assertThat(s.recordsPerSecond()).isEqualTo(10001.50015);
    assertThat(s.avgMs()).isEqualTo(2.85);
    assertThat(s.p50Ms()).isEqualTo(2);
    assertThat(s.p99Ms()).isEqualTo(12);
    assertThat(s.p999Ms()).isEqualTo(40);
    assertThat(s.maxMs()).isEqualTo(210);
  }

  @Test
  void readsConsumerPerformanceDataLineWithoutHeader() {
    List<String> lines =
        List.of(
            "WARN something",
            "2026-12-07 15:00:01:000, 2026-12-07 15:00:04:000, 200.0000, 66.6667, 1000000,"
                + " 333333.3333, 512, 2488, 80.3859, 401929.2605");
    ToolOutput.Summary s = ToolOutput.consumer(lines);
    assertThat(s.records()).isEqualTo(1_000_000);
    assertThat(s.recordsPerSecond()).isEqualTo(401929.2605);
  }

  @Test
  void readsEndToEndLatencySummary() {
    List<String> lines =
        List.of("Avg latency: 1.2500 ms", "Percentiles: 50th = 1, 99th = 3, 99.9th = 9");
    ToolOutput.Summary s = ToolOutput.endToEnd(lines, 5000);
    assertThat(s.records()).isEqualTo(5000);
    assertThat(s.avgMs()).isEqualTo(1.25);
    assertThat(s.recordsPerSecond()).isEqualTo(800.0);
    assertThat(s.p50Ms()).isEqualTo(1);
    assertThat(s.p99Ms()).isEqualTo(3);
    assertThat(s.p999Ms()).isEqualTo(9);
  }

  @Test
  void aMissingSummaryIsAnError() {
    assertThatThrownBy(() -> ToolOutput.producer(List.of("ERROR Connection refused")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("Connection refused");
  }

  @Test
  void childrenCpuTicksAreFieldsSixteenAndSeventeen() {
    String stat =
        "4242 (java (x)) S 1 4242 4242 0 -1 4194560 100 200 0 0 350 40 70 5 20 0 30 0 1 0 0";
    assertThat(StockTool.parseChildrenTicks(stat)).isEqualTo(75);
  }
}
