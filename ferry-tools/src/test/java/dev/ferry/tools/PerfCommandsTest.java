package dev.ferry.tools;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ferry.it.TestBroker;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code ferry perf produce|consume}: counts, throughput, latency percentiles, progress lines. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PerfCommandsTest {

  @Test
  void produceThenConsume(@TempDir Path dir) {
    try (TestBroker broker = TestBroker.start(dir)) {
      Cli.Result created = Cli.on(broker.bootstrap(), "topic", "create", "load", "-p", "2");
      assertThat(created.exitCode()).as(created.err()).isZero();

      // Throttled to ~1000 records/s so the run spans several 100 ms progress intervals.
      Cli.Result produced =
          Cli.on(
              broker.bootstrap(),
              "perf",
              "produce",
              "-t",
              "load",
              "--num-records",
              "400",
              "--record-size",
              "50",
              "--throughput",
              "1000",
              "--report-interval-ms",
              "100",
              "-o",
              "json");
      assertThat(produced.exitCode()).as(produced.err()).isZero();
      JsonNode p = produced.json();
      assertThat(p.get("records").asLong()).isEqualTo(400);
      assertThat(p.get("bytes").asLong()).isEqualTo(400 * 50);
      assertThat(p.get("seconds").asDouble()).isBetween(0.3, 20.0);
      assertThat(p.get("recordsPerSecond").asDouble()).isBetween(10.0, 1400.0);
      assertPercentiles(p.get("latencyMs"));
      List<String> progress = produced.err().lines().toList();
      assertThat(progress).hasSizeGreaterThanOrEqualTo(2);
      assertThat(progress)
          .allMatch(
              l ->
                  l.matches(
                      "\\d+ records sent, [\\d.]+ records/s \\([\\d.]+ MB/s\\), [\\d.]+ ms avg"
                          + " latency, [\\d.]+ ms max latency\\."));

      Cli.Result consumed =
          Cli.on(
              broker.bootstrap(),
              "perf",
              "consume",
              "-t",
              "load",
              "--num-records",
              "400",
              "--timeout-ms",
              "5000");
      assertThat(consumed.exitCode()).as(consumed.err()).isZero();
      assertThat(consumed.lines()).hasSize(2);
      assertThat(consumed.lines().get(0).split(" +"))
          .containsExactly(
              "RECORDS", "SECONDS", "RECORDS/S", "MB/S", "P50-MS", "P99-MS", "P99.9-MS", "MAX-MS");
      assertThat(consumed.lines().get(1).split(" +")).hasSize(8);
      assertThat(consumed.lines().get(1)).startsWith("400 ");

      Cli.Result tooMany =
          Cli.on(
              broker.bootstrap(),
              "perf",
              "consume",
              "-t",
              "load",
              "--num-records",
              "500",
              "--timeout-ms",
              "1000",
              "-o",
              "json");
      assertThat(tooMany.exitCode()).isEqualTo(1);
      assertThat(tooMany.json().get("records").asLong()).isEqualTo(400);
      assertThat(tooMany.json().get("bytes").asLong()).isEqualTo(400 * 50);
      assertThat(tooMany.err().lines().filter(l -> l.startsWith("ferry: error:")).toList())
          .containsExactly(
              "ferry: error: consumed only 400 of 500 records: none arrived for 1000 ms");
    }
  }

  private static void assertPercentiles(JsonNode latency) {
    double p50 = latency.get("p50").asDouble();
    double p99 = latency.get("p99").asDouble();
    double p999 = latency.get("p99.9").asDouble();
    double max = latency.get("max").asDouble();
    assertThat(p50).isPositive();
    assertThat(p50).isLessThanOrEqualTo(p99);
    assertThat(p99).isLessThanOrEqualTo(p999);
    assertThat(p999).isLessThanOrEqualTo(max);
    assertThat(max).isLessThan(20_000);
  }
}
