package dev.ferry.reliability;

import dev.ferry.storage.LogConfig;
import dev.ferry.storage.PartitionLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.utils.Time;

/**
 * What a stopped replica's log holds, batch by batch: base and last offset, leader epoch, size and
 * CRC32C (which covers everything after the leader epoch). Two replicas with equal fingerprints
 * hold the same bytes.
 *
 * @param highWatermark the replica's checkpointed high watermark
 * @param logEndOffset its log end offset
 * @param batches one line per batch
 */
record ReplicaFingerprint(long highWatermark, long logEndOffset, List<String> batches) {

  /** Opens the partition directory {@code dir} of a stopped broker and reads it whole. */
  static ReplicaFingerprint of(Path dir) {
    LogConfig config = LogConfig.fromMap(LogConfig.defaultValues());
    try (PartitionLog log = PartitionLog.open(dir, config, Time.SYSTEM, true)) {
      List<String> batches = new ArrayList<>();
      long end = log.logEndOffset();
      long offset = log.logStartOffset();
      while (offset < end) {
        Records records = log.read(offset, 1 << 20, end, true).records();
        long next = offset;
        for (RecordBatch b : records.batches()) {
          batches.add(
              b.baseOffset()
                  + ".."
                  + b.lastOffset()
                  + " epoch "
                  + b.partitionLeaderEpoch()
                  + " size "
                  + b.sizeInBytes()
                  + " crc "
                  + Long.toHexString(b.checksum()));
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
}
