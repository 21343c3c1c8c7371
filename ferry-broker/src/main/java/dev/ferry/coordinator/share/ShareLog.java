package dev.ferry.coordinator.share;

import org.apache.kafka.common.record.internal.Records;

/**
 * The partition log as a share-partition reads it: committed records only (up to the high
 * watermark), on the leader. The broker adapts its replication {@code Partition}; unit tests use an
 * in-memory log.
 */
public interface ShareLog {

  /**
   * Batches from the one containing {@code offset}, at most about {@code maxBytes} (the first batch
   * whole), up to the high watermark.
   *
   * @throws org.apache.kafka.common.errors.ApiException e.g. NOT_LEADER_OR_FOLLOWER
   */
  Records read(long offset, int maxBytes);

  long logStartOffset();

  long highWatermark();

  /** The leader epoch this log is read at; a change means another leadership term. */
  int leaderEpoch();
}
