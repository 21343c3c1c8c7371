package dev.ferry.storage;

import dev.ferry.storage.cleaner.CleanableLog;
import dev.ferry.storage.cleaner.CleanableRange;
import dev.ferry.storage.segment.LogSegment;
import dev.ferry.storage.txn.AbortedTxn;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.common.TopicPartition;

/**
 * The cleaner's view of a {@link PartitionLog}: each call takes the log's lock, as appends and
 * truncation do, so a cleaned range and a swap always see a consistent log.
 */
final class PartitionCleanerView implements CleanableLog {

  private final PartitionLog log;

  PartitionCleanerView(PartitionLog log) {
    this.log = log;
  }

  @Override
  public TopicPartition topicPartition() {
    return log.topicPartition();
  }

  @Override
  public Path dir() {
    return log.dir();
  }

  @Override
  public LogConfig config() {
    return log.config();
  }

  @Override
  public CleanableRange cleanableRange(long nowMs) {
    ReentrantLock lock = log.lock();
    lock.lock();
    try {
      log.ensureOpen();
      LogConfig cfg = log.config();
      // Never past the last stable offset: an open transaction may still be aborted, and its
      // data must then go, not be deduplicated into what stays.
      long hw = log.lastStableOffset();
      List<LogSegment> all = log.local().segments().snapshot();
      List<LogSegment> cleanable = new ArrayList<>();
      for (int i = 0; i < all.size() - 1; i++) {
        LogSegment s = all.get(i);
        long nextBase = all.get(i + 1).baseOffset();
        boolean committed = nextBase <= hw;
        boolean oldEnough = nowMs - s.largestTimestamp() >= cfg.minCompactionLagMs();
        if (!committed || !oldEnough) {
          break;
        }
        cleanable.add(s);
      }
      long firstUncleanable =
          cleanable.size() < all.size()
              ? all.get(cleanable.size()).baseOffset()
              : log.logEndOffset();
      long firstDirty = Math.min(log.firstDirtyOffset(), firstUncleanable);
      long cleanBytes = 0;
      long dirtyBytes = 0;
      boolean lagExceeded = false;
      for (int i = 0; i < cleanable.size(); i++) {
        LogSegment s = cleanable.get(i);
        long nextBase = all.get(i + 1).baseOffset();
        if (nextBase <= firstDirty) {
          cleanBytes += s.sizeInBytes();
        } else {
          dirtyBytes += s.sizeInBytes();
          long first = s.firstBatchMaxTimestamp();
          if (first >= 0 && nowMs - first > cfg.maxCompactionLagMs()) {
            lagExceeded = true;
          }
        }
      }
      return new CleanableRange(
          log.topicPartition(),
          firstDirty,
          firstUncleanable,
          List.copyOf(cleanable),
          cleanBytes,
          dirtyBytes,
          lagExceeded);
    } catch (IOException e) {
      throw log.local().storageError("inspect for cleaning", e);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public Set<Long> producerLastBatchOffsets() {
    ReentrantLock lock = log.lock();
    lock.lock();
    try {
      return log.producerState().lastBatchOffsets();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public boolean replaceSegments(List<LogSegment> replaced, LogSegment cleaned) {
    ReentrantLock lock = log.lock();
    lock.lock();
    try {
      if (log.isClosed()) {
        log.local().discardCleaned(cleaned);
        return false;
      }
      return log.local().replaceSegments(replaced, cleaned);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void setFirstDirtyOffset(long offset) {
    log.setFirstDirtyOffset(offset);
  }

  @Override
  public long logStartOffset() {
    return log.logStartOffset();
  }

  @Override
  public List<AbortedTxn> abortedTransactions(long from, long upperBound) {
    return log.abortedTransactions(from, upperBound);
  }
}
