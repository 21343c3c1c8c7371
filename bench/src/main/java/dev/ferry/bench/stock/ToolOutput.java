package dev.ferry.bench.stock;

import java.util.List;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the summary lines that Kafka 4.4's stock perf tools print. Their formats are the tools' own
 * (kafka-tools 4.4.0); a line that does not match means the tool failed or changed, and the caller
 * reports that instead of a number.
 */
final class ToolOutput {

  /** ProducerPerformance's final line: throughput and the acknowledgement latency distribution. */
  private static final Pattern PRODUCER =
      Pattern.compile(
          "(\\d+) records sent, ([\\d.]+) records/sec \\(([\\d.]+) MB/sec\\), ([\\d.]+) ms avg"
              + " latency, ([\\d.]+) ms max latency, (\\d+) ms 50th, (\\d+) ms 95th, (\\d+) ms"
              + " 99th, (\\d+) ms 99.9th\\.");

  private static final Pattern E2E_AVG = Pattern.compile("Avg latency: ([\\d.]+) ms");
  private static final Pattern E2E_PERCENTILES =
      Pattern.compile("Percentiles: 50th = (\\d+), 99th = (\\d+), 99.9th = (\\d+)");

  private ToolOutput() {}

  /** Throughput and latency (ms) of one tool run. */
  record Summary(
      long records,
      double recordsPerSecond,
      double avgMs,
      double p50Ms,
      double p99Ms,
      double p999Ms,
      double maxMs) {}

  static Summary producer(List<String> lines) {
    for (int i = lines.size() - 1; i >= 0; i--) {
      Matcher m = PRODUCER.matcher(lines.get(i));
      if (m.find()) {
        return new Summary(
            Long.parseLong(m.group(1)),
            Double.parseDouble(m.group(2)),
            Double.parseDouble(m.group(4)),
            Double.parseDouble(m.group(6)),
            Double.parseDouble(m.group(8)),
            Double.parseDouble(m.group(9)),
            Double.parseDouble(m.group(5)));
      }
    }
    throw new IllegalStateException("no ProducerPerformance summary line in: " + tail(lines));
  }

  /**
   * ConsumerPerformance with {@code --hide-header}: "start, end, MB, MB/s, records, records/s,
   * rebalance ms, fetch ms, fetch MB/s, fetch records/s". The fetch rate leaves out the group join,
   * which is the client's time, not the broker's work.
   */
  static Summary consumer(List<String> lines) {
    for (int i = lines.size() - 1; i >= 0; i--) {
      String[] f = lines.get(i).split(",\\s*");
      if (f.length == 10 && f[4].matches("\\d+")) {
        return new Summary(
            Long.parseLong(f[4]),
            Double.parseDouble(f[9]),
            Double.NaN,
            Double.NaN,
            Double.NaN,
            Double.NaN,
            Double.NaN);
      }
    }
    throw new IllegalStateException("no ConsumerPerformance data line in: " + tail(lines));
  }

  /** EndToEndLatency: one record at a time, produced then consumed, integer-ms percentiles. */
  static Summary endToEnd(List<String> lines, long records) {
    OptionalDouble avg = OptionalDouble.empty();
    for (String line : lines) {
      Matcher a = E2E_AVG.matcher(line);
      if (a.find()) {
        avg = OptionalDouble.of(Double.parseDouble(a.group(1)));
      }
      Matcher p = E2E_PERCENTILES.matcher(line);
      if (p.find() && avg.isPresent()) {
        return new Summary(
            records,
            avg.getAsDouble() > 0 ? 1000.0 / avg.getAsDouble() : Double.NaN,
            avg.getAsDouble(),
            Double.parseDouble(p.group(1)),
            Double.parseDouble(p.group(2)),
            Double.parseDouble(p.group(3)),
            Double.NaN);
      }
    }
    throw new IllegalStateException("no EndToEndLatency summary in: " + tail(lines));
  }

  private static String tail(List<String> lines) {
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
  }
}
