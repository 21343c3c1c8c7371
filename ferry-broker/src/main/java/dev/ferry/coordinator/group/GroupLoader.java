package dev.ferry.coordinator.group;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replays one {@code __consumer_offsets} partition from its start to its end and returns the latest
 * state of every group in it: the last value per key wins and tombstones delete.
 */
final class GroupLoader {

  private static final Logger log = LoggerFactory.getLogger(GroupLoader.class);
  private static final int READ_BYTES = 4 * 1024 * 1024;

  /** What the log says about one group. */
  static final class LoadedGroup {
    GroupMetadataValue metadata;

    /** The latest consumer-protocol group snapshot (parsed once the partition is loaded). */
    ByteBuffer consumerGroup;

    /** The latest share group snapshot, handed to the share-group coordinator as it is. */
    ByteBuffer shareGroup;

    /** Whether anything but a share group's snapshot is known: then a classic group exists. */
    boolean hasClassicOrConsumerState() {
      return metadata != null || consumerGroup != null || !offsets.isEmpty();
    }

    final Map<TopicPartition, ClassicGroup.StoredOffset> offsets = new HashMap<>();
  }

  /**
   * The result of a load.
   *
   * @param pendingTransactional offsets of transactions with no marker yet: producer id → group →
   *     partition → offset
   */
  record Loaded(
      Map<String, LoadedGroup> groups,
      long records,
      long endOffset,
      Map<Long, Map<String, Map<TopicPartition, ClassicGroup.StoredOffset>>>
          pendingTransactional) {}

  private GroupLoader() {}

  /**
   * Reads until the log end offset seen at the start (the partition takes no writes while loading).
   * {@code cancelled} is polled between batches so an unload stops a long load.
   */
  static Loaded load(CoordinatorLog source, java.util.function.BooleanSupplier cancelled) {
    Map<String, LoadedGroup> groups = new HashMap<>();
    Map<Long, Map<String, Map<TopicPartition, ClassicGroup.StoredOffset>>> pending =
        new HashMap<>();
    long end = source.logEndOffset();
    long offset = source.logStartOffset();
    long count = 0;
    while (offset < end && !cancelled.getAsBoolean()) {
      Records records = source.read(offset, READ_BYTES);
      long before = offset;
      for (RecordBatch batch : records.batches()) {
        if (batch.lastOffset() < offset) {
          continue;
        }
        if (batch.isControlBatch()) {
          applyMarker(groups, pending, batch);
        } else if (batch.isTransactional()) {
          // Offsets committed in a transaction count only once its COMMIT marker follows.
          for (Record r : batch) {
            if (r.offset() >= offset) {
              collectTransactional(pending, batch.producerId(), r);
              count++;
            }
          }
        } else {
          for (Record r : batch) {
            if (r.offset() >= offset) {
              apply(groups, r);
              count++;
            }
          }
        }
        offset = batch.nextOffset();
      }
      if (offset == before) {
        // Nothing readable where the index says there is data: do not spin.
        log.warn("Stopped loading {} at offset {} of {}: no batch there", source, offset, end);
        break;
      }
    }
    return new Loaded(groups, count, offset, pending);
  }

  private static void collectTransactional(
      Map<Long, Map<String, Map<TopicPartition, ClassicGroup.StoredOffset>>> pending,
      long producerId,
      Record r) {
    if (!r.hasKey() || !r.hasValue()) {
      return;
    }
    try {
      if (GroupRecords.parseKey(r.key()) instanceof GroupRecords.OffsetKey k
          && knownVersion(r.value(), r)) {
        pending
            .computeIfAbsent(producerId, id -> new HashMap<>())
            .computeIfAbsent(k.group(), id -> new HashMap<>())
            .put(
                k.topicPartition(),
                new ClassicGroup.StoredOffset(
                    GroupRecords.parseOffsetValue(r.value()), r.offset()));
      }
    } catch (GroupRecords.MalformedRecordException e) {
      log.warn("Skipping malformed transactional offset record at {}", r.offset(), e);
    }
  }

