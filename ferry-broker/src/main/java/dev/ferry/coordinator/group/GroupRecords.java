package dev.ferry.coordinator.group;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;

/**
 * Ferry's key/value format for records in {@code __consumer_offsets}. All integers are big-endian;
 * a string is an int16 byte length (-1 for null) followed by UTF-8; bytes are an int32 length
 * followed by the bytes.
 *
 * <pre>
 * key   := int16 keyType, then
 *          keyType 1 (offset commit): string group, string topic, int32 partition
 *          keyType 2 (group metadata): string group
 *          keyType 3 (consumer-protocol group): string group (value: see ConsumerGroupRecords)
 *          keyType 4 (share group, KIP-932): string group (value: the share coordinator's, see
 *                    ShareGroupRecords in dev.ferry.coordinator.share)
 * value := null (tombstone: the key is deleted), or int16 valueVersion (0), then
 *          offset v0: int64 offset, int32 leaderEpoch, string metadata, int64 commitTimestampMs
 *          group  v0: string protocolType, int32 generation, string protocolName, string leader,
 *                     int64 stateTimestampMs, int32 memberCount, memberCount times:
 *                     string memberId, string groupInstanceId, string clientId, string clientHost,
 *                     int32 rebalanceTimeoutMs, int32 sessionTimeoutMs, bytes subscription,
 *                     bytes assignment
 * </pre>
 *
 * The key alone identifies what a record is about, so a compacted topic keeps exactly the latest
 * value per (group, topic, partition) and per group, and drops keys whose latest value is a
 * tombstone. Readers skip key types and value versions they do not know.
 */
public final class GroupRecords {

  public static final short OFFSET_COMMIT_KEY = 1;
  public static final short GROUP_METADATA_KEY = 2;
  public static final short CONSUMER_GROUP_KEY = 3;
  public static final short SHARE_GROUP_KEY = 4;
  public static final short VALUE_VERSION = 0;

  private GroupRecords() {}

  /** A parsed record key. */
  public sealed interface Key
      permits OffsetKey, GroupKey, ConsumerGroupKey, ShareGroupKey, UnknownKey {
    String group();
  }

  /** Key of a committed offset. */
  public record OffsetKey(String group, TopicPartition topicPartition) implements Key {}

  /** Key of a group's membership metadata. */
  public record GroupKey(String group) implements Key {}

  /** Key of a consumer-protocol group's state (members, epochs, assignments). */
  public record ConsumerGroupKey(String group) implements Key {}

  /** Key of a share group's membership (epoch, members, subscriptions). */
  public record ShareGroupKey(String group) implements Key {}

  /** A key type this version does not know (written by a newer Ferry); skipped on load. */
  public record UnknownKey(short keyType) implements Key {
    @Override
    public String group() {
      return null;
    }
  }

  /** Thrown for a key or value that cannot be parsed. */
  public static final class MalformedRecordException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MalformedRecordException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  public static byte[] offsetKey(String group, TopicPartition tp) {
    return write(
        out -> {
          out.writeShort(OFFSET_COMMIT_KEY);
          writeString(out, group);
          writeString(out, tp.topic());
          out.writeInt(tp.partition());
        });
  }

  public static byte[] groupKey(String group) {
    return write(
        out -> {
          out.writeShort(GROUP_METADATA_KEY);
          writeString(out, group);
        });
  }

  public static byte[] consumerGroupKey(String group) {
    return write(
        out -> {
          out.writeShort(CONSUMER_GROUP_KEY);
          writeString(out, group);
        });
  }

  public static byte[] shareGroupKey(String group) {
    return write(
        out -> {
          out.writeShort(SHARE_GROUP_KEY);
          writeString(out, group);
        });
  }

  public static byte[] offsetValue(OffsetAndMetadata v) {
    return write(
        out -> {
          out.writeShort(VALUE_VERSION);
          out.writeLong(v.offset());
          out.writeInt(v.leaderEpoch());
          writeString(out, v.metadata());
          out.writeLong(v.commitTimestampMs());
        });
  }

