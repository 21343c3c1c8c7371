package dev.ferry.storage;

import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * What an append did. For a duplicate idempotent batch nothing was written and the offsets are
 * those the batch got the first time, if still known.
 *
 * @param firstOffset offset of the first record appended (or of the original batch if duplicate),
 *     -1 if {@code offsetsUnknown}
 * @param lastOffset offset of the last record appended (or of the original batch); if {@code
 *     offsetsUnknown}, an offset at or after the original batch's last record, so that waiting for
 *     it to be replicated covers the original
 * @param logAppendTimeMs the broker time stamped on the batch, or -1 when CreateTime is used
 * @param logStartOffset the log start offset after the append
 * @param duplicate true when the batch was a retry of one already in the log
 * @param offsetsUnknown true for a duplicate written so long ago that its offsets were forgotten
 *     (Kafka's DUPLICATE_SEQUENCE_NUMBER: the client counts it as delivered, without an offset)
 */
public record AppendResult(
    long firstOffset,
    long lastOffset,
    long logAppendTimeMs,
    long logStartOffset,
    boolean duplicate,
    boolean offsetsUnknown) {

  /** A batch written now, or a retry whose original placement is known. */
  public AppendResult(
      long firstOffset,
      long lastOffset,
      long logAppendTimeMs,
      long logStartOffset,
      boolean duplicate) {
    this(firstOffset, lastOffset, logAppendTimeMs, logStartOffset, duplicate, false);
  }

  /** A retry of a batch that was written at or before {@code writtenBy}, exactly where unknown. */
  static AppendResult duplicateAtUnknownOffsets(long writtenBy, long logStartOffset) {
    return new AppendResult(-1, writtenBy, RecordBatch.NO_TIMESTAMP, logStartOffset, true, true);
  }
}
