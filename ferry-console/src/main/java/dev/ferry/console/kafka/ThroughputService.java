package dev.ferry.console.kafka;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsSpec;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * The counters behind the live charts, read now; the page turns two readings into rates. Bytes in
 * per topic, network bytes and request latency per API are the broker's own metric values (read
 * from its registry in process, not scraped as text); records in per topic are the growth of the
 * log end offsets, records consumed the growth of the groups' committed offsets, both asked through
 * the signed-in user's Admin client so they show only what that user may describe.
 */
public final class ThroughputService {

  /** Latency counters of one API: requests completed and their summed seconds. */
  public record Latency(long count, double sumSeconds) {}

  public record TopicCounters(long bytesIn, long bytesOut, long recordsIn, long recordsConsumed) {}

  public record Sample(
      long timeMs,
      boolean brokerMetrics,
      Map<String, TopicCounters> topics,
      long networkBytesIn,
      long networkBytesOut,
      Map<String, Latency> latency) {}

  /** Bounds the work one reading may cost on a large cluster. */
  private static final int MAX_GROUPS = 50;

  private final PrometheusRegistry registry;
  private final long timeoutMs;

  /**
   * @param registry the broker's metrics, or null when the broker keeps none
   */
  public ThroughputService(PrometheusRegistry registry, long timeoutMs) {
    this.registry = registry;
    this.timeoutMs = timeoutMs;
  }

  public Sample sample(Admin admin) {
    Map<String, Long> bytesIn = new HashMap<>();
    Map<String, Long> bytesOut = new HashMap<>();
    Map<String, Latency> latency = new TreeMap<>();
    long netIn = 0;
    long netOut = 0;
    if (registry != null) {
      for (MetricSnapshot s :
          registry.scrape(
              name ->
                  name.startsWith("ferry_topic_bytes_in")
                      || name.startsWith("ferry_topic_bytes_out")
                      || name.startsWith("ferry_network_received_bytes")
                      || name.startsWith("ferry_network_sent_bytes")
                      || name.startsWith("ferry_request_latency_seconds"))) {
        String name = s.getMetadata().getPrometheusName();
        if (s instanceof CounterSnapshot c) {
          for (CounterSnapshot.CounterDataPointSnapshot p : c.getDataPoints()) {
            if (name.startsWith("ferry_topic_bytes_in")) {
              bytesIn.put(p.getLabels().get("topic"), (long) p.getValue());
            } else if (name.startsWith("ferry_topic_bytes_out")) {
              bytesOut.put(p.getLabels().get("topic"), (long) p.getValue());
            } else if (name.startsWith("ferry_network_received_bytes")) {
              netIn = (long) p.getValue();
            } else if (name.startsWith("ferry_network_sent_bytes")) {
              netOut = (long) p.getValue();
            }
          }
        } else if (s instanceof HistogramSnapshot h) {
          for (HistogramSnapshot.HistogramDataPointSnapshot p : h.getDataPoints()) {
            if (p.getCount() > 0) {
              latency.put(p.getLabels().get("api"), new Latency(p.getCount(), p.getSum()));
            }
          }
        }
      }
    }
    Map<String, Long> recordsIn = new HashMap<>();
    Map<String, TopicDescription> topics = ClusterService.describeAll(admin, timeoutMs);
    Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
    for (TopicDescription t : topics.values()) {
      if (t.isInternal()) {
        continue;
      }
      for (TopicPartitionInfo p : t.partitions()) {
        specs.put(new TopicPartition(t.name(), p.partition()), OffsetSpec.latest());
      }
    }
    Offsets.of(admin, specs, timeoutMs)
        .forEach((tp, o) -> recordsIn.merge(tp.topic(), o, Long::sum));
    Map<String, Long> consumed = consumed(admin);
    Map<String, TopicCounters> out = new TreeMap<>();
    for (String topic : recordsIn.keySet()) {
      out.put(
          topic,
          new TopicCounters(
              bytesIn.getOrDefault(topic, 0L),
              bytesOut.getOrDefault(topic, 0L),
              recordsIn.getOrDefault(topic, 0L),
              consumed.getOrDefault(topic, 0L)));
    }
    return new Sample(System.currentTimeMillis(), registry != null, out, netIn, netOut, latency);
  }

  /** Committed offsets summed per topic over the consumer groups (the first {@code MAX_GROUPS}). */
  private Map<String, Long> consumed(Admin admin) {
    List<String> groups = new ArrayList<>();
    for (var g : KafkaCalls.await(admin.listGroups().all(), timeoutMs)) {
      GroupType type = g.type().orElse(GroupType.CLASSIC);
      if ((type == GroupType.CONSUMER || type == GroupType.CLASSIC) && groups.size() < MAX_GROUPS) {
        groups.add(g.groupId());
      }
    }
    Map<String, Long> out = new HashMap<>();
    if (groups.isEmpty()) {
      return out;
    }
    Map<String, ListConsumerGroupOffsetsSpec> specs = new HashMap<>();
    groups.forEach(g -> specs.put(g, new ListConsumerGroupOffsetsSpec()));
    Map<String, Map<TopicPartition, OffsetAndMetadata>> all =
        KafkaCalls.await(admin.listConsumerGroupOffsets(specs).all(), timeoutMs);
    for (Map<TopicPartition, OffsetAndMetadata> offsets : all.values()) {
      offsets.forEach(
          (tp, o) -> {
            if (o != null) {
              out.merge(tp.topic(), o.offset(), Long::sum);
            }
          });
    }
    return out;
  }
}
