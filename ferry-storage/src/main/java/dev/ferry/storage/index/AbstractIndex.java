package dev.ferry.storage.index;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.apache.kafka.common.utils.internals.ByteBufferUnmapper;

/**
 * A memory-mapped file of fixed-size entries sorted by offset, preallocated while its segment is
 * active and trimmed to the entries actually written when the segment is rolled or closed.
 *
 * <p>One writer (the log's append path, under the log lock) and any number of lock-free readers.
 * The writer stores an entry with absolute puts and only then publishes the new entry count through
 * a volatile field, so a reader never sees a half-written entry. A resize maps a new buffer and
 * leaves the old mapping to the garbage collector, because a concurrent reader may still hold it.
 *
 * <p>No file descriptor is held: the file is opened only to size and map it (at open, resize and
 * trim) and closed again at once, since a mapping stays valid without its descriptor. A segment
 * thus costs one descriptor (its log file), not three, which is what bounds how many partitions a
 * broker can host under its open-files limit.
 */
public abstract class AbstractIndex implements AutoCloseable {

  private volatile Path file;
  protected final long baseOffset;
  private final int entrySize;
  private long length; // the file's current size; writer side only
  private volatile MappedByteBuffer mmap;

  /**
   * How far ahead of the entries the file gets disk blocks ({@link #backBeforeWrite}): the memory
   * page size, so that the page a mapped write touches never has a block missing; 64 KiB (a
   * multiple of every common page size) if the JVM does not tell. Not more: every partition's first
   * record backs a chunk of both its indexes, and 10,000 new partitions at 64 KiB wrote 1.3 GB of
   * zeros where the 4 KiB pages of x86 need 80 MB.
   */
  static final int BACKING_CHUNK = pageSize();

  private static final byte[] ZEROS = new byte[BACKING_CHUNK];

  /** Bytes from the start of the file known to have disk blocks; writer side only. */
  private long backed;

  private volatile int entries;
  private int maxEntries;
  private volatile boolean closed;

  /**
   * Opens or creates the index. A new or writable index is grown to {@code maxIndexSize} so the
   * active segment can append without remapping.
   */
  AbstractIndex(Path file, long baseOffset, int maxIndexSize, boolean writable, int entrySize)
      throws IOException {
    this.file = file;
    this.baseOffset = baseOffset;
    this.entrySize = entrySize;
    boolean existed = Files.exists(file);
    try (FileChannel ch =
        FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      long size = ch.size();
      if (existed && size % entrySize != 0) {
        throw new CorruptIndexException(
            file + " has size " + size + ", not a multiple of the entry size " + entrySize);
      }
      this.entries = existed ? (int) (size / entrySize) : 0;
      this.backed = (long) entries * entrySize; // written, so allocated
      long target = size;
      if (writable) {
        target = Math.max(roundDown(maxIndexSize), (long) entries * entrySize);
      }
      map(ch, target);
    }
  }

  /** The memory page size, read reflectively (no compile-time use of an internal API). */
  private static int pageSize() {
    int fallback = 64 * 1024;
    try {
      Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
      java.lang.reflect.Field field = unsafeClass.getDeclaredField("theUnsafe");
      field.setAccessible(true);
      int page = (Integer) unsafeClass.getMethod("pageSize").invoke(field.get(null));
      // A power of two between 4 KiB and 64 KiB, or the safe default.
      return page >= 4096 && page <= fallback && Integer.bitCount(page) == 1 ? page : fallback;
    } catch (ReflectiveOperationException | RuntimeException e) {
      return fallback;
    }
  }

  private long roundDown(long size) {
    return size / entrySize * entrySize;
  }

  /**
   * Sets the file to {@code target} bytes and maps all of it, through a channel the caller closes
   * right after.
   */
  private void map(FileChannel ch, long target) throws IOException {
    long size = ch.size();
    if (target > size) {
      // Grow sparsely, as RandomAccessFile.setLength does: one byte at the new end.
      ch.write(ByteBuffer.allocate(1), target - 1);
    } else if (target < size) {
      ch.truncate(target);
    }
    this.mmap = ch.map(FileChannel.MapMode.READ_WRITE, 0, target);
    this.length = target;
    this.backed = Math.min(backed, target);
    this.maxEntries = (int) (target / entrySize);
  }

