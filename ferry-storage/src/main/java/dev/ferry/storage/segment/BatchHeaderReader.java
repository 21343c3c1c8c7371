package dev.ferry.storage.segment;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Reads the fixed headers of consecutive record batches of one segment file through a reusable
 * buffer that holds a chunk of the file. One positional read serves every header inside the chunk,
 * so walking the dozens of small batches between two offset-index entries (4 KiB apart by default)
 * costs one system call instead of one per batch. Record bytes are copied only as far as they sit
 * between the headers inside a chunk; a batch larger than the chunk is skipped without reading it.
 *
 * <p>Reads never go past the {@code end} given to {@link #reset}: the segment's committed size, so
 * bytes of an append in progress are never looked at.
 *
 * <p>Thread-confined and not reentrant: fetches run concurrently on the network threads, so each
 * thread gets its own reader from {@link #forThread}, and a header returned by {@link #header} is
 * valid only until the next call. The buffer is direct so a read is a single {@code pread} into it,
 * without the JDK's intermediate copy for heap buffers.
 */
public final class BatchHeaderReader {

  /** Twice the default index interval: one read covers the gap between two index entries. */
  public static final int DEFAULT_CHUNK_SIZE = 8 * 1024;

  private static final ThreadLocal<BatchHeaderReader> FOR_THREAD =
      ThreadLocal.withInitial(() -> new BatchHeaderReader(DEFAULT_CHUNK_SIZE));

  private final ByteBuffer chunk;
  private FileChannel channel;
  private int end;
  private int chunkStart;
  private int chunkBytes;
  private long fills;
  private long bytesRead;

  public BatchHeaderReader(int chunkSize) {
    if (chunkSize < BatchHeader.SIZE) {
      throw new IllegalArgumentException("chunk of " + chunkSize + " bytes cannot hold a header");
    }
    this.chunk = ByteBuffer.allocateDirect(chunkSize);
  }

  /** This thread's reader, pointed at {@code channel} up to {@code end}. */
  static BatchHeaderReader forThread(FileChannel channel, int end) {
    BatchHeaderReader reader = FOR_THREAD.get();
    reader.reset(channel, end);
    return reader;
  }

  /**
   * Points the reader at a file (or the same file again) and forgets the cached chunk: the file may
   * have been truncated and rewritten since the last use.
   */
  public void reset(FileChannel channel, int end) {
    this.channel = channel;
    this.end = end;
    this.chunkStart = 0;
    this.chunkBytes = 0;
  }

  /** The buffer that {@link #header} indexes into; read it with absolute gets only. */
  public ByteBuffer buffer() {
    return chunk;
  }

  /**
   * Makes the header of the batch at {@code position} available in {@link #buffer()} and returns
   * its index there. When the header is not already in the chunk, one read fills the chunk from
   * {@code position} on, up to {@code readUntil} (how far the caller expects to walk; at least the
   * header is read, at most a chunk, never past the end).
   *
   * @throws IllegalStateException if fewer than a header's bytes are left before the end
   */
  public int header(int position, long readUntil) throws IOException {
    int at = position - chunkStart;
    if (at >= 0 && chunkBytes - at >= BatchHeader.SIZE) {
      return at;
    }
    fill(position, readUntil);
    return 0;
  }

  private void fill(int position, long readUntil) throws IOException {
    if (end - position < BatchHeader.SIZE) {
      throw new IllegalStateException(
          "Partial batch header at position " + position + " of a segment ending at " + end);
    }
    long until = Math.max(readUntil, position + (long) BatchHeader.SIZE);
    until = Math.min(until, Math.min(end, position + (long) chunk.capacity()));
    int want = (int) (until - position);
    chunkBytes = 0; // nothing cached if the read fails half way
    chunk.clear().limit(want);
    long filePos = position;
    while (chunk.hasRemaining()) {
      int n = channel.read(chunk, filePos);
      if (n < 0) {
        throw new EOFException(
            "Segment file ends at " + filePos + ", before its committed size " + end);
      }
      filePos += n;
    }
    chunkStart = position;
    chunkBytes = want;
    fills++;
    bytesRead += want;
  }

  /** How many reads this reader has issued: tests use it to check the walk stays chunked. */
  public long fills() {
    return fills;
  }

  /** How many bytes those reads copied. */
  public long bytesRead() {
    return bytesRead;
  }
}
