package dev.ferry.reliability;

import dev.ferry.storage.LogConfig;
import dev.ferry.storage.PartitionLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.utils.Time;

/**
 * What a stopped replica's log holds, batch by batch: offsets, leader epoch, size, CRC32C (which
 * covers everything after the leader epoch) and the producer fields. Two replicas with equal
 * fingerprints hold the same bytes.
 *
 * @param highWatermark the replica's checkpointed high watermark
 * @param logEndOffset its log end offset
 * @param batches every batch, in offset order
 */
record ReplicaFingerprint(long highWatermark, long logEndOffset, List<Batch> batches) {

  /** One batch's header fields; the producer fields tell which client write it came from. */
  record Batch(
      long baseOffset,
      long lastOffset,
      int leaderEpoch,
      int size,
      long crc,
      long producerId,
      short producerEpoch,
      int baseSequence) {

    boolean covers(long offset) {
      return baseOffset <= offset && offset <= lastOffset;
    }

    @Override
    public String toString() {
      return String.format(
          "%d..%d leader epoch %d size %d crc %x producer %d epoch %d seq %d",
          baseOffset, lastOffset, leaderEpoch, size, crc, producerId, producerEpoch, baseSequence);
    }
  }

  /** Opens the partition directory {@code dir} of a stopped broker and reads it whole. */
  static ReplicaFingerprint of(Path dir) {
    LogConfig config = LogConfig.fromMap(LogConfig.defaultValues());
    try (PartitionLog log = PartitionLog.open(dir, config, Time.SYSTEM, true)) {
      List<Batch> batches = new ArrayList<>();
      long end = log.logEndOffset();
      long offset = log.logStartOffset();
      while (offset < end) {
        Records records = log.read(offset, 1 << 20, end, true).records();
        long next = offset;
        for (RecordBatch b : records.batches()) {
          batches.add(
              new Batch(
                  b.baseOffset(),
                  b.lastOffset(),
                  b.partitionLeaderEpoch(),
                  b.sizeInBytes(),
                  b.checksum(),
                  b.producerId(),
                  b.producerEpoch(),
                  b.baseSequence()));
          next = b.lastOffset() + 1;
        }
        if (next == offset) {
          throw new IllegalStateException("No batch at offset " + offset + " of " + dir);
        }
        offset = next;
      }
      return new ReplicaFingerprint(log.highWatermark(), end, batches);
    }
  }

  /** The batches holding any of {@code offsets}, with {@code context} batches either side. */
  List<Batch> around(Collection<Long> offsets, int context) {
    List<Batch> out = new ArrayList<>();
    for (int i = 0; i < batches.size(); i++) {
      for (int j = Math.max(0, i - context); j <= Math.min(batches.size() - 1, i + context); j++) {
        if (offsets.stream().anyMatch(batches.get(j)::covers)) {
          out.add(batches.get(i));
          break;
        }
      }
    }
    return out;
  }
}
