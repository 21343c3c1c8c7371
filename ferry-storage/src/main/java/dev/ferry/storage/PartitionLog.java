package dev.ferry.storage;

import java.io.Closeable;
import java.nio.file.Path;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.utils.Time;

/**
 * One partition's append-only log: a directory of segments named by base offset.
 *
 * <p>Threading: appends, truncation and retention are serialized by the log; reads may run
 * concurrently with an append from any thread and see only fully written batches.
 *
 * <p>Errors are Kafka's exception types ({@code org.apache.kafka.common.errors}) so the protocol
 * layer maps them to error codes with {@code Errors.forException}.
 */
public final class PartitionLog implements Closeable {

  /**
   * Opens (creating if absent) the log in {@code dir}, whose name is {@code <topic>-<partition>}.
   * When {@code cleanShutdown} is false, segments after the recovery point are scanned and the log
   * is truncated at the first partial or corrupt batch.
   */
  public static PartitionLog open(Path dir, LogConfig config, Time time, boolean cleanShutdown) {
    throw new UnsupportedOperationException("TODO");
  }

  public TopicPartition topicPartition() {
    throw new UnsupportedOperationException("TODO");
  }

  /**
   * Validates (CRC32C, magic v2, sizes, idempotent sequence) and appends every batch in {@code
   * records}, assigning offsets in place in the caller's buffer. Nothing is appended if any batch
   * is invalid.
   *
   * @throws org.apache.kafka.common.errors.CorruptRecordException bad CRC or malformed batch
   * @throws org.apache.kafka.common.errors.RecordBatchTooLargeException batch over max.message.bytes
   * @throws org.apache.kafka.common.errors.OutOfOrderSequenceException idempotent sequence gap
   * @throws org.apache.kafka.common.errors.InvalidProducerEpochException stale producer epoch
   * @throws org.apache.kafka.common.errors.KafkaStorageException the disk failed
   */
  public AppendResult append(MemoryRecords records, int leaderEpoch) {
    throw new UnsupportedOperationException("TODO");
  }

  /**
   * Reads from the batch containing {@code fetchOffset} up to {@code maxBytes}, never past {@code
   * maxOffsetExclusive} (the high watermark). With {@code minOneBatch} the first batch is returned
   * whole even if larger than maxBytes.
   *
   * @throws org.apache.kafka.common.errors.OffsetOutOfRangeException below the log start or past
   *     the log end offset
   */
  public ReadResult read(
      long fetchOffset, int maxBytes, long maxOffsetExclusive, boolean minOneBatch) {
    throw new UnsupportedOperationException("TODO");
  }

  public long logStartOffset() {
    throw new UnsupportedOperationException("TODO");
  }

  public long logEndOffset() {
    throw new UnsupportedOperationException("TODO");
  }

  /** The first offset whose batch max timestamp is at least {@code timestamp}, or null if none. */
  public TimestampOffset offsetForTimestamp(long timestamp) {
    throw new UnsupportedOperationException("TODO");
  }

  /** The offset and timestamp of the record with the largest timestamp (ListOffsets -3). */
  public TimestampOffset maxTimestamp() {
    throw new UnsupportedOperationException("TODO");
  }

  /**
   * Moves the log start offset forward to {@code offset} (DeleteRecords), deleting segments wholly
   * below it. Returns the new log start offset.
   */
  public long advanceLogStartOffset(long offset) {
    throw new UnsupportedOperationException("TODO");
  }

  /** Drops every batch at or after {@code offset} (used by replication to cut a divergent tail). */
  public void truncateTo(long offset) {
    throw new UnsupportedOperationException("TODO");
  }

  /** Deletes segments past retention.ms / retention.bytes; returns how many were deleted. */
  public int enforceRetention(long nowMs) {
    throw new UnsupportedOperationException("TODO");
  }

  /** Flushes if flush.ms has elapsed since the last flush (called by the LogManager's scheduler). */
  public void maybeFlush(long nowMs) {
    throw new UnsupportedOperationException("TODO");
  }

  /** Forces every segment to disk and advances the recovery point. */
  public void flush() {
    throw new UnsupportedOperationException("TODO");
  }

  public LogConfig config() {
    throw new UnsupportedOperationException("TODO");
  }

  public void updateConfig(LogConfig config) {
    throw new UnsupportedOperationException("TODO");
  }

  /** Total bytes of all segments. */
  public long sizeInBytes() {
    throw new UnsupportedOperationException("TODO");
  }

  public Path dir() {
    throw new UnsupportedOperationException("TODO");
  }

  @Override
  public void close() {
    throw new UnsupportedOperationException("TODO");
  }
}
