package dev.ferry.replication;

import dev.ferry.storage.PartitionLog;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

/**
 * A partition this broker hosts: its log plus the leadership facts the protocol layer needs.
 *
 * <p>With a single replica the high watermark is the log end offset; replication replaces {@link
 * #highWatermark()} with the ISR-acknowledged offset without changing callers.
 */
public final class Partition {

  private final TopicPartition topicPartition;
  private final Uuid topicId;
  private final PartitionLog log;
  private volatile int leaderEpoch;
  private volatile List<Integer> replicas;

  Partition(
      TopicPartition topicPartition,
      Uuid topicId,
      PartitionLog log,
      int leaderEpoch,
      List<Integer> replicas) {
    this.topicPartition = topicPartition;
    this.topicId = topicId;
    this.log = log;
    this.leaderEpoch = leaderEpoch;
    this.replicas = List.copyOf(replicas);
  }

  public TopicPartition topicPartition() {
    return topicPartition;
  }

  public Uuid topicId() {
    return topicId;
  }

  public PartitionLog log() {
    return log;
  }

  public int leaderEpoch() {
    return leaderEpoch;
  }

  public List<Integer> replicas() {
    return replicas;
  }

  /** The offset below which records are committed and visible to consumers. */
  public long highWatermark() {
    return log.logEndOffset();
  }

  void updateLeadership(int leaderEpoch, List<Integer> replicas) {
    this.leaderEpoch = leaderEpoch;
    this.replicas = List.copyOf(replicas);
  }
}
