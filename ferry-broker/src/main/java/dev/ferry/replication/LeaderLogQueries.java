package dev.ferry.replication;

import dev.ferry.storage.PartitionLog;
import dev.ferry.storage.TimestampOffset;
import dev.ferry.storage.txn.AbortedTxn;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.message.FetchResponseData.AbortedTransaction;
import org.apache.kafka.common.requests.DeleteRecordsRequest;
import org.apache.kafka.common.requests.ListOffsetsRequest;

/**
 * The meaning of ListOffsets, DeleteRecords and read_committed's aborted-transaction list over one
 * leader's log, given the bounds the partition holds (high watermark, visible end, leader epoch).
 * The {@link Partition} checks leadership and the caller's epoch and holds its role lock around
 * each call; this class only answers.
 */
final class LeaderLogQueries {

  private final TopicPartition topicPartition;
  private final PartitionLog log;

  LeaderLogQueries(TopicPartition topicPartition, PartitionLog log) {
    this.topicPartition = topicPartition;
    this.log = log;
  }

  /**
   * ListOffsets: the earliest offset, the latest visible one ({@code visibleEnd}), the record with
   * the largest timestamp, or the first record at or after {@code timestamp}. Tiered-storage
   * lookups find nothing (nothing is tiered); other negative values are not found either.
   */
  OffsetLookup offsetForTimestamp(long timestamp, long visibleEnd, int leaderEpoch) {
    if (timestamp == ListOffsetsRequest.EARLIEST_TIMESTAMP
        || timestamp == ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP) {
      return new OffsetLookup(log.logStartOffset(), -1, leaderEpoch);
    }
    if (timestamp == ListOffsetsRequest.LATEST_TIMESTAMP) {
      return new OffsetLookup(visibleEnd, -1, leaderEpoch);
    }
    if (timestamp < 0 && timestamp != ListOffsetsRequest.MAX_TIMESTAMP) {
      return OffsetLookup.notFound();
    }
    TimestampOffset found =
        timestamp == ListOffsetsRequest.MAX_TIMESTAMP
            ? log.maxTimestamp()
            : log.offsetForTimestamp(timestamp);
    return found == null
        ? OffsetLookup.notFound()
        : new OffsetLookup(found.offset(), found.timestamp(), leaderEpoch);
  }

  /**
   * DeleteRecords: moves the log start offset to {@code offset} ({@code -1}: the high watermark),
   * which must not pass the high watermark (records not yet replicated cannot be deleted: a new
   * leader could still have them).
   *
   * @return the new log start offset (the low watermark)
   * @throws OffsetOutOfRangeException if {@code offset} is negative or beyond the high watermark
   */
  long deleteRecords(long offset, long highWatermark) {
    long target = offset == DeleteRecordsRequest.HIGH_WATERMARK ? highWatermark : offset;
    if (target < 0 || target > highWatermark) {
      throw new OffsetOutOfRangeException(
          "Cannot delete records of "
              + topicPartition
              + " before "
              + target
              + "; high watermark is "
              + highWatermark);
    }
    return log.advanceLogStartOffset(target);
  }

  /**
   * The aborts a read_committed consumer needs to drop aborted records from [fetchOffset, bound):
   * possibly a few past what the read returned, which the consumer ignores. None when the read
   * returned nothing.
   */
  List<AbortedTransaction> abortedTransactions(long fetchOffset, long bound, boolean readAny) {
    if (!readAny) {
      return List.of();
    }
    List<AbortedTxn> aborted = log.abortedTransactions(fetchOffset, bound);
    if (aborted.isEmpty()) {
      return List.of();
    }
    List<AbortedTransaction> out = new ArrayList<>(aborted.size());
    for (AbortedTxn t : aborted) {
      out.add(
          new AbortedTransaction().setProducerId(t.producerId()).setFirstOffset(t.firstOffset()));
    }
    return out;
  }
}
