package dev.ferry.storage.segment;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import org.apache.kafka.common.utils.internals.Crc32C;

/**
 * Walks the batches of a segment file from a start position, checking each header and, in recovery
 * mode, each batch's CRC32C. Stops at the first batch that is partial, malformed, corrupt or whose
 * offsets do not increase (gaps are allowed: compaction leaves them), and reports where the valid
 * data ends.
 */
public final class SegmentScanner {

  /** Called for each valid batch; {@code header} holds the batch's fixed header at {@code at}. */
  public interface Visitor {
    void batch(ByteBuffer header, int at, int position, int size) throws IOException;
  }

  /**
   * Where the scan stopped.
   *
   * @param validEnd file position just after the last valid batch
   * @param nextOffset offset after the last valid batch (or the expected offset if none)
   * @param batches how many valid batches were visited
   * @param problem why the scan stopped before the end of the file, or null
   */
  record Result(int validEnd, long nextOffset, long batches, String problem) {}

  private static final int READ_CHUNK = 1 << 20;

  private SegmentScanner() {}

  /**
   * Header-only walk (no CRC, no record bytes read): used on clean start-up and to rebuild
   * in-memory state. {@code expectedOffset} is the smallest base offset the first batch may have,
   * or -1 to accept any.
   */
  public static Result scanHeaders(
      FileChannel channel, int from, int end, long expectedOffset, Visitor visitor)
      throws IOException {
    int pos = from;
    long next = expectedOffset;
    long count = 0;
    while (pos < end) {
      ByteBuffer h;
      if (end - pos < BatchHeader.SIZE) {
        return new Result(pos, next, count, "partial batch header (" + (end - pos) + " bytes)");
      }
      h = BatchHeader.read(channel, pos);
      String problem = check(h, 0, end - pos, next, expectedOffset);
      if (problem != null) {
        return new Result(pos, next, count, problem);
      }
      int size = BatchHeader.sizeInBytes(h, 0);
      visitor.batch(h, 0, pos, size);
      next = BatchHeader.lastOffset(h, 0) + 1;
      pos += size;
      count++;
    }
    return new Result(pos, next, count, null);
  }

  /**
   * Full walk reading every byte in large chunks and verifying each batch's CRC: the recovery path
   * after an unclean stop.
   */
  static Result scanVerified(
      FileChannel channel, int from, int end, long expectedOffset, Visitor visitor)
      throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(Math.min(READ_CHUNK, Math.max(end - from, 64)));
    buf.limit(0);
    int bufFilePos = from; // file position of buf[0]
    int pos = from;
    long next = expectedOffset;
    long count = 0;
    while (pos < end) {
      int at = pos - bufFilePos;
      if (buf.limit() - at < BatchHeader.SIZE) {
        buf = refill(channel, buf, at, pos, end, BatchHeader.SIZE);
        bufFilePos = pos;
        at = 0;
      }
      // The header is in the buffer; the batch's size is checked against the file, not against
      // what the buffer happens to hold (a batch straddling a chunk boundary is not partial: the
      // refill below reads the rest of it).
      String problem = check(buf, at, end - pos, next, expectedOffset);
      if (problem == null) {
        int size = BatchHeader.sizeInBytes(buf, at);
        if (buf.limit() - at < size) {
          buf = refill(channel, buf, at, pos, end, size);
          bufFilePos = pos;
          at = 0;
          problem = check(buf, at, buf.limit(), next, expectedOffset);
        }
      }
      if (problem != null) {
        return new Result(pos, next, count, problem);
      }
      int size = BatchHeader.sizeInBytes(buf, at);
      long stored = Integer.toUnsignedLong(buf.getInt(at + BatchHeader.CRC));
      long computed =
          Crc32C.compute(buf, at + BatchHeader.ATTRIBUTES, size - BatchHeader.ATTRIBUTES);
      if (stored != computed) {
        return new Result(
            pos, next, count, "CRC32C mismatch (stored " + stored + ", computed " + computed + ")");
      }
      visitor.batch(buf, at, pos, size);
      next = BatchHeader.lastOffset(buf, at) + 1;
      pos += size;
      count++;
    }
    return new Result(pos, next, count, null);
  }

  /**
   * Moves the unread tail of {@code buf} (from {@code at}) to the front and reads file data after
   * it up to {@code end}, growing the buffer when one batch needs more than it holds.
   */
  private static ByteBuffer refill(
      FileChannel channel, ByteBuffer buf, int at, int pos, int end, int need) throws IOException {
    int carried = Math.max(0, buf.limit() - at);
    ByteBuffer target = need > buf.capacity() ? ByteBuffer.allocate(need) : buf;
    if (target != buf) {
      ByteBuffer src = buf.duplicate();
      src.limit(at + carried).position(at);
      target.put(src);
    } else {
      buf.limit(at + carried).position(at);
      buf.compact(); // leaves position == carried, limit == capacity
    }
    long filePos = (long) pos + carried;
    target.limit(carried + (int) Math.min(target.capacity() - carried, Math.max(0, end - filePos)));
    while (target.hasRemaining()) {
      int n = channel.read(target, filePos);
      if (n < 0) {
        break;
      }
      filePos += n;
    }
    target.flip();
    return target;
  }

  /**
   * @param expectedOffset the smallest base offset allowed (the end of the previous batch), or -1
   * @param firstOffset the smallest offset of the walk, or -1: offsets may run at most {@code
   *     Integer.MAX_VALUE} past it (what a segment's index can express), which also catches a
   *     corrupt base offset (the CRC does not cover it) that leaps ahead
   */
  private static String check(
      ByteBuffer h, int at, long available, long expectedOffset, long firstOffset) {
    String problem = BatchHeader.checkHeader(h, at, available, 0);
    if (problem != null) {
      return problem;
    }
    long base = BatchHeader.baseOffset(h, at);
    // Offsets only increase; gaps are fine (compaction removes whole batches).
    if (expectedOffset >= 0 && base < expectedOffset) {
      return "base offset " + base + " where at least " + expectedOffset + " was expected";
    }
    if (firstOffset >= 0 && BatchHeader.lastOffset(h, at) - firstOffset > Integer.MAX_VALUE) {
      return "last offset " + BatchHeader.lastOffset(h, at) + " too far past " + firstOffset;
    }
    return null;
  }
}
