package dev.ferry.storage.segment;

import dev.ferry.storage.LogConfig;
import dev.ferry.storage.LogDirFailureChannel;
import dev.ferry.storage.OpenFiles;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The segment I/O of one partition log: writing to the active segment and rolling it, reading
 * across segments, truncating, removing segments with a delayed deletion of their files, flushing
 * and the recovery point, closing. Knows nothing of high watermarks, producers or epochs: that is
 * {@link dev.ferry.storage.PartitionLog}, which owns this and serializes every change through its
 * lock.
 *
 * <p>Threading: the mutating methods are called under the owning log's lock. Flushes (fsync),
 * deletion of due files and the file-level part of truncation and of a cleaned-segment swap run
 * under a separate flush lock, so fsyncs do not block appends. Reads take no lock.
 */
public final class LocalLog {

  private static final Logger log = LoggerFactory.getLogger(LocalLog.class);

  /** What to do once a new active segment exists (a producer-state snapshot at its base). */
  public interface RollListener {
    void rolled(long newBaseOffset) throws IOException;
  }

  /** What a truncation removed, for the log line. */
  public record Truncation(int bytesRemoved, int segmentsRemoved) {}

  private record PendingDeletion(LogSegment segment, long dueMs) {}

  private final Path dir;
  private final TopicPartition topicPartition;
  private final Time time;
  private final LogSegments segments;
  private final Object flushLock = new Object();
  private final ConcurrentLinkedQueue<PendingDeletion> pendingDeletions =
      new ConcurrentLinkedQueue<>();
  private final AtomicLong unflushedMessages = new AtomicLong();
  private volatile LogConfig config;

  private volatile long logEndOffset;
  private volatile long recoveryPoint;
  private volatile long lastFlushMs;
  private volatile long rolledUnflushedOffset = -1;
  private volatile boolean released; // file handles closed; written under flushLock

  /** Where this log's I/O failures take its log dir offline; null for a log outside a manager. */
  private volatile LogDirFailureChannel dirFailures;

  public LocalLog(
      Path dir,
      TopicPartition topicPartition,
      LogConfig config,
      Time time,
      LogSegments segments,
      long recoveryPoint) {
    this.dir = dir;
    this.topicPartition = topicPartition;
    this.config = config;
    this.time = time;
    this.segments = segments;
    this.logEndOffset = segments.active().nextOffset();
    this.recoveryPoint = recoveryPoint;
    this.lastFlushMs = time.milliseconds();
  }

  public Path dir() {
    return dir;
  }

  /** Reports this log's I/O failures to {@code channel} from now on (set by the log manager). */
  public void setDirFailureChannel(LogDirFailureChannel channel) {
    this.dirFailures = channel;
  }

  public TopicPartition topicPartition() {
    return topicPartition;
  }

  public LogSegments segments() {
    return segments;
  }

  public LogConfig config() {
    return config;
  }

  public void updateConfig(LogConfig config) {
    this.config = config;
  }

  /** The offset the next append gets; published after the batches are readable. */
  public long logEndOffset() {
    return logEndOffset;
  }

  /** Offset below which everything is known to be fsynced. */
  public long recoveryPoint() {
    return recoveryPoint;
  }

  /**
   * Starts a new active segment at the log end (returning the current one when it is still empty
   * there), then tells {@code listener}. Caller holds the log's lock.
   */
  public LogSegment roll(int segmentIndexBytes, RollListener listener) throws IOException {
    LogSegment old = segments.active();
    long newBase = logEndOffset;
    if (old.baseOffset() == newBase) {
      return old; // already empty at the log end
    }
    old.onRoll();
    LogSegment segment = LogSegment.create(dir, newBase, segmentIndexBytes);
    segments.put(segment);
    DirSync.fsync(dir);
    listener.rolled(newBase);
    // The rolled segment is flushed by the next maybeFlush (the LogManager's scheduler), off the
    // append path.
    rolledUnflushedOffset = newBase;
    log.debug("Rolled {} at offset {}", topicPartition, newBase);
    return segment;
  }

  /**
   * Writes batches whose offsets are assigned to {@code active}; on failure cuts the partial write
   * back so the segment ends at its last whole batch. The new end is published by {@link
   * #completeAppend}. Caller holds the log's lock. A fault on a mapped index page ({@link
   * #mappedFileFault}) is not cut back: touching the mapped files again could fault again, and the
   * log's dir goes offline anyway.
   */
  public void append(
      LogSegment active,
      MemoryRecords records,
      List<MutableRecordBatch> batches,
      int indexIntervalBytes,
      long nowMs)
      throws IOException {
    try {
      active.append(records, batches, indexIntervalBytes, nowMs);
    } catch (IOException e) {
      try {
        active.discardUncommitted();
      } catch (IOException cut) {
        log.error("Could not cut partial write from {}", active, cut);
      }
      throw e;
    }
  }

  /**
   * Publishes the log end after an append and flushes when {@code flush.messages} records are
   * waiting. Caller holds the log's lock.
   */
  public void completeAppend(long nextOffset, long recordCount, long flushMessages) {
    logEndOffset = nextOffset;
    if (unflushedMessages.addAndGet(recordCount) >= flushMessages) {
      flush();
    }
  }

