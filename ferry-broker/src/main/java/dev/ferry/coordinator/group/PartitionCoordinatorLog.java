package dev.ferry.coordinator.group;

import dev.ferry.replication.FetchParams;
import dev.ferry.replication.Partition;
import dev.ferry.replication.ReplicaManager;
import dev.ferry.storage.AppendResult;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;

/**
 * A coordinator's log on a partition this broker leads: appends as leader and completes once the
 * high watermark covers the write (an acknowledged decision survives a leader change), reads the
 * whole local log for loading. Used by both the group and the transaction coordinator.
 */
public final class PartitionCoordinatorLog implements CoordinatorLog {

  private final TopicPartition tp;
  private final Partition partition;
  private final ReplicaManager replicaManager;
  private final long writeTimeoutMs;

  public PartitionCoordinatorLog(
      TopicPartition tp, Partition partition, ReplicaManager replicaManager, long writeTimeoutMs) {
    this.tp = tp;
    this.partition = partition;
    this.replicaManager = replicaManager;
    this.writeTimeoutMs = writeTimeoutMs;
  }

  @Override
  public CompletableFuture<AppendResult> append(MemoryRecords records) {
    AppendResult result;
    int epoch;
    try {
      epoch = partition.leaderEpoch();
      result = replicaManager.appendAsLeader(tp, records, (short) -1);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    if (result.lastOffset() < 0) {
      return CompletableFuture.completedFuture(result);
    }
    return replicaManager
        .awaitReplication(partition, epoch, result.lastOffset() + 1, writeTimeoutMs)
        .thenCompose(
            error ->
                error == Errors.NONE
                    ? CompletableFuture.completedFuture(result)
                    : CompletableFuture.failedFuture(error.exception()));
  }

  @Override
  public long logStartOffset() {
    return partition.logStartOffset();
  }

  @Override
  public long logEndOffset() {
    return partition.logEndOffset();
  }

  @Override
  public Records read(long offset, int maxBytes) {
    // The whole local log, as a coordinator loads it on becoming leader (no epoch check).
    return partition.read(FetchParams.localLogEnd(), offset, -1, maxBytes, true).records();
  }

  @Override
  public String toString() {
    return tp.toString();
  }
}
