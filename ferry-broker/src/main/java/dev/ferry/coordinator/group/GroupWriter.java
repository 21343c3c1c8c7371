package dev.ferry.coordinator.group;

import dev.ferry.storage.AppendResult;
import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.common.utils.internals.Crc32C;

/**
 * Turns group changes into record batches of {@link GroupRecords} and appends them. Each call
 * writes one batch, so a commit of many partitions is appended atomically.
 */
final class GroupWriter {

  private final Time time;

  GroupWriter(Time time) {
    this.time = time;
  }

  CompletableFuture<AppendResult> writeGroup(CoordinatorLog log, ClassicGroup group) {
    long now = time.milliseconds();
    SimpleRecord r =
        new SimpleRecord(
            now, GroupRecords.groupKey(group.groupId()), GroupRecords.groupValue(group.toValue()));
    return append(log, r);
  }

  CompletableFuture<AppendResult> writeOffsets(
      CoordinatorLog log, String groupId, Map<TopicPartition, OffsetAndMetadata> offsets) {
    long now = time.milliseconds();
    SimpleRecord[] records = new SimpleRecord[offsets.size()];
    int i = 0;
    for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
      records[i++] =
          new SimpleRecord(
              now,
              GroupRecords.offsetKey(groupId, e.getKey()),
              GroupRecords.offsetValue(e.getValue()));
    }
    return append(log, records);
  }

  /** A consumer-protocol group's snapshot, or its tombstone when {@code value} is null. */
  CompletableFuture<AppendResult> writeConsumerGroup(
      CoordinatorLog log, String groupId, byte[] value) {
    return append(
        log, new SimpleRecord(time.milliseconds(), GroupRecords.consumerGroupKey(groupId), value));
  }

  /** A share group's snapshot, or its tombstone when {@code value} is null. */
  CompletableFuture<AppendResult> writeShareGroup(
      CoordinatorLog log, String groupId, byte[] value) {
    return append(
        log, new SimpleRecord(time.milliseconds(), GroupRecords.shareGroupKey(groupId), value));
  }

  /**
   * Offsets committed in a producer's transaction: one transactional batch under the producer's id
   * and epoch (no sequence: the coordinator writes it, not the producer), decided later by the
   * transaction's marker in this partition.
   */
  CompletableFuture<AppendResult> writeTransactionalOffsets(
      CoordinatorLog log,
      String groupId,
      long producerId,
      short producerEpoch,
      Map<TopicPartition, OffsetAndMetadata> offsets) {
    long now = time.milliseconds();
    SimpleRecord[] records = new SimpleRecord[offsets.size()];
    int i = 0;
    for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
      records[i++] =
          new SimpleRecord(
              now,
              GroupRecords.offsetKey(groupId, e.getKey()),
              GroupRecords.offsetValue(e.getValue()));
    }
    try {
      return log.append(
          withoutSequence(
              MemoryRecords.withTransactionalRecords(
                  Compression.NONE, producerId, producerEpoch, 0, records)));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** Offset of the base sequence in a v2 batch header, and of its CRC and the CRC'd part. */
  private static final int BASE_SEQUENCE_OFFSET = 53;

  private static final int CRC_OFFSET = 17;
  private static final int ATTRIBUTES_OFFSET = 21;

  /**
   * Sets the batch's base sequence to "none": the records builder insists on a sequence for
   * transactional batches, but the coordinator's own writes have none (the log checks only their
   * epoch), so a second commit in the same transaction is not taken for a retried batch.
   */
  private static MemoryRecords withoutSequence(MemoryRecords records) {
    ByteBuffer b = records.buffer();
    int start = b.position();
    b.putInt(start + BASE_SEQUENCE_OFFSET, RecordBatch.NO_SEQUENCE);
    long crc = Crc32C.compute(b, ATTRIBUTES_OFFSET, records.sizeInBytes() - ATTRIBUTES_OFFSET);
    b.putInt(start + CRC_OFFSET, (int) crc);
    return records;
  }

  /** Tombstones for the given offsets, and for the group's metadata if {@code groupToo}. */
  CompletableFuture<AppendResult> writeTombstones(
      CoordinatorLog log, String groupId, Collection<TopicPartition> offsets, boolean groupToo) {
    long now = time.milliseconds();
    SimpleRecord[] records = new SimpleRecord[offsets.size() + (groupToo ? 1 : 0)];
    int i = 0;
    for (TopicPartition tp : offsets) {
      records[i++] = new SimpleRecord(now, GroupRecords.offsetKey(groupId, tp), (byte[]) null);
    }
    if (groupToo) {
      records[i] = new SimpleRecord(now, GroupRecords.groupKey(groupId), (byte[]) null);
    }
    return append(log, records);
  }

  private static CompletableFuture<AppendResult> append(
      CoordinatorLog log, SimpleRecord... records) {
    if (records.length == 0) {
      return CompletableFuture.completedFuture(null);
    }
    try {
      return log.append(MemoryRecords.withRecords(Compression.NONE, records));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /**
   * The error a client should see when an append failed: ones that make it look for the coordinator
   * again when the partition moved or the disk failed, a size error for commits too large for one
   * batch.
   */
  static Errors appendError(Throwable failure, boolean offsetCommit) {
    Throwable t = failure;
    while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
      t = t.getCause();
    }
    Errors e = t instanceof ApiException ? Errors.forException(t) : Errors.UNKNOWN_SERVER_ERROR;
    return switch (e) {
      case UNKNOWN_TOPIC_OR_PARTITION,
          NOT_ENOUGH_REPLICAS,
          NOT_ENOUGH_REPLICAS_AFTER_APPEND,
          REQUEST_TIMED_OUT ->
          Errors.COORDINATOR_NOT_AVAILABLE;
      case NOT_LEADER_OR_FOLLOWER, KAFKA_STORAGE_ERROR, NOT_COORDINATOR -> Errors.NOT_COORDINATOR;
      case MESSAGE_TOO_LARGE, RECORD_LIST_TOO_LARGE, INVALID_FETCH_SIZE ->
          offsetCommit ? Errors.INVALID_COMMIT_OFFSET_SIZE : Errors.UNKNOWN_SERVER_ERROR;
      default -> Errors.UNKNOWN_SERVER_ERROR;
    };
  }
}
