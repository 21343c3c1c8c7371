package dev.ferry.metrics;

import dev.ferry.replication.AppendListener;
import dev.ferry.replication.Partition;
import dev.ferry.replication.ReplicaManager;
import dev.ferry.server.fetch.ConsumerBytesListener;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.TopicPartition;

/**
 * Bytes appended per topic ({@code ferry_topic_bytes_in_total}), fed by the append path, and record
 * bytes sent to consumers per topic ({@code ferry_topic_bytes_out_total}), fed by the fetch path.
 *
 * <p>An append, or a topic in a consumer's fetch answer, costs one map lookup keyed by the topic
 * name already at hand (no string is built) and one {@link LongAdder} increment. The counters are
 * read at scrape time, when topics this broker no longer hosts are dropped, so deleted topics do
 * not linger as series.
 */
public final class TopicMetrics implements AppendListener, ConsumerBytesListener {

  private final ConcurrentHashMap<String, LongAdder> bytesIn = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, LongAdder> bytesOut = new ConcurrentHashMap<>();
  private final ReplicaManager replicaManager;

  public TopicMetrics(PrometheusRegistry registry, ReplicaManager replicaManager) {
    this.replicaManager = replicaManager;
    CounterWithCallback.builder()
        .name("ferry_topic_bytes_in_total")
        .help("Record batch bytes appended to this broker's partitions, by topic")
        .labelNames("topic")
        .callback(
            callback -> {
              pruneUnhosted();
              bytesIn.forEach((topic, bytes) -> callback.call(bytes.sum(), topic));
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("ferry_topic_bytes_out_total")
        .help("Record batch bytes sent to consumers from this broker's partitions, by topic")
        .labelNames("topic")
        .callback(
            callback -> {
              pruneUnhosted();
              bytesOut.forEach((topic, bytes) -> callback.call(bytes.sum(), topic));
            })
        .register(registry);
  }

  @Override
  public void onAppend(TopicPartition partition, int bytes) {
    add(bytesIn, partition.topic(), bytes);
  }

  @Override
  public void onConsumerBytes(String topic, long bytes) {
    add(bytesOut, topic, bytes);
  }

  private static void add(ConcurrentHashMap<String, LongAdder> counters, String topic, long n) {
    LongAdder adder = counters.get(topic);
    if (adder == null) {
      adder = counters.computeIfAbsent(topic, t -> new LongAdder());
    }
    adder.add(n);
  }

  /** The bytes appended to {@code topic} so far (0 if none). */
  public long bytesIn(String topic) {
    LongAdder adder = bytesIn.get(topic);
    return adder == null ? 0 : adder.sum();
  }

  /** The record bytes sent to consumers from {@code topic} so far (0 if none). */
  public long bytesOut(String topic) {
    LongAdder adder = bytesOut.get(topic);
    return adder == null ? 0 : adder.sum();
  }

  private void pruneUnhosted() {
    Set<String> hosted = new HashSet<>();
    for (Partition p : replicaManager.partitions()) {
      hosted.add(p.topicPartition().topic());
    }
    bytesIn.keySet().retainAll(hosted);
    bytesOut.keySet().retainAll(hosted);
  }
}