  private static void applyMarker(
      Map<String, LoadedGroup> groups,
      Map<Long, Map<String, Map<TopicPartition, ClassicGroup.StoredOffset>>> pending,
      RecordBatch marker) {
    if (!marker.hasProducerId()) {
      return;
    }
    Map<String, Map<TopicPartition, ClassicGroup.StoredOffset>> decided =
        pending.remove(marker.producerId());
    if (decided == null) {
      return;
    }
    java.util.Iterator<Record> it = marker.iterator();
    if (!it.hasNext() || ControlRecordType.parse(it.next().key()) != ControlRecordType.COMMIT) {
      return; // aborted: its offsets never count
    }
    decided.forEach(
        (group, offsets) -> {
          LoadedGroup g = groups.computeIfAbsent(group, id -> new LoadedGroup());
          offsets.forEach(
              (tp, o) -> {
                ClassicGroup.StoredOffset prev = g.offsets.get(tp);
                if (prev == null || prev.recordOffset() < o.recordOffset()) {
                  g.offsets.put(tp, o);
                }
              });
        });
  }

  private static void apply(Map<String, LoadedGroup> groups, Record r) {
    if (!r.hasKey()) {
      log.warn("Skipping group record without key at offset {}", r.offset());
      return;
    }
    GroupRecords.Key key;
    try {
      key = GroupRecords.parseKey(r.key());
    } catch (GroupRecords.MalformedRecordException e) {
      log.warn("Skipping malformed group record key at offset {}", r.offset(), e);
      return;
    }
    ByteBuffer value = r.hasValue() ? r.value() : null;
    try {
      if (key instanceof GroupRecords.OffsetKey k) {
        if (value == null) {
          LoadedGroup g = groups.get(k.group());
          if (g != null) {
            g.offsets.remove(k.topicPartition());
            dropIfEmpty(groups, k.group(), g);
          }
        } else if (knownVersion(value, r)) {
          groups
              .computeIfAbsent(k.group(), id -> new LoadedGroup())
              .offsets
              .put(
                  k.topicPartition(),
                  new ClassicGroup.StoredOffset(GroupRecords.parseOffsetValue(value), r.offset()));
        }
      } else if (key instanceof GroupRecords.GroupKey k) {
        if (value == null) {
          LoadedGroup g = groups.get(k.group());
          if (g != null) {
            g.metadata = null;
            dropIfEmpty(groups, k.group(), g);
          }
        } else if (knownVersion(value, r)) {
          groups.computeIfAbsent(k.group(), id -> new LoadedGroup()).metadata =
              GroupRecords.parseGroupValue(value);
        }
      } else if (key instanceof GroupRecords.ConsumerGroupKey k) {
        if (value == null) {
          LoadedGroup g = groups.get(k.group());
          if (g != null) {
            g.consumerGroup = null;
            dropIfEmpty(groups, k.group(), g);
          }
        } else {
          groups.computeIfAbsent(k.group(), id -> new LoadedGroup()).consumerGroup = value;
        }
      } else if (key instanceof GroupRecords.ShareGroupKey k) {
        if (value == null) {
          LoadedGroup g = groups.get(k.group());
          if (g != null) {
            g.shareGroup = null;
            dropIfEmpty(groups, k.group(), g);
          }
        } else {
          groups.computeIfAbsent(k.group(), id -> new LoadedGroup()).shareGroup = value;
        }
      } else if (key instanceof GroupRecords.UnknownKey k) {
        log.debug("Skipping group record of unknown key type {} at {}", k.keyType(), r.offset());
      }
    } catch (GroupRecords.MalformedRecordException e) {
      log.warn("Skipping malformed group record value at offset {}", r.offset(), e);
    }
  }

  private static boolean knownVersion(ByteBuffer value, Record r) {
    short v = GroupRecords.valueVersion(value);
    if (v > GroupRecords.VALUE_VERSION || v < 0) {
      log.warn("Skipping group record value of unknown version {} at offset {}", v, r.offset());
      return false;
    }
    return true;
  }

  private static void dropIfEmpty(Map<String, LoadedGroup> groups, String id, LoadedGroup g) {
    if (!g.hasClassicOrConsumerState() && g.shareGroup == null) {
      groups.remove(id);
    }
  }

  /** Member protocols rebuilt from the persisted chosen protocol's metadata. */
  static List<GroupMember.Protocol> protocolsOf(
      GroupMetadataValue group, GroupMetadataValue.Member m) {
    List<GroupMember.Protocol> ps = new ArrayList<>(1);
    if (group.protocolName() != null) {
      ps.add(new GroupMember.Protocol(group.protocolName(), m.subscription()));
    }
    return ps;
  }
}
