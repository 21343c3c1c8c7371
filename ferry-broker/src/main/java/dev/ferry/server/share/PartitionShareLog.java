package dev.ferry.server.share;

import dev.ferry.coordinator.share.ShareLog;
import dev.ferry.replication.FetchParams;
import dev.ferry.replication.Partition;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.record.internal.Records;

/**
 * A led partition as its share-partitions read it: read_uncommitted (Kafka's default {@code
 * share.isolation.level}), up to the high watermark, at the leader epoch of the moment it was
 * looked up, so a new leadership term reloads the share-partition.
 */
final class PartitionShareLog implements ShareLog {

  private static final FetchParams READ = FetchParams.consumer(IsolationLevel.READ_UNCOMMITTED);

  private final Partition partition;
  private final int leaderEpoch;

  PartitionShareLog(Partition partition) {
    this.partition = partition;
    this.leaderEpoch = partition.leaderEpoch();
  }

  @Override
  public Records read(long offset, int maxBytes) {
    return partition.read(READ, offset, leaderEpoch, maxBytes, true).records();
  }

  @Override
  public long logStartOffset() {
    return partition.logStartOffset();
  }

  @Override
  public long highWatermark() {
    return partition.highWatermark();
  }

  @Override
  public int leaderEpoch() {
    return leaderEpoch;
  }
}
