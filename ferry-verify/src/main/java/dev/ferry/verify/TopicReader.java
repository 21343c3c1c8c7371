package dev.ferry.verify;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads workload records: maps a consumed record to its {@link RecordId} (telling apart other runs
 * sharing the topic by the run tag in the key), and reads whole partitions from the beginning to
 * their end offsets.
 */
public final class TopicReader {

  private final String topic;
  private final int partitions;
  private final byte[] runTag;

  /**
   * @param runTag the key every record of this run carries, or null if the topic holds one run only
   *     (records are then told apart by their value alone)
   */
  public TopicReader(String topic, int partitions, String runTag) {
    this.topic = topic;
    this.partitions = partitions;
    this.runTag = runTag == null ? null : runTag.getBytes(StandardCharsets.UTF_8);
  }

  /** The key this run's records carry (null: none). */
  byte[] runTag() {
    return runTag;
  }

  /** The id of a consumed record, {@link RecordId#OTHER_RUN} or {@link RecordId#NONE}. */
  public long idOf(ConsumerRecord<byte[], byte[]> record) {
    if (runTag != null && !Arrays.equals(runTag, record.key())) {
      return RecordId.OTHER_RUN;
    }
    return RecordId.parse(record.value());
  }

  public List<TopicPartition> partitions() {
    List<TopicPartition> tps = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      tps.add(new TopicPartition(topic, p));
    }
    return tps;
  }

  /** Fresh, empty histories, one per partition. */
  public PartitionHistory[] emptyHistories() {
    PartitionHistory[] result = new PartitionHistory[partitions];
    for (int i = 0; i < result.length; i++) {
      result[i] = new PartitionHistory();
    }
    return result;
  }

  /**
   * Reads every partition from its log start to the end offset it had when the read began (the high
   * watermark, or the last stable offset for a read_committed consumer) within {@code timeout}.
   */
  public PartitionHistory[] readAll(KafkaConsumer<byte[], byte[]> consumer, Duration timeout) {
    PartitionHistory[] result = emptyHistories();
    long deadline = System.nanoTime() + timeout.toNanos();
    List<TopicPartition> tps = partitions();
    consumer.assign(tps);
    consumer.seekToBeginning(tps);
    Map<TopicPartition, Long> end = consumer.endOffsets(tps, timeout);
    while (!reachedEnd(consumer, end)) {
      if (System.nanoTime() - deadline > 0) {
        throw new IllegalStateException(
            "The read did not reach the end offsets " + end + " within " + timeout);
      }
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
        if (r.offset() < end.get(new TopicPartition(r.topic(), r.partition()))) {
          result[r.partition()].observe(r.offset(), idOf(r));
        }
      }
    }
    return result;
  }

  private static boolean reachedEnd(
      KafkaConsumer<byte[], byte[]> consumer, Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (consumer.position(e.getKey(), Duration.ofSeconds(10)) < e.getValue()) {
        return false;
      }
    }
    return true;
  }
}
