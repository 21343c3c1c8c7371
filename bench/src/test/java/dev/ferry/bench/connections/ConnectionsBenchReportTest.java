package dev.ferry.bench.connections;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConnectionsBenchReportTest {

  private static ActiveClients.Result result(double p99, double max) {
    return new ActiveClients.Result(2000, 2000, 1, p99, p99 * 2, p99 * 3, max);
  }

  private static ConnectionsBench.Run run(String broker, double heapPerIdle) {
    return new ConnectionsBench.Run(
        broker,
        1.0,
        2.0,
        result(10, 50_000),
        result(12, 45_000),
        result(10, 50_000),
        3.0,
        4_000,
        heapPerIdle,
        5.0,
        6.0,
        0,
        List.of("dev.ferry.network.Connection: 100.0 B, 1.00 instances per connection"));
  }

  @Test
  void reportHasMediansRatiosAndEveryRun() {
    ConnectionsBench bench = new ConnectionsBench(Path.of("k"), Path.of("f"), 10_000, 50, 2000, 1);
    bench.runs.add(run("kafka", 3_000));
    bench.runs.add(run("ferry", 1_000));
    bench.runs.add(run("ferry", 1_400));
    bench.runs.add(run("kafka", 3_400));

    String md = bench.report("abc1234");

    assertThat(md)
        .contains("| live heap per idle connection (bytes) | 3,200 | 1,200 | 0.38× |")
        .contains("| p99 with idle / mean of both alone (same run) | 1.20 | 1.20 | 1.00× |")
        .contains("| unpaced throughput with idle / mean of both alone | 0.90 | 0.90 | 1.00× |")
        .contains("- ferry (load 1.0 → 2.0)")
        .contains("  - dev.ferry.network.Connection: 100.0 B");
  }
}
