package dev.ferry.tools.perf;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.tools.common.Json;
import dev.ferry.tools.common.Table;
import java.io.PrintWriter;
import java.util.Locale;

/** A perf run's totals: throughput and latency percentiles (milliseconds). */
record PerfSummary(
    long records,
    long bytes,
    double seconds,
    double recordsPerSecond,
    double mbPerSecond,
    double p50Ms,
    double p99Ms,
    double p999Ms,
    double maxMs) {

  void print(PrintWriter out, boolean json) {
    if (json) {
      ObjectNode node = Json.object();
      node.put("records", records);
      node.put("bytes", bytes);
      node.put("seconds", round(seconds));
      node.put("recordsPerSecond", round(recordsPerSecond));
      node.put("mbPerSecond", round(mbPerSecond));
      ObjectNode latency = node.putObject("latencyMs");
      latency.put("p50", p50Ms);
      latency.put("p99", p99Ms);
      latency.put("p99.9", p999Ms);
      latency.put("max", maxMs);
      Json.print(out, node);
      return;
    }
    new Table("RECORDS", "SECONDS", "RECORDS/S", "MB/S", "P50-MS", "P99-MS", "P99.9-MS", "MAX-MS")
        .row(
            records,
            fmt(seconds),
            fmt(recordsPerSecond),
            fmt(mbPerSecond),
            fmt(p50Ms),
            fmt(p99Ms),
            fmt(p999Ms),
            fmt(maxMs))
        .print(out);
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }
}
