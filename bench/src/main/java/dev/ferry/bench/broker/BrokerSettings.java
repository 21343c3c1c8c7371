package dev.ferry.bench.broker;

import java.util.List;
import java.util.Map;

/**
 * Settings applied identically to both brokers, so any difference in the numbers comes from the
 * broker itself.
 *
 * @param heap JVM heap, used for both -Xms and -Xmx (e.g. "1g")
 * @param jvmFlags extra JVM flags for both brokers (GC choice etc.)
 * @param segmentBytes log.segment.bytes
 * @param flushIntervalMessages log.flush.interval.messages (Long.MAX_VALUE: leave flushing to the
 *     OS)
 * @param numPartitions num.partitions for auto-created topics
 * @param extraConfig further broker configs by Kafka name, applied to this broker only
 */
public record BrokerSettings(
    String heap,
    List<String> jvmFlags,
    long segmentBytes,
    long flushIntervalMessages,
    int numPartitions,
    Map<String, String> extraConfig) {

  /** Kafka config names and values both brokers get. */
  public Map<String, String> commonConfig() {
    return Map.of(
        "log.segment.bytes", Long.toString(segmentBytes),
        "log.flush.interval.messages", Long.toString(flushIntervalMessages),
        "num.partitions", Integer.toString(numPartitions),
        "auto.create.topics.enable", "true");
  }
}
