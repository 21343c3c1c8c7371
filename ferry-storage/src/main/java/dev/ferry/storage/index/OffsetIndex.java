package dev.ferry.storage.index;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.file.Path;

/**
 * Sparse map from offset to file position in one segment: 8-byte entries of (offset relative to the
 * segment's base offset as int32, position as int32). Each entry points at the start of a batch and
 * holds that batch's base offset, so a lookup lands on the batch containing the offset or one
 * before it, and the caller scans batch headers forward from there.
 */
public final class OffsetIndex extends AbstractIndex {

  public static final int ENTRY_SIZE = 8;

  public OffsetIndex(Path file, long baseOffset, int maxIndexSize, boolean writable)
      throws IOException {
    super(file, baseOffset, maxIndexSize, writable, ENTRY_SIZE);
  }

  @Override
  protected long key(int slot) {
    return buffer().getInt(slot * ENTRY_SIZE);
  }

  private int position(MappedByteBuffer b, int slot) {
    return b.getInt(slot * ENTRY_SIZE + 4);
  }

  /** Position of the last indexed batch whose base offset is at most {@code offset}, else 0. */
  public int lookup(long offset) {
    return positionOf(lookupSlot(offset));
  }

  /** Slot of the last entry whose base offset is at most {@code offset}, or -1 if none. */
  public int lookupSlot(long offset) {
    int n = entries();
    long relative = offset - baseOffset;
    if (n == 0 || relative < 0) {
      return -1;
    }
    return floorSlot(Math.min(relative, Integer.MAX_VALUE), n);
  }

  /**
   * Position stored in {@code slot}, 0 for slot -1 (the segment start). Entries past {@link
   * #entries()} are not valid: callers check the slot first.
   */
  public int positionOf(int slot) {
    return slot < 0 ? 0 : position(buffer(), slot);
  }

  /** Base offset of the batch indexed in {@code slot}, the segment's base offset for slot -1. */
  public long offsetOf(int slot) {
    return slot < 0 ? baseOffset : baseOffset + key(slot);
  }

  /** Position of the last indexed batch starting at or before {@code position}, else 0. */
  public int floorPosition(long filePosition) {
    int n = entries();
    MappedByteBuffer b = buffer();
    int lo = 0;
    int hi = n - 1;
    int found = 0;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      int p = position(b, mid);
      if (p <= filePosition) {
        found = p;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /**
   * Adds an entry for the batch with base {@code offset} at {@code position}. When full the entry
   * is skipped: the index only gets sparser, lookups stay correct (the log rolls before the next
   * append anyway).
   */
  public void append(long offset, int position) throws IOException {
    int n = entries();
    if (!hasRoomFor(1)) {
      return;
    }
    if (n > 0 && offset - baseOffset <= key(n - 1)) {
      return; // keep keys strictly increasing
    }
    backBeforeWrite((long) (n + 1) * ENTRY_SIZE);
    MappedByteBuffer b = buffer();
    b.putInt(n * ENTRY_SIZE, (int) (offset - baseOffset));
    b.putInt(n * ENTRY_SIZE + 4, position);
    publishAppended();
  }

  /** Removes entries for batches at or after {@code offset}. */
  public void truncateTo(long offset) {
    int slot = floorSlot(offset - baseOffset - 1, entries());
    truncateToEntries(slot + 1);
  }

  /** Offset of the last entry, or the base offset when empty. */
  public long lastOffset() {
    int n = entries();
    return n == 0 ? baseOffset : baseOffset + key(n - 1);
  }

  public int lastPosition() {
    int n = entries();
    return n == 0 ? 0 : position(buffer(), n - 1);
  }

  @Override
  public void sanityCheck(long segmentSize, long segmentNextOffset) {
    int n = entries();
    MappedByteBuffer b = buffer();
    long prevOffset = -1;
    long prevPosition = -1;
    for (int i = 0; i < n; i++) {
      long rel = key(i);
      int pos = position(b, i);
      if (rel <= prevOffset || pos <= prevPosition || rel < 0) {
        throw new CorruptIndexException(
            file() + ": entry " + i + " (" + rel + ", " + pos + ") is out of order");
      }
      prevOffset = rel;
      prevPosition = pos;
    }
    if (n > 0 && (prevPosition >= segmentSize || baseOffset + prevOffset >= segmentNextOffset)) {
      throw new CorruptIndexException(
          file()
              + ": last entry (offset "
              + (baseOffset + prevOffset)
              + ", position "
              + prevPosition
              + ") lies beyond the segment (size "
              + segmentSize
              + ")");
    }
  }
}
