package dev.ferry.coordinator.transaction;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.TopicPartition;

/**
 * The key and value layout of {@code __transaction_state} records. The key is the transactional id
 * (so compaction keeps the latest state of each); a null value (tombstone) removes an expired id.
 * Both start with a version so the layout can evolve.
 */
public final class TransactionLogRecords {

  static final short KEY_VERSION = 0;
  static final short VALUE_VERSION = 1;

  /** A record that cannot be parsed; the loader skips it with a warning. */
  public static final class MalformedRecordException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    MalformedRecordException(String message) {
      super(message);
    }
  }

  private TransactionLogRecords() {}

  public static byte[] key(String transactionalId) {
    byte[] id = transactionalId.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(2 + 2 + id.length);
    b.putShort(KEY_VERSION).putShort((short) id.length).put(id);
    return b.array();
  }

  public static String parseKey(ByteBuffer key) {
    ByteBuffer b = key.duplicate();
    try {
      short version = b.getShort();
      if (version != KEY_VERSION) {
        throw new MalformedRecordException("unknown key version " + version);
      }
      return readString(b);
    } catch (java.nio.BufferUnderflowException e) {
      throw new MalformedRecordException("truncated key");
    }
  }

  public static byte[] value(TransactionRecord r) {
    Map<String, List<Integer>> byTopic = new TreeMap<>();
    for (TopicPartition tp : r.partitions()) {
      byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition());
    }
    int size = 2 + 8 * 3 + 2 * 2 + 4 + 1 + 1 + 8 * 2 + 4;
    List<byte[]> names = new ArrayList<>(byTopic.size());
    for (Map.Entry<String, List<Integer>> e : byTopic.entrySet()) {
      byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
      names.add(name);
      size += 2 + name.length + 4 + 4 * e.getValue().size();
    }
    ByteBuffer b = ByteBuffer.allocate(size);
    b.putShort(VALUE_VERSION)
        .putLong(r.producerId())
        .putLong(r.previousProducerId())
        .putLong(r.nextProducerId())
        .putShort(r.producerEpoch())
        .putShort(r.lastProducerEpoch())
        .putInt(r.timeoutMs())
        .put(r.state().id())
        .put(r.clientTransactionVersion())
        .putLong(r.startTimestamp())
        .putLong(r.lastUpdateTimestamp())
        .putInt(byTopic.size());
    int i = 0;
    for (List<Integer> partitions : byTopic.values()) {
      byte[] name = names.get(i++);
      b.putShort((short) name.length).put(name).putInt(partitions.size());
      for (int p : partitions) {
        b.putInt(p);
      }
    }
    return b.array();
  }

  public static TransactionRecord parseValue(ByteBuffer value) {
    ByteBuffer b = value.duplicate();
    try {
      short version = b.getShort();
      if (version != VALUE_VERSION) {
        throw new MalformedRecordException("unknown value version " + version);
      }
      long pid = b.getLong();
      long prev = b.getLong();
      long next = b.getLong();
      short epoch = b.getShort();
      short lastEpoch = b.getShort();
      int timeout = b.getInt();
      byte stateId = b.get();
      TransactionState state =
          TransactionState.byId(stateId)
              .orElseThrow(() -> new MalformedRecordException("unknown state " + stateId));
      byte tv = b.get();
      long start = b.getLong();
      long update = b.getLong();
      int topics = b.getInt();
      Set<TopicPartition> partitions = new HashSet<>();
      for (int t = 0; t < topics; t++) {
        String topic = readString(b);
        int n = b.getInt();
        for (int k = 0; k < n; k++) {
          partitions.add(new TopicPartition(topic, b.getInt()));
        }
      }
      return new TransactionRecord(
          pid, prev, next, epoch, lastEpoch, timeout, state, partitions, start, update, tv);
    } catch (java.nio.BufferUnderflowException | IllegalArgumentException e) {
      throw new MalformedRecordException("truncated or bad value: " + e);
    }
  }

  private static String readString(ByteBuffer b) {
    int len = b.getShort();
    if (len < 0 || len > b.remaining()) {
      throw new MalformedRecordException("bad string length " + len);
    }
    byte[] bytes = new byte[len];
    b.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