  /**
   * The batches from the one containing {@code fetchOffset}, at most {@code maxBytes} (or one whole
   * batch with {@code minOneBatch}), below {@code maxOffsetExclusive}; stops at the end of a
   * segment. Empty when no segment holds a batch at or after the offset.
   */
  public Records read(long fetchOffset, int maxBytes, long maxOffsetExclusive, boolean minOneBatch)
      throws IOException {
    LogSegment s = segments.floor(fetchOffset);
    while (s != null) {
      Records recs = s.read(fetchOffset, maxBytes, maxOffsetExclusive, minOneBatch);
      if (recs != null) {
        return recs;
      }
      s = segments.next(s);
    }
    return MemoryRecords.EMPTY;
  }

  /**
   * Drops every batch at or after {@code offset}, the batch containing it whole; the log end
   * becomes that batch's base. {@code offset} must lie above the first segment's base. Caller holds
   * the log's lock.
   */
  public Truncation truncateTo(long offset) throws IOException {
    synchronized (flushLock) {
      LogSegment last = segments.active();
      List<LogSegment> doomed = new ArrayList<>(segments.startingAbove(offset));
      for (LogSegment s : doomed) {
        segments.removeAt(s.baseOffset());
        s.renameToDeleted();
        scheduleDeletion(s);
      }
      LogSegment target = segments.active();
      int removed = target.truncateTo(offset);
      if (target != last) {
        target.onReactivate(config.segmentIndexBytes());
      }
      logEndOffset = target.nextOffset();
      recoveryPoint = Math.min(recoveryPoint, logEndOffset);
      if (rolledUnflushedOffset > logEndOffset) {
        rolledUnflushedOffset = -1;
      }
      return new Truncation(removed, doomed.size());
    }
  }

  /**
   * Removes every segment (files renamed for delayed deletion) and starts an empty one at {@code
   * offset}. Caller holds the log's lock.
   */
  public void restartAt(long offset) throws IOException {
    synchronized (flushLock) {
      List<LogSegment> doomed = segments.snapshot();
      segments.clear();
      for (LogSegment s : doomed) {
        s.renameToDeleted();
        scheduleDeletion(s);
      }
      segments.put(LogSegment.create(dir, offset, config.segmentIndexBytes()));
      logEndOffset = offset;
      recoveryPoint = offset;
      rolledUnflushedOffset = -1;
    }
  }

  /**
   * Removes segments from the log and schedules their files for deletion. Caller holds the log's
   * lock.
   */
  public void deleteSegments(List<LogSegment> doomed, String reason) {
    for (LogSegment s : doomed) {
      segments.removeAt(s.baseOffset());
      try {
        s.renameToDeleted();
      } catch (IOException e) {
        throw storageError("delete a segment of", e);
      }
      scheduleDeletion(s);
      log.info("Deleting segment {} of {} ({})", s.baseOffset(), topicPartition, reason);
    }
  }

  private void scheduleDeletion(LogSegment s) {
    long delay = config.fileDeleteDelayMs();
    pendingDeletions.add(new PendingDeletion(s, time.milliseconds() + Math.max(0, delay)));
    if (delay <= 0) {
      deleteDueSegments(time.milliseconds());
    }
  }

  /**
   * Deletes the files of removed segments whose {@code file.delete.delay.ms} has passed. The delay
   * lets fetch responses that still reference them finish sending.
   */
  public void deleteDueSegments(long nowMs) {
    synchronized (flushLock) {
      Iterator<PendingDeletion> it = pendingDeletions.iterator();
      while (it.hasNext()) {
        PendingDeletion d = it.next();
        if (d.dueMs() <= nowMs) {
          it.remove();
          try {
            d.segment().closeAndDelete();
          } catch (IOException e) {
            log.warn("Failed to delete files of {}", d.segment(), e);
          }
        }
      }
    }
  }

  /**
   * Puts {@code cleaned} (files suffixed {@code .cleaned}) in place of {@code replaced}, crash-safe
   * through the {@code .swap} suffix; the replaced segments' files are renamed for delayed
   * deletion. Returns false, deleting {@code cleaned}, unless {@code replaced} are still
   * consecutive, non-active segments of this log starting at the cleaned segment's base. Caller
   * holds the log's lock and has checked the log is open.
   */
  public boolean replaceSegments(List<LogSegment> replaced, LogSegment cleaned) {
    synchronized (flushLock) {
      boolean current = !replaced.isEmpty();
      LogSegment active = segments.active();
      for (LogSegment s : replaced) {
        current &= segments.get(s.baseOffset()) == s && s != active;
      }
      if (!current || cleaned.baseOffset() != replaced.get(0).baseOffset()) {
        discardCleaned(cleaned);
        return false;
      }
      try {
        cleaned.changeFileSuffixes(LogSegment.CLEANED_SUFFIX, LogSegment.SWAP_SUFFIX);
        DirSync.fsync(dir);
        // Same base offset as the first replaced segment: one put swaps it for readers.
        segments.put(cleaned);
        for (LogSegment s : replaced.subList(1, replaced.size())) {
          segments.remove(s);
        }
        for (LogSegment s : replaced) {
          s.renameToDeleted();
          scheduleDeletion(s);
        }
        cleaned.changeFileSuffixes(LogSegment.SWAP_SUFFIX, "");
        DirSync.fsync(dir);
      } catch (IOException e) {
        throw storageError("swap in a cleaned segment of", e);
      }
      return true;
    }
  }

