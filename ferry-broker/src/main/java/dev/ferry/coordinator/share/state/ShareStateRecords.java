package dev.ferry.coordinator.share.state;

import dev.ferry.coordinator.share.SharePartitionKey;
import dev.ferry.coordinator.share.ShareStateSnapshot;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;

/**
 * The records of {@code __share_group_state}: one per write, keyed by the share-partition (group,
 * topic id, partition), whose value is the whole state at that moment (a snapshot, so the latest
 * record of a key is its state and compaction keeps exactly that); a null value deletes it. Both
 * start with a version so the format can change.
 *
 * <p>Key: version (int16, 0), group id (int16 length + UTF-8), topic id (two int64), partition
 * (int32). Value: version (int16, 0), leader epoch of the writer (int32), start offset (int64), run
 * count (int32), then per run first offset, last offset (int64), state (int8), delivery count
 * (int16).
 */
public final class ShareStateRecords {

  private static final short KEY_VERSION = 0;
  private static final short VALUE_VERSION = 0;
  private static final int RUN_BYTES = 8 + 8 + 1 + 2;

  private ShareStateRecords() {}

  /** A state with the leader epoch of the share-partition leader that wrote it. */
  public record Value(int leaderEpoch, ShareStateSnapshot state) {}

  public static byte[] key(SharePartitionKey key) {
    byte[] group = key.groupId().getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(2 + 2 + group.length + 16 + 4);
    b.putShort(KEY_VERSION).putShort((short) group.length).put(group);
    Uuid id = key.partition().topicId();
    b.putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits());
    b.putInt(key.partition().partition());
    return b.array();
  }

  /** The key, or null for a record of an unknown key version (skipped when loading). */
  public static SharePartitionKey readKey(ByteBuffer b) {
    ByteBuffer in = b.duplicate();
    if (in.getShort() != KEY_VERSION) {
      return null;
    }
    byte[] group = new byte[in.getShort()];
    in.get(group);
    Uuid id = new Uuid(in.getLong(), in.getLong());
    int partition = in.getInt();
    return new SharePartitionKey(
        new String(group, StandardCharsets.UTF_8), new TopicIdPartition(id, partition, ""));
  }

  public static byte[] value(int leaderEpoch, ShareStateSnapshot state) {
    ByteBuffer b = ByteBuffer.allocate(2 + 4 + 8 + 4 + state.runs().size() * RUN_BYTES);
    b.putShort(VALUE_VERSION).putInt(leaderEpoch).putLong(state.startOffset());
    b.putInt(state.runs().size());
    for (ShareStateSnapshot.Run r : state.runs()) {
      b.putLong(r.first()).putLong(r.last()).put(r.state()).putShort(r.deliveryCount());
    }
    return b.array();
  }

  /** The value, or null for a tombstone or an unknown value version. */
  public static Value readValue(ByteBuffer b) {
    if (b == null) {
      return null;
    }
    ByteBuffer in = b.duplicate();
    if (in.getShort() != VALUE_VERSION) {
      return null;
    }
    int epoch = in.getInt();
    long start = in.getLong();
    int n = in.getInt();
    List<ShareStateSnapshot.Run> runs = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      runs.add(new ShareStateSnapshot.Run(in.getLong(), in.getLong(), in.get(), in.getShort()));
    }
    return new Value(epoch, new ShareStateSnapshot(start, runs));
  }
}
