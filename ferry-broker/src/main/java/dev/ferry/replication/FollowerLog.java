package dev.ferry.replication;

import dev.ferry.storage.AppendResult;
import dev.ferry.storage.EpochEndOffset;
import dev.ferry.storage.PartitionLog;
import dev.ferry.storage.UnexpectedAppendOffsetException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the replica fetcher does to a partition it follows: copy the leader's batches as they are,
 * cut a divergent tail, restart past the leader's log start, and follow the leader's high watermark
 * and log start. Only the one fetcher thread that owns the partition calls it, and only while the
 * partition follows.
 */
final class FollowerLog {

  private static final Logger logger = LoggerFactory.getLogger(FollowerLog.class);

  private final TopicPartition topicPartition;
  private final PartitionLog log;
  private final HighWatermark highWatermark;

  FollowerLog(TopicPartition topicPartition, PartitionLog log, HighWatermark highWatermark) {
    this.topicPartition = topicPartition;
    this.log = log;
    this.highWatermark = highWatermark;
  }

  /** Appends batches fetched from the leader, offsets and epochs as they are. */
  AppendResult append(MemoryRecords records) {
    try {
      return log.appendAsFollower(records);
    } catch (UnexpectedAppendOffsetException e) {
      // The leader's log start can fall inside a batch (DeleteRecords or retention at a mid-batch
      // offset): a replica that restarted its empty log there then receives that whole batch,
      // which begins earlier. Restart the log at the batch's base offset instead (as Kafka does).
      long end = log.logEndOffset();
      RecordBatch first = records.firstBatch();
      if (end == log.logStartOffset()
          && first != null
          && first.baseOffset() < end
          && first.lastOffset() >= end) {
        logger.info(
            "Restarting the empty log of {} at {}: the leader's first batch starts there, before"
                + " the log start {}",
            topicPartition,
            first.baseOffset(),
            end);
        truncateFullyAndStartAt(first.baseOffset());
        return log.appendAsFollower(records);
      }
      throw e;
    }
  }

  /** Adopts the leader's high watermark, capped at this replica's log end offset. */
  void followHighWatermark(long leaderHighWatermark) {
    highWatermark.advanceTo(leaderHighWatermark);
  }

  /** Cuts the divergent tail; the high watermark follows if it was above the new end. */
  void truncateTo(long offset) {
    log.truncateTo(offset);
    highWatermark.capAtLogEnd();
  }

  /**
   * Restarts this replica's log at {@code offset} (the leader's log start, beyond this log's end):
   * everything before it is gone on the leader, so there is nothing to copy.
   */
  void truncateFullyAndStartAt(long offset) {
    log.truncateFullyAndStartAt(offset);
    highWatermark.resetToLogEnd();
  }

  /** The latest leader epoch in this replica's log, or -1 if it knows none. */
  int latestEpoch() {
    return log.latestEpoch();
  }

  /** This replica's own answer to OffsetForLeaderEpoch (no leadership check: follower side). */
  EpochEndOffset endOffsetForEpoch(int epoch) {
    EpochEndOffset found = log.endOffsetForEpoch(epoch);
    return found == null ? EpochEndOffset.UNDEFINED : found;
  }

  /**
   * Follows the leader's log start offset (moved by its retention or DeleteRecords) as far as this
   * replica's log reaches.
   */
  void followLogStart(long leaderLogStartOffset) {
    if (leaderLogStartOffset > log.logStartOffset()) {
      log.advanceLogStartOffset(Math.min(leaderLogStartOffset, log.logEndOffset()));
    }
  }
}
