package dev.ferry.metrics;

import dev.ferry.replication.Partition;
import dev.ferry.replication.ReplicaManager;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;

/**
 * Partition and log gauges, read from the {@link ReplicaManager} at scrape time only: nothing here
 * runs on a request's path.
 *
 * <p>{@code ferry_partition_log_end_offset} grows by one per record appended, so {@code rate(...)}
 * of it, summed by topic, is the messages-in rate without counting records on the produce path.
 */
public final class PartitionMetrics {

  public PartitionMetrics(PrometheusRegistry registry, ReplicaManager replicaManager) {
    GaugeWithCallback.builder()
        .name("ferry_partitions")
        .help("Partitions hosted by this broker")
        .callback(cb -> cb.call(replicaManager.partitions().size()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("ferry_under_replicated_partitions")
        .help("Partitions led here whose in-sync replicas are fewer than their replicas")
        .callback(cb -> cb.call(underReplicated(replicaManager)))
        .register(registry);
    GaugeWithCallback.builder()
        .name("ferry_partition_log_size_bytes")
        .help("Bytes on disk in a partition's log segments")
        .unit(Unit.BYTES)
        .labelNames("topic", "partition")
        .callback(
            cb -> {
              for (Partition p : replicaManager.partitions()) {
                cb.call(p.sizeInBytes(), labels(p));
              }
            })
        .register(registry);
    GaugeWithCallback.builder()
        .name("ferry_partition_log_end_offset")
        .help("Offset the next record appended to the partition gets")
        .labelNames("topic", "partition")
        .callback(
            cb -> {
              for (Partition p : replicaManager.partitions()) {
                cb.call(p.logEndOffset(), labels(p));
              }
            })
        .register(registry);
    GaugeWithCallback.builder()
        .name("ferry_partition_high_watermark")
        .help("Offset below which the partition's records are committed, as this replica knows it")
        .labelNames("topic", "partition")
        .callback(
            cb -> {
              for (Partition p : replicaManager.partitions()) {
                cb.call(p.highWatermark(), labels(p));
              }
            })
        .register(registry);
    GaugeWithCallback.builder()
        .name("ferry_partition_log_start_offset")
        .help("First offset still held in the partition's log")
        .labelNames("topic", "partition")
        .callback(
            cb -> {
              for (Partition p : replicaManager.partitions()) {
                cb.call(p.logStartOffset(), labels(p));
              }
            })
        .register(registry);
  }

  private static String[] labels(Partition p) {
    return new String[] {
      p.topicPartition().topic(), Integer.toString(p.topicPartition().partition())
    };
  }

  private static int underReplicated(ReplicaManager replicaManager) {
    int n = 0;
    for (Partition p : replicaManager.partitions()) {
      if (p.isLeader() && p.isr().size() < p.replicas().size()) {
        n++;
      }
    }
    return n;
  }
}
