package dev.ferry.bench.report;

/** The report's tables, one per workload, in report order. */
public enum Section {
  PAPER_PRODUCER(
      "1. Producer, the paper's test",
      "200-byte messages, 1 partition, acks=1, no compression. \"Batch of 1\": batch.size=1, so"
          + " each Produce request carries exactly one message (a request holds at most one batch"
          + " per partition), linger.ms=0, up to 5 requests in flight. \"Batch of 50\": batch.size"
          + " fits 50 records and not 51, linger.ms=1000. records/request is the producer's own"
          + " records-per-request-avg metric."),
  PAPER_CONSUMER(
      "2. Consumer, the paper's test",
      "Reads the batch-of-50 topic back from offset 0 with a default consumer (assign, no group);"
          + " offsets and sizes are checked."),
  MODERN(
      "3. Producer, modern defaults",
      "1 KB log-like text messages, 6 partitions, acks=all, idempotent, lz4, default linger.ms (5)"
          + " and batch.size (16 KiB). MB/s counts uncompressed payload."),
  LATENCY(
      "4. End-to-end latency",
      "Produce → consume in one JVM, timestamp in the payload, measured from the scheduled send"
          + " time (no coordinated omission). Workload 3's producer settings with linger.ms=0."
          + " Offered load: half of"
          + " Kafka's workload 3 throughput in the same round (both brokers get the same), and a"
          + " low rate."),
  STARTUP(
      "5. Start-up and memory",
      "Start-up: process launch → first acknowledged produce (Kafka's storage format runs before,"
          + " untimed). RSS: VmRSS of the broker process."),
  CLUSTER(
      "6. Three-broker cluster, RF 3",
      "Workload 3's producer (1 KB text, acks=all, idempotent, lz4, default linger.ms and"
          + " batch.size) against three brokers of each system on loopback: topic with 6"
          + " partitions, replication factor 3, min.insync.replicas=2, created once every broker"
          + " is registered; the workload starts when every partition has a leader and 3 in-sync"
          + " replicas. CPU and RSS are sums over all processes of the cluster: Ferry's include"
          + " the ZooKeeper it needs (shown alone too); Kafka's controller runs inside node 1."
          + " Runs in its own rounds after the single-node ones (see Settings for the layout).");

  private final String title;
  private final String description;

  Section(String title, String description) {
    this.title = title;
    this.description = description;
  }

  public String title() {
    return title;
  }

  public String description() {
    return description;
  }
}
