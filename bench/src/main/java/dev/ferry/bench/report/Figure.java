package dev.ferry.bench.report;

/**
 * Every number the report shows, with its unit, which direction is better, and the target for the
 * Ferry/Kafka ratio. Targets are issue 7's: broker CPU per message at most half of Kafka's,
 * throughput at least Kafka's (1.3x on "batch of 1"), p99 latency at most half, start-up at most a
 * tenth and resident memory at most half; the three-broker cluster (workload 6) has workload 3's
 * targets, and the memory one for its summed RSS. Figures without an issue target (p50, p99.9, CPU
 * while measuring latency) keep a looser "no worse than Kafka" bound. A null target marks a figure
 * shown for context only.
 */
public enum Figure {
  B1_MSGS(Section.PAPER_PRODUCER, "Batch of 1: throughput", "msg/s", Better.HIGHER, 1.3),
  B1_MBPS(Section.PAPER_PRODUCER, "Batch of 1: throughput", "MB/s", Better.HIGHER, null),
  B1_CPU(Section.PAPER_PRODUCER, "Batch of 1: broker CPU", "µs/msg", Better.LOWER, 0.5),
  B1_RPR(Section.PAPER_PRODUCER, "Batch of 1: records/request", "", Better.NEITHER, null),
  B50_MSGS(Section.PAPER_PRODUCER, "Batch of 50: throughput", "msg/s", Better.HIGHER, 1.0),
  B50_MBPS(Section.PAPER_PRODUCER, "Batch of 50: throughput", "MB/s", Better.HIGHER, null),
  B50_CPU(Section.PAPER_PRODUCER, "Batch of 50: broker CPU", "µs/msg", Better.LOWER, 0.5),
  B50_RPR(Section.PAPER_PRODUCER, "Batch of 50: records/request", "", Better.NEITHER, null),
  CONS_MSGS(Section.PAPER_CONSUMER, "Consumer throughput", "msg/s", Better.HIGHER, 1.0),
  CONS_MBPS(Section.PAPER_CONSUMER, "Consumer throughput", "MB/s", Better.HIGHER, null),
  CONS_CPU(Section.PAPER_CONSUMER, "Broker CPU", "µs/msg", Better.LOWER, 0.5),
  MOD_MSGS(Section.MODERN, "Throughput", "msg/s", Better.HIGHER, 1.0),
  MOD_MBPS(Section.MODERN, "Throughput", "MB/s", Better.HIGHER, null),
  MOD_CPU(Section.MODERN, "Broker CPU", "µs/msg", Better.LOWER, 0.5),
  MOD_COMPRESSION(Section.MODERN, "lz4 compressed/uncompressed", "", Better.NEITHER, null),
  E2E_HIGH_RATE(Section.LATENCY, "High load: offered rate", "msg/s", Better.NEITHER, null),
  E2E_HIGH_P50(Section.LATENCY, "High load: p50", "ms", Better.LOWER, 1.0),
  E2E_HIGH_P99(Section.LATENCY, "High load: p99", "ms", Better.LOWER, 0.5),
  E2E_HIGH_P999(Section.LATENCY, "High load: p99.9", "ms", Better.LOWER, 1.5),
  E2E_HIGH_MAX(Section.LATENCY, "High load: max", "ms", Better.LOWER, null),
  E2E_HIGH_CPU(Section.LATENCY, "High load: broker CPU", "µs/msg", Better.LOWER, 1.0),
  E2E_LOW_RATE(Section.LATENCY, "Low load: offered rate", "msg/s", Better.NEITHER, null),
  E2E_LOW_P50(Section.LATENCY, "Low load: p50", "ms", Better.LOWER, 1.0),
  E2E_LOW_P99(Section.LATENCY, "Low load: p99", "ms", Better.LOWER, 0.5),
  E2E_LOW_P999(Section.LATENCY, "Low load: p99.9", "ms", Better.LOWER, 1.5),
  E2E_LOW_MAX(Section.LATENCY, "Low load: max", "ms", Better.LOWER, null),
  E2E_LOW_CPU(Section.LATENCY, "Low load: broker CPU", "µs/msg", Better.LOWER, 1.0),
  STARTUP_MS(Section.STARTUP, "Start-up to first acked produce", "ms", Better.LOWER, 0.1),
  RSS_IDLE_MB(Section.STARTUP, "RSS after start-up", "MB", Better.LOWER, null),
  RSS_MODERN_MB(Section.STARTUP, "RSS after workload 3", "MB", Better.LOWER, 0.5),
  CLUSTER_MSGS(Section.CLUSTER, "Throughput", "msg/s", Better.HIGHER, 1.0),
  CLUSTER_MBPS(Section.CLUSTER, "Throughput", "MB/s", Better.HIGHER, null),
  CLUSTER_RPR(Section.CLUSTER, "Records per request", "", Better.NEITHER, null),
  CLUSTER_CPU(Section.CLUSTER, "CPU, sum of the cluster's processes", "µs/msg", Better.LOWER, 0.5),
  CLUSTER_ZK_CPU(Section.CLUSTER, "… of which ZooKeeper", "µs/msg", Better.LOWER, null),
  CLUSTER_JIT_CPU(Section.CLUSTER, "… of which JIT compiler threads", "µs/msg", Better.LOWER, null),
  CLUSTER_RSS_MB(Section.CLUSTER, "RSS after the workload, sum", "MB", Better.LOWER, 0.5),
  CLUSTER_STARTUP_MS(
      Section.CLUSTER, "Start-up: launch → all brokers registered", "ms", Better.LOWER, null);

  /** Which way a figure improves. */
  public enum Better {
    HIGHER,
    LOWER,
    NEITHER
  }

  private final Section section;
  private final String label;
  private final String unit;
  private final Better better;
  private final Double targetRatio;

  Figure(Section section, String label, String unit, Better better, Double targetRatio) {
    this.section = section;
    this.label = label;
    this.unit = unit;
    this.better = better;
    this.targetRatio = targetRatio;
  }

  public Section section() {
    return section;
  }

  public String label() {
    return label;
  }

  public String unit() {
    return unit;
  }

  public Better better() {
    return better;
  }

  /** Label with unit, as a table row heading. */
  public String heading() {
    return unit.isEmpty() ? label : label + " (" + unit + ")";
  }

  public boolean hasTarget() {
    return targetRatio != null && better != Better.NEITHER;
  }

  /** "≥ 0.90×" or "≤ 1.10×"; "" without a target. */
  public String targetText() {
    if (!hasTarget()) {
      return "";
    }
    return String.format("%s %.2f×", better == Better.HIGHER ? "≥" : "≤", targetRatio);
  }

  /** Whether a Ferry/Kafka ratio meets this figure's target. */
  public boolean meets(double ratio) {
    if (!hasTarget()) {
      return true;
    }
    return better == Better.HIGHER ? ratio >= targetRatio : ratio <= targetRatio;
  }
}
