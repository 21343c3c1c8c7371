package dev.ferry.network.wire;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.function.Function;
import java.util.function.ToIntFunction;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.network.ByteBufferSend;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MultiRecordsSend;

/**
 * Writes Kafka protocol primitives into one growing heap buffer, for the hand-written encoders of
 * the hot responses. Record sets are not copied: {@link #records} cuts the bytes written so far
 * into a send of their own and queues the records' own send (a file region goes out with sendfile),
 * so a response is a few sends, not an object per field.
 *
 * <p>{@link #send} prefixes the 4-byte frame size, which is reserved at the start.
 */
public final class WireWriter {

  private ByteBuffer buffer;
  private int cutFrom;
  private ArrayDeque<Send> sends;
  private ByteBuffer firstPart;
  private long recordBytes;

  /**
   * @param expectedSize a guess of the response size without records; the buffer grows if needed
   */
  public WireWriter(int expectedSize) {
    buffer = ByteBuffer.allocate(Math.max(64, expectedSize + 4));
    buffer.position(4); // the frame size, written by send()
  }

  private void ensure(int bytes) {
    if (buffer.remaining() >= bytes) {
      return;
    }
    int needed = buffer.position() + bytes;
    ByteBuffer bigger = ByteBuffer.allocate(Math.max(needed, buffer.capacity() * 2));
    buffer.flip();
    bigger.put(buffer);
    buffer = bigger;
  }

  /**
   * A response header: the correlation id, then (header v1, flexible versions) no tagged fields.
   */
  public void responseHeader(int correlationId, boolean flexible) {
    int32(correlationId);
    if (flexible) {
      noTaggedFields();
    }
  }

  public void int8(byte v) {
    ensure(1);
    buffer.put(v);
  }

  public void int16(short v) {
    ensure(2);
    buffer.putShort(v);
  }

  public void int32(int v) {
    ensure(4);
    buffer.putInt(v);
  }

  public void int64(long v) {
    ensure(8);
    buffer.putLong(v);
  }

  public void uuid(Uuid v) {
    ensure(16);
    buffer.putLong(v.getMostSignificantBits());
    buffer.putLong(v.getLeastSignificantBits());
  }

