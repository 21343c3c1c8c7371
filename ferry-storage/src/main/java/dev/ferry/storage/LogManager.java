package dev.ferry.storage;

import java.io.Closeable;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;

/**
 * Owns every partition log under {@code log.dirs}: loads them at start-up (recovering after an
 * unclean stop), creates and deletes them, and runs the retention and flush schedule on one
 * background thread.
 */
public final class LogManager implements Closeable {

  /**
   * @param logDirs the {@code log.dirs}; new partitions go to the dir with the fewest partitions
   * @param defaults broker-level log settings, used for partitions without overrides
   * @param retentionCheckIntervalMs {@code log.retention.check.interval.ms}
   */
  public LogManager(
      List<Path> logDirs, LogConfig defaults, long retentionCheckIntervalMs, Time time) {
    throw new UnsupportedOperationException("TODO");
  }

  /**
   * Loads every partition directory found (recovering if the last stop was unclean) and starts the
   * background schedule. Idempotent.
   */
  public void startup() {
    throw new UnsupportedOperationException("TODO");
  }

  public Optional<PartitionLog> get(TopicPartition tp) {
    throw new UnsupportedOperationException("TODO");
  }

  /** Returns the existing log for {@code tp} or creates it with {@code config}. */
  public PartitionLog getOrCreate(TopicPartition tp, LogConfig config) {
    throw new UnsupportedOperationException("TODO");
  }

  /** Closes and removes the partition's directory (renamed first, then deleted in background). */
  public void delete(TopicPartition tp) {
    throw new UnsupportedOperationException("TODO");
  }

  public Collection<PartitionLog> all() {
    throw new UnsupportedOperationException("TODO");
  }

  public LogConfig defaults() {
    throw new UnsupportedOperationException("TODO");
  }

  /** Flushes and closes every log and records a clean shutdown so the next start skips recovery. */
  @Override
  public void close() {
    throw new UnsupportedOperationException("TODO");
  }
}
