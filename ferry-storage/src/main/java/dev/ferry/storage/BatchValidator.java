package dev.ferry.storage;

import dev.ferry.storage.segment.BatchHeader;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Checks a produce request's records before anything is written: magic v2, CRC32C, size limit and a
 * sane header. Works on batch headers only, so compressed batches are never decompressed.
 *
 * <p>Runs without the log's append lock: CRC checking is the expensive part of an append and needs
 * no log state.
 */
final class BatchValidator {

  private BatchValidator() {}

  /** The batches of one append call, in order, plus totals the log needs. */
  record Validated(List<MutableRecordBatch> batches, long offsetCount, long recordCount) {}

  /**
   * @throws CorruptRecordException bad CRC, malformed header or trailing partial batch
   * @throws RecordTooLargeException a batch larger than {@code max.message.bytes}
   * @throws InvalidRecordException magic other than 2
   * @throws InvalidRecordException a control batch (markers are written by the log itself, on the
   *     coordinator's request, never by a client), or a transactional batch without a producer id
   */
  static Validated validate(MemoryRecords records, int maxMessageBytes) {
    return validate(records, maxMessageBytes, false);
  }

  /**
   * Batches copied from the leader: no size limit (the leader took them), and a batch may have
   * fewer records than offsets, or none, where the leader's log cleaner removed records.
   */
  static Validated validateReplicated(MemoryRecords records) {
    return validate(records, Integer.MAX_VALUE, true);
  }

  private static Validated validate(MemoryRecords records, int maxMessageBytes, boolean compacted) {
    ByteBuffer buf = records.buffer();
    List<MutableRecordBatch> batches = new ArrayList<>(1);
    long offsetCount = 0;
    long recordCount = 0;
    int consumed = 0;
    int total = records.sizeInBytes();
    while (consumed < total) {
      int at = buf.position() + consumed;
      int remaining = total - consumed;
      if (remaining < BatchHeader.SIZE) {
        throw new CorruptRecordException(
            "Trailing " + remaining + " bytes do not form a complete record batch");
      }
      byte magic = buf.get(at + BatchHeader.MAGIC);
      if (magic != RecordBatch.MAGIC_VALUE_V2) {
        // What Kafka answers for old message formats in Produce v3+: INVALID_RECORD.
        throw new InvalidRecordException(
            "Record batch magic " + magic + " is not supported; only v2 batches are accepted");
      }
      int size = BatchHeader.sizeInBytes(buf, at);
      if (size > maxMessageBytes) {
        throw new RecordTooLargeException(
            "Record batch of "
                + size
                + " bytes exceeds max.message.bytes of "
                + maxMessageBytes
                + " bytes");
      }
      String problem = BatchHeader.checkHeader(buf, at, remaining, 0);
      if (problem != null) {
        throw new CorruptRecordException(
            "Malformed record batch at byte " + consumed + ": " + problem);
      }
      int count = BatchHeader.recordsCount(buf, at);
      int lastOffsetDelta = BatchHeader.lastOffsetDelta(buf, at);
      if (count == 0 && !compacted) {
        throw new CorruptRecordException("Record batch at byte " + consumed + " has no records");
      }
      // Uncompressed batches from a client must be dense; a compressed batch's records cannot be
      // counted without decompressing, so only the header's own consistency is checked.
      boolean dense = !compacted && !BatchHeader.isCompressed(buf, at);
      if (dense ? count != lastOffsetDelta + 1L : count > lastOffsetDelta + 1L) {
        throw new CorruptRecordException(
            "Record batch at byte "
                + consumed
                + " claims "
                + count
                + " records but lastOffsetDelta "
                + lastOffsetDelta);
      }
      if (!compacted && BatchHeader.isControl(buf, at)) {
        throw new InvalidRecordException("Clients are not allowed to write control records");
      }
      if (BatchHeader.isTransactional(buf, at)
          && BatchHeader.producerId(buf, at) == RecordBatch.NO_PRODUCER_ID) {
        throw new InvalidRecordException("A transactional batch must have a producer id");
      }
      consumed += size;
      offsetCount += lastOffsetDelta + 1L;
      recordCount += count;
    }
    // Second pass through the codec's own batch view: CRC check and the mutable handles used to
    // assign offsets in place.
    for (MutableRecordBatch batch : records.batches()) {
      if (!batch.isValid()) {
        throw new CorruptRecordException(
            "Record batch with base offset "
                + batch.baseOffset()
                + " failed its CRC32C check (stored "
                + batch.checksum()
                + ")");
      }
      batches.add(batch);
    }
    return new Validated(batches, offsetCount, recordCount);
  }
}
