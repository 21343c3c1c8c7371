package dev.ferry.storage.segment;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.apache.kafka.common.record.internal.RecordBatch;

/**
 * Field layout of a v2 record batch header, and positional reads of it from a segment file.
 *
 * <p>The fetch path only ever needs header fields (offsets, length, timestamps) to find batch
 * boundaries, so it reads headers, never batch objects: through {@link BatchHeaderReader}, which
 * serves many headers from one read. {@link #read} reads a single header into a small per-thread
 * buffer, for the walks that are not on the fetch path.
 */
public final class BatchHeader {

  public static final int BASE_OFFSET = 0;
  public static final int LENGTH = 8;
  public static final int PARTITION_LEADER_EPOCH = 12;
  public static final int MAGIC = 16;
  public static final int CRC = 17;
  public static final int ATTRIBUTES = 21;
  public static final int LAST_OFFSET_DELTA = 23;
  public static final int BASE_TIMESTAMP = 27;
  public static final int MAX_TIMESTAMP = 35;
  public static final int PRODUCER_ID = 43;
  public static final int PRODUCER_EPOCH = 51;
  public static final int BASE_SEQUENCE = 53;
  public static final int RECORDS_COUNT = 57;

  /** Bytes before the first record: the whole fixed header. */
  public static final int SIZE = 61;

  /** baseOffset + length: the bytes not counted in the length field. */
  public static final int LOG_OVERHEAD = 12;

  private static final short COMPRESSION_MASK = 0x07;
  private static final short TRANSACTIONAL_FLAG = 0x10;
  private static final short CONTROL_FLAG = 0x20;

  private static final ThreadLocal<ByteBuffer> HEADER_BUFFER =
      ThreadLocal.withInitial(() -> ByteBuffer.allocate(SIZE));

  private BatchHeader() {}

  /**
   * Reads the fixed header of the batch at {@code position} into this thread's header buffer. The
   * returned buffer is only valid until the next call on the same thread.
   *
   * @throws EOFException if fewer than {@link #SIZE} bytes exist at {@code position}
   */
  static ByteBuffer read(FileChannel channel, long position) throws IOException {
    ByteBuffer buf = HEADER_BUFFER.get();
    buf.clear();
    long pos = position;
    while (buf.hasRemaining()) {
      int n = channel.read(buf, pos);
      if (n < 0) {
        throw new EOFException("batch header at " + position + " runs past end of file");
      }
      pos += n;
    }
    buf.flip();
    return buf;
  }

  public static long baseOffset(ByteBuffer h, int at) {
    return h.getLong(at + BASE_OFFSET);
  }

  /** Whole batch size including the 12 bytes of offset and length. */
  public static int sizeInBytes(ByteBuffer h, int at) {
    return h.getInt(at + LENGTH) + LOG_OVERHEAD;
  }

  public static int lastOffsetDelta(ByteBuffer h, int at) {
    return h.getInt(at + LAST_OFFSET_DELTA);
  }

  public static long lastOffset(ByteBuffer h, int at) {
    return baseOffset(h, at) + lastOffsetDelta(h, at);
  }

  public static int partitionLeaderEpoch(ByteBuffer h, int at) {
    return h.getInt(at + PARTITION_LEADER_EPOCH);
  }

  public static long maxTimestamp(ByteBuffer h, int at) {
    return h.getLong(at + MAX_TIMESTAMP);
  }

  public static long producerId(ByteBuffer h, int at) {
    return h.getLong(at + PRODUCER_ID);
  }

  public static short producerEpoch(ByteBuffer h, int at) {
    return h.getShort(at + PRODUCER_EPOCH);
  }

  public static int baseSequence(ByteBuffer h, int at) {
    return h.getInt(at + BASE_SEQUENCE);
  }

  public static int recordsCount(ByteBuffer h, int at) {
    return h.getInt(at + RECORDS_COUNT);
  }

  public static boolean isCompressed(ByteBuffer h, int at) {
    return (h.getShort(at + ATTRIBUTES) & COMPRESSION_MASK) != 0;
  }

  public static boolean isTransactional(ByteBuffer h, int at) {
    return (h.getShort(at + ATTRIBUTES) & TRANSACTIONAL_FLAG) != 0;
  }

  public static boolean isControl(ByteBuffer h, int at) {
    return (h.getShort(at + ATTRIBUTES) & CONTROL_FLAG) != 0;
  }

  /** Last sequence number of the batch, wrapping past Integer.MAX_VALUE like the producer does. */
  public static int lastSequence(int baseSequence, int lastOffsetDelta) {
    if (baseSequence == RecordBatch.NO_SEQUENCE) {
      return RecordBatch.NO_SEQUENCE;
    }
    long last = (long) baseSequence + lastOffsetDelta;
    return last > Integer.MAX_VALUE ? (int) (last - Integer.MAX_VALUE - 1) : (int) last;
  }

  /**
   * Checks the header fields that the CRC does not protect or that must agree with each other.
   * Returns a description of the first problem, or null when the header is sane. {@code available}
   * is how many bytes of the file/buffer exist from {@code at} on.
   */
  public static String checkHeader(ByteBuffer h, int at, long available, int maxBatchSize) {
    if (available < SIZE) {
      return "partial batch header (" + available + " bytes)";
    }
    int length = h.getInt(at + LENGTH);
    if (length < SIZE - LOG_OVERHEAD) {
      return "batch length " + length + " smaller than the header";
    }
    if (maxBatchSize > 0 && length > maxBatchSize) {
      return "batch length " + length + " larger than any batch this log accepts";
    }
    if ((long) length + LOG_OVERHEAD > available) {
      return "partial batch (" + available + " of " + (length + LOG_OVERHEAD) + " bytes)";
    }
    byte magic = h.get(at + MAGIC);
    if (magic != RecordBatch.MAGIC_VALUE_V2) {
      return "unsupported magic " + magic;
    }
    int lastOffsetDelta = lastOffsetDelta(h, at);
    int count = recordsCount(h, at);
    if (lastOffsetDelta < 0 || count < 0) {
      return "negative lastOffsetDelta " + lastOffsetDelta + " or record count " + count;
    }
    if (baseOffset(h, at) < 0) {
      return "negative base offset " + baseOffset(h, at);
    }
    return null;
  }
}