  /** Deletes a cleaned segment that will not be swapped in. */
  public void discardCleaned(LogSegment cleaned) {
    try {
      cleaned.closeAndDelete();
    } catch (IOException e) {
      log.warn("Could not delete abandoned cleaned segment {}", cleaned, e);
    }
  }

  /**
   * Flushes rolled segments not yet on disk, and everything if flush.ms has elapsed since the last
   * flush.
   */
  public void maybeFlush(long nowMs) {
    long rolled = rolledUnflushedOffset;
    if (rolled > recoveryPoint) {
      flushUpTo(rolled);
    }
    if (nowMs - lastFlushMs >= config.flushMs() && logEndOffset > recoveryPoint) {
      flush();
    }
  }

  /** Forces every segment to disk and advances the recovery point. */
  public void flush() {
    flushUpTo(logEndOffset);
  }

  private void flushUpTo(long offset) {
    synchronized (flushLock) {
      if (offset <= recoveryPoint || released) {
        return;
      }
      long counted = unflushedMessages.get();
      try {
        for (LogSegment s : segments.startingBelow(offset)) {
          if (s.nextOffset() > recoveryPoint) {
            s.flush();
          }
        }
      } catch (IOException e) {
        throw storageError("flush", e);
      }
      recoveryPoint = offset;
      lastFlushMs = time.milliseconds();
      unflushedMessages.addAndGet(-counted);
      SyncProbe.synced(dir, offset);
    }
  }

  /**
   * Closes every segment (trimming indexes for a fast reopen) and deletes files whose deletion is
   * pending. Caller holds the log's lock and has flushed if it wanted to.
   */
  public void close() {
    synchronized (flushLock) {
      released = true;
      for (LogSegment s : segments.all()) {
        try {
          s.close();
        } catch (IOException e) {
          log.warn("Failed to close {}", s, e);
          s.closeQuietly();
        }
      }
    }
    deleteDueSegments(Long.MAX_VALUE);
  }

  /**
   * Closes file handles without flushing or writing anything: the directory is being deleted (and
   * may already have been renamed). Caller holds the log's lock.
   */
  public void closeForDeletion() {
    synchronized (flushLock) {
      released = true;
      for (LogSegment s : segments.all()) {
        s.closeQuietly();
      }
      for (PendingDeletion d : pendingDeletions) {
        d.segment().closeQuietly();
      }
      pendingDeletions.clear();
    }
  }

  /**
   * Logs an I/O failure and wraps it as Kafka's storage error for this log; the log's dir is
   * reported failed (it goes offline, see {@link LogDirFailureChannel}). Running out of file
   * descriptors is not a disk failure: it is logged once for the whole process, not per log, and
   * takes nothing offline.
   */
  public KafkaStorageException storageError(String what, IOException e) {
    if (OpenFiles.isExhaustion(e)) {
      return OpenFiles.system().exhausted(what + " log " + topicPartition, e);
    }
    log.error("I/O error trying to {} log {}", what, dir, e);
    LogDirFailureChannel channel = dirFailures;
    // A log closed under a reader (deleted, or its broker stopping) is not a failed disk.
    if (channel != null && !released && !(e instanceof ClosedChannelException)) {
      channel.reportFailure(
          dir.toAbsolutePath().normalize().getParent(),
          "I/O error trying to " + what + " log " + topicPartition,
          e);
    }
    return new KafkaStorageException(
        "Failed to " + what + " log " + topicPartition + ": " + e.getMessage(), e);
  }

  /** Whether {@code e} is the JVM's report of a fault on a memory-mapped page (SIGBUS). */
  public static boolean isMappedFileFault(InternalError e) {
    String m = e.getMessage();
    return m != null && m.contains("unsafe memory access");
  }

  /**
   * {@link #storageError} for a fault on a memory-mapped page of this log's files. On a full
   * filesystem the first write to a page of a sparse preallocated index has no block to land on:
   * the kernel raises SIGBUS, which the JVM turns into an {@link InternalError} ("a fault occurred
   * in a recent unsafe memory access operation"), thrown asynchronously — at the writing thread's
   * next native call, possibly in a later append. It is an {@code Error}, so no {@code catch
   * (IOException)} sees it: treated here as the I/O error it is.
   */
  public KafkaStorageException mappedFileFault(String what, InternalError e) {
    if (!isMappedFileFault(e)) {
      throw e; // some other VM failure: not the disk's
    }
    return storageError(
        what,
        new IOException(
            "a write to a memory-mapped file of the log faulted: " + e.getMessage(), e));
  }
}