  public void unsignedVarint(int v) {
    ensure(5);
    while ((v & 0xFFFFFF80) != 0) {
      buffer.put((byte) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    buffer.put((byte) v);
  }

  /** An array's length: a varint of length + 1 in flexible versions, else an int32. */
  public void arrayLength(int length, boolean flexible) {
    if (flexible) {
      unsignedVarint(length + 1);
    } else {
      int32(length);
    }
  }

  /** A nullable array's length: null is 0 in flexible versions, else -1. */
  public void nullableArrayLength(int length, boolean isNull, boolean flexible) {
    if (isNull) {
      if (flexible) {
        unsignedVarint(0);
      } else {
        int32(-1);
      }
    } else {
      arrayLength(length, flexible);
    }
  }

  /** A (nullable) string, compact in flexible versions. */
  public void string(String s, boolean flexible) {
    if (s == null) {
      if (flexible) {
        unsignedVarint(0);
      } else {
        int16((short) -1);
      }
      return;
    }
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    if (flexible) {
      unsignedVarint(bytes.length + 1);
    } else {
      int16((short) bytes.length);
    }
    ensure(bytes.length);
    buffer.put(bytes);
  }

  /** An empty tagged-fields section (flexible versions only). */
  public void noTaggedFields() {
    int8((byte) 0);
  }

  /**
   * Starts a tagged field whose size is known only once its body is written: writes the tag.
   *
   * @return where the body starts, for {@link #endTaggedField}
   */
  public int beginTaggedField(int tag) {
    unsignedVarint(tag);
    return position();
  }

  /** Puts the size of the tagged field body written since {@code start} on before it. */
  public void endTaggedField(int start) {
    int size = position() - start;
    insertGap(start, unsignedVarintSize(size));
    unsignedVarintAt(start, size);
  }

  /**
   * A {@code LeaderIdAndEpoch} tagged struct's size and body (leader id, leader epoch, no tagged
   * fields), after its tag.
   */
  public void leaderIdAndEpoch(int leaderId, int leaderEpoch) {
    unsignedVarint(9);
    int32(leaderId);
    int32(leaderEpoch);
    noTaggedFields();
  }

  /**
   * A response's top-level tagged fields: tag 0 {@code node_endpoints} if there are any (the
   * leaders a NOT_LEADER error points to, KIP-951), else none. Produce and Fetch responses carry
   * the same struct in their own generated classes, hence the accessors.
   */
  public <T> void nodeEndpointsOrNoTaggedFields(
      Collection<T> endpoints,
      ToIntFunction<T> nodeId,
      Function<T, String> host,
      ToIntFunction<T> port,
      Function<T, String> rack) {
    if (endpoints.isEmpty()) {
      noTaggedFields();
      return;
    }
    unsignedVarint(1);
    int start = beginTaggedField(0);
    arrayLength(endpoints.size(), true);
    for (T e : endpoints) {
      int32(nodeId.applyAsInt(e));
      string(host.apply(e), true);
      int32(port.applyAsInt(e));
      string(rack.apply(e), true);
      noTaggedFields();
    }
    endTaggedField(start);
  }

  /** The bytes written so far; for computing a tagged field's size before it is copied in. */
  public int position() {
    return buffer.position();
  }

  /**
   * Moves the bytes from {@code from} to the current position {@code shift} bytes further on,
   * leaving room before them (a tagged field's size, known only once the field is written).
   */
  public void insertGap(int from, int shift) {
    ensure(shift);
    int end = buffer.position();
    byte[] array = buffer.array();
    System.arraycopy(array, from, array, from + shift, end - from);
    buffer.position(end + shift);
  }

  /** Writes {@code v} as an unsigned varint at {@code at} (room made by {@link #insertGap}). */
  public void unsignedVarintAt(int at, int v) {
    int end = buffer.position();
    buffer.position(at);
    unsignedVarint(v);
    buffer.position(end);
  }

  /** Size in bytes of {@code v} as an unsigned varint. */
  public static int unsignedVarintSize(int v) {
    int bytes = 1;
    while ((v & 0xFFFFFF80) != 0) {
      bytes++;
      v >>>= 7;
    }
    return bytes;
  }

  /**
   * A nullable records field: its length (compact in flexible versions), then the records
   * themselves as a send of their own (never copied).
   */
  public void records(BaseRecords records, boolean flexible) {
    if (records == null) {
      if (flexible) {
        unsignedVarint(0);
      } else {
        int32(-1);
      }
      return;
    }
    int size = records.sizeInBytes();
    if (flexible) {
      unsignedVarint(size + 1);
    } else {
      int32(size);
    }
    if (size == 0) {
      return;
    }
    cut();
    if (records instanceof MemoryRecords memory) {
      sends.add(new ByteBufferSend(memory.buffer().duplicate()));
    } else {
      sends.add(records.toSend());
    }
    recordBytes += size;
  }

  /** Queues the bytes written since the last cut as a send of their own. */
  private void cut() {
    if (sends == null) {
      sends = new ArrayDeque<>(4);
    }
    int end = buffer.position();
    if (end > cutFrom) {
      ByteBuffer part = buffer.duplicate();
      part.position(cutFrom).limit(end);
      if (firstPart == null) {
        firstPart = part;
      }
      sends.add(new ByteBufferSend(part));
    }
    cutFrom = end;
  }

  /** The size-prefixed response; the writer must not be used afterwards. */
  public Send send() {
    int end = buffer.position();
    int frameSize = (int) (end - 4 + recordBytes);
    if (sends == null) {
      buffer.putInt(0, frameSize);
      buffer.flip();
      return new FrameSend(buffer);
    }
    cut();
    // The first part may hold an older array than the buffer (if it grew since): write the size
    // where the part that will be sent reads it.
    firstPart.putInt(0, frameSize);
    return new MultiRecordsSend(sends, end + recordBytes);
  }
}
