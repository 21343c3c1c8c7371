package dev.ferry.coordinator.group;

import dev.ferry.storage.AppendResult;
import dev.ferry.storage.PartitionLog;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntSupplier;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;

/**
 * The coordinator's view of one {@code __consumer_offsets} partition: where group records are
 * appended and, when the coordinator takes over the partition, read back.
 *
 * <p>This indirection is what makes coordinators movable: the broker hands the coordinator the log
 * of each offsets partition it leads. With replication, {@link #append} should complete only once
 * the records are committed (high watermark), which the broker can implement without changing the
 * coordinator.
 */
public interface CoordinatorLog {

  /**
   * Appends the records (offsets are assigned in place). Completes with the append result when the
   * records are durable; completes exceptionally (a Kafka {@code ApiException} where possible) if
   * they were not written. Must not block for long: it is called on network threads.
   */
  CompletableFuture<AppendResult> append(MemoryRecords records);

  long logStartOffset();

  long logEndOffset();

  /** Whole batches from the one containing {@code offset}, at least one batch if any remains. */
  Records read(long offset, int maxBytes);

  /**
   * A log appended to and read from directly, stamping batches with the partition's current leader
   * epoch. The append is a page-cache write on the calling thread, like a produce.
   */
  static CoordinatorLog of(PartitionLog log, IntSupplier leaderEpoch) {
    return new CoordinatorLog() {
      @Override
      public CompletableFuture<AppendResult> append(MemoryRecords records) {
        try {
          return CompletableFuture.completedFuture(log.append(records, leaderEpoch.getAsInt()));
        } catch (RuntimeException e) {
          return CompletableFuture.failedFuture(e);
        }
      }

      @Override
      public long logStartOffset() {
        return log.logStartOffset();
      }

      @Override
      public long logEndOffset() {
        return log.logEndOffset();
      }

      @Override
      public Records read(long offset, int maxBytes) {
        return log.read(offset, maxBytes, log.logEndOffset(), true).records();
      }

      @Override
      public String toString() {
        return log.toString();
      }
    };
  }
}
