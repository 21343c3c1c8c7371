package dev.ferry.storage.segment;

import dev.ferry.storage.index.OffsetIndex;
import java.io.IOException;
import java.nio.ByteBuffer;
import org.apache.kafka.common.record.internal.FileRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Records;

/**
 * Finds batch boundaries by offset and by position in one segment's file: from the sparse offset
 * index to the nearest entry, then a walk over batch headers, each read sized by the segment's
 * {@link BatchShape}. The fetch path's slice ({@link #slice}), truncation and timestamp search all
 * start here. Lock-free: every method is bounded by the committed size its caller read.
 */
final class BatchLocator {

  private final FileRecords records;
  private final OffsetIndex offsetIndex;
  private final BatchShape shape;

  BatchLocator(FileRecords records, OffsetIndex offsetIndex, BatchShape shape) {
    this.records = records;
    this.offsetIndex = offsetIndex;
    this.shape = shape;
  }

  /**
   * Position of the first batch at or after {@code from} whose last offset is at least {@code
   * offset}, or -1 when no such batch starts before {@code end}. When found, that batch's header is
   * still in {@code reader}'s chunk ({@code reader.header(position, end)} returns it without a
   * read).
   */
  int findBatch(BatchHeaderReader reader, long offset, int from, int end) throws IOException {
    int slot = offsetIndex.lookupSlot(offset);
    int indexed = offsetIndex.positionOf(slot);
    int pos = Math.max(from, indexed);
    // The next index entry's batch starts after offset, so the batch containing offset lies before
    // it: reading up to there finds it. The entry is only a read-size hint; a walk that passes it
    // (index racing a truncation) reads on in whole chunks.
    int hint = slot + 1 < offsetIndex.entries() ? offsetIndex.positionOf(slot + 1) : end;
    // The first read goes only as far as the typical batch shape says the batch is.
    long until =
        pos == indexed
            ? Math.min(hint, shape.readEndForOffsets(pos, offset - offsetIndex.offsetOf(slot)))
            : hint;
    ByteBuffer h = reader.buffer();
    while (pos < end) {
      int at = reader.header(pos, pos < until ? until : end);
      if (BatchHeader.lastOffset(h, at) >= offset) {
        return pos;
      }
      pos += checkedSize(h, at, pos, end);
      until = hint;
    }
    return -1;
  }

  /**
   * The last batch boundary at or before {@code limit}, starting from the boundary {@code from}.
   */
  int lastBoundaryAtOrBefore(BatchHeaderReader reader, int from, long limit, int end)
      throws IOException {
    int pos = Math.max(from, offsetIndex.floorPosition(limit));
    // Every header this walk looks at starts at or before limit; the first read goes only as far
    // as the typical batch size says the last boundary is.
    long readUntil = limit + BatchHeader.SIZE;
    long until = shape.readEndForBytes(pos, limit, readUntil);
    ByteBuffer h = reader.buffer();
    while (pos < end) {
      int size = checkedSize(h, reader.header(pos, until), pos, end);
      if (pos + (long) size > limit) {
        break;
      }
      pos += size;
      until = readUntil;
    }
    return pos;
  }

  /** The size of the batch whose header is at {@code at} in {@code h}, checked against the end. */
  int checkedSize(ByteBuffer h, int at, int pos, int end) {
    int size = BatchHeader.sizeInBytes(h, at);
    if (size < BatchHeader.SIZE || pos + (long) size > end) {
      throw new IllegalStateException(
          "Batch at position " + pos + " of " + records.file() + " has invalid size " + size);
    }
    return size;
  }

  /**
   * The fetch path's zero-copy slice: from the batch containing {@code fetchOffset}, whole batches
   * only, at most {@code maxBytes} (unless {@code minOneBatch} and the first batch is larger) and
   * never reaching the batch that contains {@code maxOffsetExclusive}. Null when the segment holds
   * no batch containing or following {@code fetchOffset}.
   *
   * @param nextOffset the segment's next offset when {@code end} was read
   */
  Records slice(
      BatchHeaderReader reader,
      int end,
      long nextOffset,
      long fetchOffset,
      int maxBytes,
      long maxOffsetExclusive,
      boolean minOneBatch)
      throws IOException {
    int start = findBatch(reader, fetchOffset, 0, end);
    if (start < 0) {
      return null;
    }
    ByteBuffer h = reader.buffer();
    int at = reader.header(start, end);
    if (BatchHeader.lastOffset(h, at) >= maxOffsetExclusive) {
      return MemoryRecords.EMPTY;
    }
    int firstSize = checkedSize(h, at, start, end);
    int limit = end;
    if (maxOffsetExclusive < nextOffset) {
      int bound = findBatch(reader, maxOffsetExclusive, start + firstSize, end);
      if (bound >= 0) {
        limit = bound;
      }
    }
    long wanted = (long) start + Math.max(0, maxBytes);
    if (wanted < limit) {
      limit = lastBoundaryAtOrBefore(reader, start, wanted, limit);
    }
    if (limit == start) {
      if (!minOneBatch) {
        return MemoryRecords.EMPTY;
      }
      limit = start + firstSize;
    }
    return records.slice(start, limit - start);
  }
}
