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
 * @param extraListeners security protocols (SSL, SASL_PLAINTEXT, SASL_SSL) each served on a
 *     listener of its own name next to PLAINTEXT, on a free loopback port; their security settings
 *     go in {@code extraConfig}
 */
public record BrokerSettings(
    String heap,
    List<String> jvmFlags,
    long segmentBytes,
    long flushIntervalMessages,
    int numPartitions,
    Map<String, String> extraConfig,
    List<String> extraListeners) {

  /** The GC flags of Kafka's start script, which the suite gives both brokers by default. */
  public static final List<String> KAFKA_GC_FLAGS =
      List.of(
          "-XX:+UseG1GC",
          "-XX:MaxGCPauseMillis=20",
          "-XX:InitiatingHeapOccupancyPercent=35",
          "-XX:+ExplicitGCInvokesConcurrent");

  /**
   * What the single-broker workloads share: a 1 GiB heap, G1 with 20 ms pauses, 1 GiB segments,
   * flushing left to the OS, 1 partition per auto-created topic, and {@code extraConfig}.
   */
  public static BrokerSettings singleBroker(Map<String, String> extraConfig) {
    return new BrokerSettings(
        "1g",
        List.of("-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20"),
        1L << 30,
        Long.MAX_VALUE,
        1,
        extraConfig);
  }

  /** Settings with the PLAINTEXT listener only. */
  public BrokerSettings(
      String heap,
      List<String> jvmFlags,
      long segmentBytes,
      long flushIntervalMessages,
      int numPartitions,
      Map<String, String> extraConfig) {
    this(
        heap, jvmFlags, segmentBytes, flushIntervalMessages, numPartitions, extraConfig, List.of());
  }

  /** Kafka config names and values both brokers get. */
  public Map<String, String> commonConfig() {
    return Map.of(
        "log.segment.bytes", Long.toString(segmentBytes),
        "log.flush.interval.messages", Long.toString(flushIntervalMessages),
        "num.partitions", Integer.toString(numPartitions),
        "auto.create.topics.enable", "true");
  }
}
