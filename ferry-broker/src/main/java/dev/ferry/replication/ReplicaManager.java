package dev.ferry.replication;

import dev.ferry.storage.AppendResult;
import dev.ferry.storage.LogConfig;
import dev.ferry.storage.LogManager;
import dev.ferry.storage.PartitionLog;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions this broker leads, and the single entry point for appending to them. Today every
 * hosted partition is led here; the replication issue adds follower partitions and fetchers.
 */
public final class ReplicaManager {

  private static final Logger log = LoggerFactory.getLogger(ReplicaManager.class);

  private final LogManager logManager;
  private final ConcurrentHashMap<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();
  private final List<AppendListener> appendListeners = new CopyOnWriteArrayList<>();

  public ReplicaManager(LogManager logManager) {
    this.logManager = logManager;
  }

  public void addAppendListener(AppendListener listener) {
    appendListeners.add(listener);
  }

  /** The hosted partition, or null. Allocation-free: called per partition per request. */
  public Partition partition(TopicPartition tp) {
    return partitions.get(tp);
  }

  public Collection<Partition> partitions() {
    return partitions.values();
  }

  /**
   * Makes this broker the leader of {@code tp}, opening or creating its log. Idempotent: a known
   * partition only has its leadership facts updated.
   */
  public Partition becomeLeader(
      TopicPartition tp, Uuid topicId, LogConfig config, int leaderEpoch, List<Integer> replicas) {
    return partitions.compute(
        tp,
        (key, existing) -> {
          if (existing != null) {
            existing.updateLeadership(leaderEpoch, replicas);
            return existing;
          }
          PartitionLog partitionLog = logManager.getOrCreate(tp, config);
          partitionLog.assignLeaderEpoch(leaderEpoch);
          partitionLog.updateHighWatermark(partitionLog.logEndOffset());
          log.debug("Leading {} at epoch {}", tp, leaderEpoch);
          return new Partition(tp, topicId, partitionLog, leaderEpoch, replicas);
        });
  }

  /** Stops hosting {@code tp}; with {@code deleteLog} its data is removed from disk. */
  public void removePartition(TopicPartition tp, boolean deleteLog) {
    Partition removed = partitions.remove(tp);
    if (deleteLog) {
      logManager.delete(tp);
    } else if (removed != null) {
      log.debug("No longer hosting {}", tp);
    }
  }

  /**
   * Appends a producer's batches to a partition led here and wakes waiting fetches.
   *
   * @throws NotLeaderOrFollowerException if the partition is not hosted here
   */
  public AppendResult appendAsLeader(TopicPartition tp, MemoryRecords records) {
    Partition partition = partitions.get(tp);
    if (partition == null) {
      throw new NotLeaderOrFollowerException("This broker does not lead " + tp);
    }
    PartitionLog log = partition.log();
    AppendResult result = log.append(records, partition.leaderEpoch());
    // The only replica: everything appended is committed. (Retention never deletes at or above
    // the high watermark, so it must keep up.)
    log.updateHighWatermark(log.logEndOffset());
    if (!result.duplicate()) {
      int bytes = records.sizeInBytes();
      for (AppendListener listener : appendListeners) {
        listener.onAppend(tp, bytes);
      }
    }
    return result;
  }

  public void updateConfig(TopicPartition tp, LogConfig config) {
    Partition partition = partitions.get(tp);
    if (partition != null) {
      partition.log().updateConfig(config);
    }
  }
}
