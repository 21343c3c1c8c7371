package dev.ferry.replication;

import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.errors.InvalidRequestException;

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

  /**
   * The bound for a request's {@code isolation_level} byte. Any value but 0 and 1 is the client's
   * error (INVALID_REQUEST), not the broker's: the codec's own lookup throws a plain
   * IllegalArgumentException, which would be logged and answered as an unknown server error.
   */
  public static FetchIsolation ofWire(byte isolationLevel) {
    if (isolationLevel == IsolationLevel.READ_UNCOMMITTED.id()) {
      return HIGH_WATERMARK;
    }
    if (isolationLevel == IsolationLevel.READ_COMMITTED.id()) {
      return TXN_COMMITTED;
    }
    throw new InvalidRequestException("Unknown isolation level " + isolationLevel);
  }
}