  /**
   * Resizes and remaps through a short-lived channel. The file must exist (no CREATE): an index
   * renamed away or deleted is not silently recreated empty.
   */
  private void remap(long target) throws IOException {
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      map(ch, target);
    }
  }

  public Path file() {
    return file;
  }

  public int entries() {
    return entries;
  }

  int maxEntries() {
    return maxEntries;
  }

  /** Full when one more entry would not fit; the last slot is kept for the roll-time entry. */
  public boolean isFull() {
    return entries >= maxEntries - 1;
  }

  protected final MappedByteBuffer buffer() {
    if (closed) {
      throw new IllegalStateException("index " + file + " is closed");
    }
    return mmap;
  }

  protected final int entrySize() {
    return entrySize;
  }

  /** Writer side: call after the entry's bytes are stored at slot {@link #entries()}. */
  protected final void publishAppended() {
    entries = entries + 1;
  }

  /**
   * Writer side, before storing entries that end at byte {@code end}: gives the file disk blocks up
   * to there (and on to the next {@link #BACKING_CHUNK} boundary) by writing zeros through a
   * channel, past every entry. The file is preallocated sparse, and on a full filesystem the first
   * write through the mapping to a page without blocks makes the kernel raise SIGBUS, which the JVM
   * reports as an {@link InternalError} thrown asynchronously — at some later point of the writing
   * thread, even in the middle of a JDK channel operation, whose state it then leaves inconsistent.
   * Written through the channel instead, a full disk is an ordinary {@link IOException} here, and
   * the mapped write finds its page backed. Costs one small file write per {@link #BACKING_CHUNK}
   * of index (8,192 offset-index entries).
   */
  protected final void backBeforeWrite(long end) throws IOException {
    if (end <= backed) {
      return;
    }
    long upTo = Math.min(length, (end + BACKING_CHUNK - 1) / BACKING_CHUNK * BACKING_CHUNK);
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      long pos = backed;
      while (pos < upTo) {
        int n = (int) Math.min(BACKING_CHUNK, upTo - pos);
        ByteBuffer zeros = ByteBuffer.wrap(ZEROS, 0, n);
        while (zeros.hasRemaining()) {
          pos += ch.write(zeros, pos);
        }
      }
    }
    backed = upTo;
  }

  protected final boolean hasRoomFor(int n) {
    return entries + n <= maxEntries;
  }

  /** Drops entries at or after slot {@code slot}. */
  protected final void truncateToEntries(int slot) {
    entries = Math.max(0, Math.min(slot, entries));
  }

  /** Forgets every entry (the index is about to be rebuilt). */
  public void reset() {
    entries = 0;
  }

  /** Grows the file back to {@code maxIndexSize} (a rolled segment became active again). */
  public void resize(int maxIndexSize) throws IOException {
    long target = Math.max(roundDown(maxIndexSize), (long) entries * entrySize);
    if (target != length) {
      remap(target);
    }
  }

  /**
   * Cuts the file to the entries written; the old, larger mapping stays valid for them. Nothing is
   * forced to disk here (as in Kafka): the entries are in the page cache that both mappings share,
   * and making them durable is {@link #flush}'s job. A force here cost an fsync of the file (its
   * size changed) at every close of every log: ~20 ms each on a busy disk, minutes for a broker
   * with 10,000 partitions.
   */
  public void trimToValidSize() throws IOException {
    long valid = (long) entries * entrySize;
    if (length != valid) {
      remap(valid);
    }
  }

  public void flush() {
    MappedByteBuffer m = mmap;
    if (!closed && m != null) {
      m.force();
    }
  }

  /** Renames the file; the open mapping keeps working (same inode). */
  public void renameTo(Path target) throws IOException {
    Files.move(file, target);
    file = target;
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    if (mmap.capacity() > 0) {
      ByteBufferUnmapper.unmap(file.toString(), mmap);
    }
  }

  /**
   * Binary search for the last slot whose key is at most {@code target}, or -1 if the first key is
   * already larger. {@code key(slot)} must be non-decreasing.
   */
  protected final int floorSlot(long target, int n) {
    int lo = 0;
    int hi = n - 1;
    int found = -1;
    while (lo <= hi) {
      int mid = (lo + hi) >>> 1;
      if (key(mid) <= target) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /** The sort key of an entry (offset for the offset index, timestamp for the time index). */
  protected abstract long key(int slot);

  /** Throws {@link CorruptIndexException} unless entries are ordered and within the segment. */
  abstract void sanityCheck(long segmentSize, long segmentNextOffset);
}
