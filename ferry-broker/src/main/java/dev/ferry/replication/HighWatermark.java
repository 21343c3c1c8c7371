package dev.ferry.replication;

import dev.ferry.storage.PartitionLog;

/**
 * A replica's high watermark: the offset below which records are committed. Only this class moves
 * it, and it keeps the log's copy (checkpointed at shutdown, the start point after a restart) in
 * step. It never passes the log end offset; it goes back only when the log itself is cut.
 */
final class HighWatermark {

  private final PartitionLog log;
  private volatile long value;

  /** The log's last known high watermark, capped at its end. */
  HighWatermark(PartitionLog log) {
    this.log = log;
    this.value = Math.min(log.highWatermark(), log.logEndOffset());
  }

  long get() {
    return value;
  }

  /**
   * Moves forward to {@code offset} (capped at the log end); never back.
   *
   * @return whether it moved
   */
  synchronized boolean advanceTo(long offset) {
    long next = Math.min(offset, log.logEndOffset());
    if (next <= value) {
      return false;
    }
    value = next;
    log.updateHighWatermark(next);
    return true;
  }

  /** After a truncation: at most the new log end. */
  synchronized void capAtLogEnd() {
    value = Math.min(value, log.logEndOffset());
    log.updateHighWatermark(value);
  }

  /** After the log restarted at a new offset: everything it holds (nothing) is committed. */
  synchronized void resetToLogEnd() {
    value = log.logEndOffset();
    log.updateHighWatermark(value);
  }
}
