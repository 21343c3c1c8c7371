package dev.ferry.embedded;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The broker properties an embedded broker starts with: a test broker should start in a fraction of
 * a second and stay small, and a test's first consumer group should not wait for a rebalance delay
 * meant for production clusters.
 */
final class Defaults {

  /** Chosen by {@link EmbeddedFerry} for each broker. */
  static final Set<String> PER_BROKER = Set.of("broker.id", "listeners", "log.dirs", "log.dir");

  private Defaults() {}

  static Map<String, String> brokerProperties(int brokers) {
    Map<String, String> p = new LinkedHashMap<>();
    // One selector thread is plenty for a test's few connections.
    p.put("num.network.threads", "1");
    // Index files are preallocated (sparse) to this size per segment; 1 MiB instead of 10.
    p.put("log.index.size.max.bytes", String.valueOf(1 << 20));
    // Kafka's test clusters do the same: the first group joins at once instead of after 3 s.
    p.put("group.initial.rebalance.delay.ms", "0");
    // The offsets topic is created on a test's first group: 5 partitions open faster than 50.
    p.put("offsets.topic.num.partitions", "5");
    p.put("offsets.topic.replication.factor", String.valueOf(Math.min(3, brokers)));
    // No Prometheus endpoint (0 is off; said here so that nobody turns it on by accident).
    p.put("metrics.port", "0");
    return p;
  }
}
