package dev.ferry.metrics;

import dev.ferry.replication.AppendListener;
import dev.ferry.replication.Partition;
import dev.ferry.replication.ReplicaManager;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.TopicPartition;

/**
 * Bytes appended per topic ({@code ferry_topic_bytes_in_total}), fed by the append path.
 *
 * <p>An append costs one map lookup keyed by the topic name the partition already holds (no string
 * is built) and one {@link LongAdder} increment. The counters are read at scrape time, when topics
 * this broker no longer hosts are dropped, so deleted topics do not linger as series.
 */
public final class TopicMetrics implements AppendListener {

  private final ConcurrentHashMap<String, LongAdder> bytesIn = new ConcurrentHashMap<>();
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
  }

  @Override
  public void onAppend(TopicPartition partition, int bytes) {
    LongAdder adder = bytesIn.get(partition.topic());
    if (adder == null) {
      adder = bytesIn.computeIfAbsent(partition.topic(), t -> new LongAdder());
    }
    adder.add(bytes);
  }

  /** The bytes counted for {@code topic} so far (0 if none). */
  public long bytesIn(String topic) {
    LongAdder adder = bytesIn.get(topic);
    return adder == null ? 0 : adder.sum();
  }

  private void pruneUnhosted() {
    Set<String> hosted = new HashSet<>();
    for (Partition p : replicaManager.partitions()) {
      hosted.add(p.topicPartition().topic());
    }
    bytesIn.keySet().retainAll(hosted);
  }
}
