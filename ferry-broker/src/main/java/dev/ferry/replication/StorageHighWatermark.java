package dev.ferry.replication;

import dev.ferry.storage.PartitionLog;

/** The high watermark as the storage layer keeps it (checkpointed, bounds retention). */
final class StorageHighWatermark {

  private StorageHighWatermark() {}

  static long read(PartitionLog log) {
    return log.highWatermark();
  }

  static void publish(PartitionLog log, long offset) {
    log.updateHighWatermark(offset);
  }
}