  public static byte[] groupValue(GroupMetadataValue v) {
    return write(
        out -> {
          out.writeShort(VALUE_VERSION);
          writeString(out, v.protocolType());
          out.writeInt(v.generationId());
          writeString(out, v.protocolName());
          writeString(out, v.leaderId());
          out.writeLong(v.stateTimestampMs());
          out.writeInt(v.members().size());
          for (GroupMetadataValue.Member m : v.members()) {
            writeString(out, m.memberId());
            writeString(out, m.groupInstanceId());
            writeString(out, m.clientId());
            writeString(out, m.clientHost());
            out.writeInt(m.rebalanceTimeoutMs());
            out.writeInt(m.sessionTimeoutMs());
            writeBytes(out, m.subscription());
            writeBytes(out, m.assignment());
          }
        });
  }

  public static Key parseKey(ByteBuffer key) {
    ByteBuffer b = key.duplicate();
    try {
      short type = b.getShort();
      return switch (type) {
        case OFFSET_COMMIT_KEY -> {
          String group = readString(b);
          String topic = readString(b);
          int partition = b.getInt();
          yield new OffsetKey(group, new TopicPartition(topic, partition));
        }
        case GROUP_METADATA_KEY -> new GroupKey(readString(b));
        case CONSUMER_GROUP_KEY -> new ConsumerGroupKey(readString(b));
        case SHARE_GROUP_KEY -> new ShareGroupKey(readString(b));
        default -> new UnknownKey(type);
      };
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw new MalformedRecordException("Malformed group record key", e);
    }
  }

  /** The value's version, for callers that skip versions they do not know. */
  public static short valueVersion(ByteBuffer value) {
    if (value.remaining() < 2) {
      throw new MalformedRecordException("Group record value shorter than its version", null);
    }
    return value.getShort(value.position());
  }

  public static OffsetAndMetadata parseOffsetValue(ByteBuffer value) {
    ByteBuffer b = value.duplicate();
    try {
      b.getShort();
      long offset = b.getLong();
      int epoch = b.getInt();
      String metadata = readString(b);
      long ts = b.getLong();
      return new OffsetAndMetadata(offset, epoch, metadata, ts);
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw new MalformedRecordException("Malformed offset commit value", e);
    }
  }

  public static GroupMetadataValue parseGroupValue(ByteBuffer value) {
    ByteBuffer b = value.duplicate();
    try {
      b.getShort();
      String protocolType = readString(b);
      int generation = b.getInt();
      String protocolName = readString(b);
      String leader = readString(b);
      long stateTs = b.getLong();
      int n = b.getInt();
      if (n < 0 || n > b.remaining()) {
        throw new IllegalArgumentException("bad member count " + n);
      }
      List<GroupMetadataValue.Member> members = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        members.add(
            new GroupMetadataValue.Member(
                readString(b),
                readString(b),
                readString(b),
                readString(b),
                b.getInt(),
                b.getInt(),
                readBytes(b),
                readBytes(b)));
      }
      return new GroupMetadataValue(
          protocolType, generation, protocolName, leader, stateTs, members);
    } catch (BufferUnderflowException | IllegalArgumentException e) {
      throw new MalformedRecordException("Malformed group metadata value", e);
    }
  }

  interface Body {
    void writeTo(DataOutputStream out) throws IOException;
  }

  static byte[] write(Body body) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      body.writeTo(out);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a ByteArrayOutputStream does not throw
    }
    return bytes.toByteArray();
  }

  static void writeString(DataOutputStream out, String s) throws IOException {
    if (s == null) {
      out.writeShort(-1);
      return;
    }
    byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
    if (utf8.length > Short.MAX_VALUE) {
      throw new IllegalArgumentException("String of " + utf8.length + " bytes is too long");
    }
    out.writeShort(utf8.length);
    out.write(utf8);
  }

  static void writeBytes(DataOutputStream out, byte[] b) throws IOException {
    byte[] v = b == null ? new byte[0] : b;
    out.writeInt(v.length);
    out.write(v);
  }

  static String readString(ByteBuffer b) {
    short len = b.getShort();
    if (len < 0) {
      return null;
    }
    if (len > b.remaining()) {
      throw new IllegalArgumentException("string of " + len + " bytes past the end");
    }
    byte[] utf8 = new byte[len];
    b.get(utf8);
    return new String(utf8, StandardCharsets.UTF_8);
  }

  static byte[] readBytes(ByteBuffer b) {
    int len = b.getInt();
    if (len < 0 || len > b.remaining()) {
      throw new IllegalArgumentException("bytes of length " + len + " past the end");
    }
    byte[] v = new byte[len];
    b.get(v);
    return v;
  }
}
