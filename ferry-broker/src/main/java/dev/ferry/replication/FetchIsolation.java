package dev.ferry.replication;

import org.apache.kafka.common.IsolationLevel;

/**
 * How far a read may see into a partition's log: a follower copies everything up to the log end; a
 * read_uncommitted consumer sees up to the high watermark; a read_committed consumer up to the last
 * stable offset (below the first open transaction), which equals the high watermark while no
 * transaction is open.
 */
public enum FetchIsolation {
  LOG_END,
  HIGH_WATERMARK,
  TXN_COMMITTED;

  /** The bound a consumer's isolation level asks for. */
  public static FetchIsolation of(IsolationLevel level) {
    return level == IsolationLevel.READ_COMMITTED ? TXN_COMMITTED : HIGH_WATERMARK;
  }
}
