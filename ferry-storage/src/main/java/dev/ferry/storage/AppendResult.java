package dev.ferry.storage;

/**
 * What an append did. For a duplicate idempotent batch nothing was written and the offsets are
 * those the batch got the first time.
 *
 * @param firstOffset offset of the first record appended (or of the original batch if duplicate)
 * @param lastOffset offset of the last record appended
 * @param logAppendTimeMs the broker time stamped on the batch, or -1 when CreateTime is used
 * @param logStartOffset the log start offset after the append
 * @param duplicate true when the batch was a retry of one already in the log
 */
public record AppendResult(
    long firstOffset,
    long lastOffset,
    long logAppendTimeMs,
    long logStartOffset,
    boolean duplicate) {}
