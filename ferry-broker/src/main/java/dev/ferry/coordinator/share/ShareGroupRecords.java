package dev.ferry.coordinator.share;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A share group's membership as one snapshot value, written by the coordinator whenever the group
 * epoch, a member or a member's epoch changes, and read back by the broker that coordinates the
 * group next. Assignments are not stored: a share group assigns every partition of the subscribed
 * topics, so they follow from the subscriptions and the metadata.
 *
 * <pre>
 * value  := int16 version (0), int32 groupEpoch, int32 m, m times member
 * member := string memberId, int32 memberEpoch, string clientId, string clientHost,
 *           string rackId, int32 k, k times string topic
 * string := int16 byte length (-1 for null), UTF-8
 * </pre>
 */
final class ShareGroupRecords {

  static final short VALUE_VERSION = 0;

  /** Thrown for a value that cannot be read (an unknown version or a truncated one). */
  static final class MalformedSnapshotException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MalformedSnapshotException(String message, Throwable cause) {
      super(message, cause);
    }
  }

  private ShareGroupRecords() {}

  /** The group's snapshot; the caller holds its monitor. */
  static byte[] value(ShareGroup g) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + 96 * g.members.size());
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeShort(VALUE_VERSION);
      out.writeInt(g.epoch);
      out.writeInt(g.members.size());
      for (ShareGroupMember m : g.members.values()) {
        writeString(out, m.memberId);
        out.writeInt(m.epoch);
        writeString(out, m.clientId);
        writeString(out, m.clientHost);
        writeString(out, m.rackId);
        out.writeInt(m.subscriptions.size());
        for (String topic : m.subscriptions) {
          writeString(out, topic);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** A group rebuilt from its snapshot: members with their epochs, no assignments or timers. */
  static ShareGroup parse(String groupId, ByteBuffer value) {
    ByteBuffer b = value.duplicate();
    try {
      short version = b.getShort();
      if (version != VALUE_VERSION) {
        throw new MalformedSnapshotException("Unknown share group value version " + version, null);
      }
      ShareGroup g = new ShareGroup(groupId);
      g.epoch = b.getInt();
      for (int i = b.getInt(); i > 0; i--) {
        ShareGroupMember m = new ShareGroupMember(readString(b));
        m.epoch = b.getInt();
        m.clientId = readString(b);
        m.clientHost = readString(b);
        m.rackId = readString(b);
        int k = b.getInt();
        List<String> topics = new ArrayList<>(Math.max(0, Math.min(k, 1024)));
        for (; k > 0; k--) {
          topics.add(readString(b));
        }
        m.subscriptions = List.copyOf(topics);
        g.members.put(m.memberId, m);
      }
      return g;
    } catch (BufferUnderflowException | IllegalArgumentException | NullPointerException e) {
      throw new MalformedSnapshotException("Malformed share group value of " + groupId, e);
    }
  }

  private static void writeString(DataOutputStream out, String s) throws IOException {
    if (s == null) {
      out.writeShort(-1);
      return;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeShort(b.length);
    out.write(b);
  }

  private static String readString(ByteBuffer b) {
    short len = b.getShort();
    if (len < 0) {
      return null;
    }
    byte[] bytes = new byte[len];
    b.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
