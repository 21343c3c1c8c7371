package dev.ferry.storage;

import dev.ferry.storage.epoch.LeaderEpochCache;
import dev.ferry.storage.producer.ProducerStateManager;
import dev.ferry.storage.segment.LocalLog;
import dev.ferry.storage.segment.LogSegment;
import dev.ferry.storage.segment.LogSegments;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Removing data from either end of a {@link PartitionLog}: the head when the log start moves
 * forward (retention, DeleteRecords, a follower following its leader), the tail when replication
 * truncates a divergent suffix, or all of it when a follower restarts the log past its end. Keeps
 * the producer state and the leader-epoch cache in step with the data. The contracts are on the
 * {@link PartitionLog} methods of the same names.
 */
final class LogTruncation {

  private static final Logger log = LoggerFactory.getLogger(LogTruncation.class);

  private final PartitionLog owner;
  private final LocalLog local;
  private final LogSegments segments;
  private final ProducerStateManager producerState;
  private final LeaderEpochCache epochCache;
  private final ReentrantLock lock;

  LogTruncation(
      PartitionLog owner,
      LocalLog local,
      ProducerStateManager producerState,
      LeaderEpochCache epochCache,
      ReentrantLock lock) {
    this.owner = owner;
    this.local = local;
    this.segments = local.segments();
    this.producerState = producerState;
    this.epochCache = epochCache;
    this.lock = lock;
  }

  long advanceLogStartOffset(long offset) {
    lock.lock();
    try {
      owner.ensureOpen();
      long leo = local.logEndOffset();
      if (offset > leo) {
        throw new OffsetOutOfRangeException(
            "Cannot move the log start of "
                + owner.topicPartition()
                + " to "
                + offset
                + ", past the log end "
                + leo);
      }
      if (offset <= owner.logStartOffset()) {
        return owner.logStartOffset();
      }
      owner.setLogStartOffset(offset);
      List<LogSegment> doomed = new ArrayList<>();
      for (LogSegment s : segments.all()) {
        Long nextBase = segments.higherBaseOffset(s.baseOffset());
        if (nextBase == null || nextBase > offset) {
          break;
        }
        doomed.add(s);
      }
      local.deleteSegments(doomed, "log start offset moved to " + offset);
      afterLogStartMoved();
      return offset;
    } finally {
      lock.unlock();
    }
  }

  void truncateTo(long offset) {
    lock.lock();
    try {
      owner.ensureOpen();
      if (offset >= local.logEndOffset()) {
        return;
      }
      if (offset <= segments.firstBaseOffset() || offset < owner.logStartOffset()) {
        restartAt(offset);
        return;
      }
      LocalLog.Truncation t = local.truncateTo(offset);
      long leo = local.logEndOffset();
      owner.clampToLogEnd(leo);
      producerState.rebuild(segments, leo, owner.logStartOffset());
      owner.transactions().reset(producerState);
      // After the data: a crash in between leaves entries at or past the log end, dropped at load.
      if (epochCache.truncateFromEnd(leo)) {
        epochCache.persist();
      }
      log.info(
          "Truncated {} to offset {} ({} bytes and {} segments removed)",
          owner.topicPartition(),
          leo,
          t.bytesRemoved(),
          t.segmentsRemoved());
    } catch (IOException e) {
      throw local.storageError("truncate", e);
    } finally {
      lock.unlock();
    }
  }

  void truncateFullyAndStartAt(long offset) {
    lock.lock();
    try {
      owner.ensureOpen();
      restartAt(offset);
    } catch (IOException e) {
      throw local.storageError("truncate", e);
    } finally {
      lock.unlock();
    }
  }

  /** Empties the log and restarts it at {@code offset}. Caller holds the lock. */
  private void restartAt(long offset) throws IOException {
    local.restartAt(offset);
    owner.restartOffsetsAt(offset);
    producerState.clear();
    owner.transactions().reset(producerState);
    producerState.deleteSnapshotsAbove(-1);
    if (epochCache.clear() || Files.exists(epochCache.file())) {
      epochCache.persist();
    }
    afterLogStartMoved();
    log.info("Truncated {} fully; it restarts at offset {}", owner.topicPartition(), offset);
  }

  int enforceRetention(long nowMs) {
    lock.lock();
    try {
      if (owner.isClosed()) {
        return 0;
      }
      LogConfig cfg = local.config();
      List<LogSegment> all = segments.snapshot();
      int n =
          RetentionPolicy.deletableSegments(
              all, nowMs, cfg, local.logEndOffset(), owner.highWatermark());
      if (n == 0) {
        return 0;
      }
      if (n == all.size()) {
        // Even the active segment is expired: roll so the log keeps an (empty) active segment.
        owner.roll(cfg);
      }
      List<LogSegment> doomed = all.subList(0, n);
      long newStart = segments.higherBaseOffset(doomed.get(n - 1).baseOffset());
      owner.setLogStartOffset(Math.max(owner.logStartOffset(), newStart));
      local.deleteSegments(doomed, "retention");
      afterLogStartMoved();
      return n;
    } finally {
      lock.unlock();
    }
  }

  private void afterLogStartMoved() {
    long logStart = owner.logStartOffset();
    owner.raiseHighWatermarkTo(logStart);
    if (epochCache.truncateFromStart(logStart)) {
      try {
        epochCache.persist();
      } catch (IOException e) {
        // Stale entries below the log start are harmless and trimmed again at the next load.
        log.warn("Could not rewrite the leader-epoch checkpoint of {}", owner.topicPartition(), e);
      }
    }
    producerState.pruneBefore(logStart);
    try {
      producerState.deleteSnapshotsBelow(segments.firstBaseOffset());
    } catch (IOException e) {
      log.warn("Could not delete old producer snapshots of {}", owner.topicPartition(), e);
    }
    owner.logStartMoved();
  }
}
