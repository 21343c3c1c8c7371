package dev.ferry.storage.index;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Sparse map from timestamp to offset in one segment: 12-byte entries of (largest timestamp seen so
 * far as int64, base offset relative to the segment as int32 of the batch that first reached it).
 * Every batch before an entry's batch has a smaller max timestamp, so a search for a target
 * timestamp can start at the last entry whose timestamp is at most the target.
 */
public final class TimeIndex extends AbstractIndex {

  public static final int ENTRY_SIZE = 12;

  public TimeIndex(Path file, long baseOffset, int maxIndexSize, boolean writable)
      throws IOException {
    super(file, baseOffset, maxIndexSize, writable, ENTRY_SIZE);
  }

  @Override
  protected long key(int slot) {
    return buffer().getLong(slot * ENTRY_SIZE);
  }

  private long relativeOffset(MappedByteBuffer b, int slot) {
    return b.getInt(slot * ENTRY_SIZE + 8);
  }

  /**
   * The offset to start scanning from when looking for {@code timestamp}: the batch of the last
   * entry with a timestamp at most the target, or the segment's base offset.
   */
  public long lookup(long timestamp) {
    int n = entries();
    int slot = floorSlot(timestamp, n);
    return slot < 0 ? baseOffset : baseOffset + relativeOffset(buffer(), slot);
  }

  public long lastTimestamp() {
    int n = entries();
    return n == 0 ? RecordBatch.NO_TIMESTAMP : key(n - 1);
  }

  public long lastOffset() {
    int n = entries();
    return n == 0 ? baseOffset : baseOffset + relativeOffset(buffer(), n - 1);
  }

  /**
   * Adds an entry when {@code timestamp} is larger than the last one. {@code force} uses the slot
   * kept free by {@link #isFull()} (the final entry written when the segment is rolled).
   */
  public void maybeAppend(long timestamp, long offset, boolean force) throws IOException {
    if (timestamp <= lastTimestamp() || timestamp == RecordBatch.NO_TIMESTAMP) {
      return;
    }
    if (force ? !hasRoomFor(1) : isFull()) {
      return;
    }
    int n = entries();
    if (n > 0 && offset - baseOffset < relativeOffset(buffer(), n - 1)) {
      return;
    }
    backBeforeWrite((long) (n + 1) * ENTRY_SIZE);
    MappedByteBuffer b = buffer();
    b.putLong(n * ENTRY_SIZE, timestamp);
    b.putInt(n * ENTRY_SIZE + 8, (int) (offset - baseOffset));
    publishAppended();
  }

  /** Removes entries pointing at batches at or after {@code offset}. */
  public void truncateTo(long offset) {
    int n = entries();
    MappedByteBuffer b = buffer();
    int keep = n;
    while (keep > 0 && baseOffset + relativeOffset(b, keep - 1) >= offset) {
      keep--;
    }
    truncateToEntries(keep);
  }

  @Override
  public void sanityCheck(long segmentSize, long segmentNextOffset) {
    int n = entries();
    MappedByteBuffer b = buffer();
    long prevTs = Long.MIN_VALUE;
    long prevOffset = -1;
    for (int i = 0; i < n; i++) {
      long ts = key(i);
      long rel = relativeOffset(b, i);
      if (ts <= prevTs || rel < prevOffset || rel < 0) {
        throw new CorruptIndexException(
            file() + ": entry " + i + " (" + ts + ", " + rel + ") is out of order");
      }
      prevTs = ts;
      prevOffset = rel;
    }
    if (n > 0 && baseOffset + prevOffset >= segmentNextOffset) {
      throw new CorruptIndexException(
          file()
              + ": last entry points at offset "
              + (baseOffset + prevOffset)
              + " past the segment");
    }
  }
}
