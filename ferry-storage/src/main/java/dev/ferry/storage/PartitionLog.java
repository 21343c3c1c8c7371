package dev.ferry.storage;

import dev.ferry.storage.checkpoint.OffsetCheckpointFile;
import dev.ferry.storage.cleaner.CleanableRange;
import dev.ferry.storage.epoch.LeaderEpochCache;
import dev.ferry.storage.producer.ProducerStateManager;
import dev.ferry.storage.segment.BatchHeader;
import dev.ferry.storage.segment.BatchHeaderReader;
import dev.ferry.storage.segment.DirSync;
import dev.ferry.storage.segment.LogSegment;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedLeaderEpochException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.FileLogInputStream.FileChannelRecordBatch;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition's append-only log: a directory of segments named by base offset.
 *
 * <p>Threading: appends, roll, truncation and retention are serialized by the log's lock; reads
 * take no lock and may run concurrently with an append from any thread: they see only fully written
 * batches (the end of each segment is published through a volatile after the write). Flushes
 * (fsync) run under a separate lock so they do not block appends.
 *
 * <p>Errors are Kafka's exception types ({@code org.apache.kafka.common.errors}) so the protocol
 * layer maps them to error codes with {@code Errors.forException}.
 */
public final class PartitionLog implements Closeable {

  private static final Logger log = LoggerFactory.getLogger(PartitionLog.class);

  private final Path dir;
  private final TopicPartition topicPartition;
  private final Time time;
  private volatile LogConfig config;
  private final ConcurrentSkipListMap<Long, LogSegment> segments;
  private final ProducerStateManager producerState;
  private final LeaderEpochCache epochCache;
  private final ReentrantLock lock = new ReentrantLock();
  private final Object flushLock = new Object();
  private final ConcurrentLinkedQueue<PendingDeletion> pendingDeletions =
      new ConcurrentLinkedQueue<>();
  private final AtomicLong unflushedMessages = new AtomicLong();
  private final LoadStats loadStats;

  private volatile long logEndOffset;
  private volatile long logStartOffset;
  private volatile long recoveryPoint;
  private volatile long highWatermark;
  private volatile long lastFlushMs;
  private volatile long rolledUnflushedOffset = -1;
  private volatile boolean closed;
  private boolean released; // file handles closed; guarded by flushLock
  private volatile Runnable logStartOffsetListener = () -> {};

  /**
   * Where the part of the log the cleaner has not deduplicated yet begins (Kafka's "first dirty
   * offset"), checkpointed by the LogManager; below the log start it means the log start.
   */
  private volatile long firstDirtyOffset;

  private record PendingDeletion(LogSegment segment, long dueMs) {}

  /**
   * What opening the log cost; lets operators (and tests) see that a clean restart did not scan.
   *
   * @param recoveredSegments segments verified batch by batch and re-indexed
   * @param recoveredBatches batches CRC-checked during recovery
   * @param replayedBatches batch headers replayed to rebuild producer state
   * @param truncated whether recovery cut off a partial or corrupt tail
   */
  public record LoadStats(
      int recoveredSegments, long recoveredBatches, long replayedBatches, boolean truncated) {}

  private PartitionLog(
      Path dir,
      TopicPartition tp,
      LogConfig config,
      Time time,
      LogLoader.Loaded loaded,
      ProducerStateManager producerState,
      LeaderEpochCache epochCache,
      long replayedBatches,
      long logStartOffset,
      long recoveryPoint,
      long highWatermark) {
    this.dir = dir;
    this.topicPartition = tp;
    this.config = config;
    this.time = time;
    this.segments = loaded.segments();
    this.producerState = producerState;
    this.epochCache = epochCache;
    this.logEndOffset = segments.lastEntry().getValue().nextOffset();
    this.logStartOffset = logStartOffset;
    this.recoveryPoint = recoveryPoint;
    this.highWatermark = highWatermark;
    this.lastFlushMs = time.milliseconds();
    this.loadStats =
        new LoadStats(
            loaded.recoveredSegments(),
            loaded.recoveredBatches(),
            replayedBatches,
            loaded.truncated());
  }

  /**
   * Opens (creating if absent) the log in {@code dir}, whose name is {@code <topic>-<partition>}.
   * When {@code cleanShutdown} is false, segments after the recovery point are scanned and the log
   * is truncated at the first partial or corrupt batch. The recovery point, log start offset and
   * high watermark are read from the checkpoint files in the parent directory (the log dir), if
   * present.
   */
  public static PartitionLog open(Path dir, LogConfig config, Time time, boolean cleanShutdown) {
    TopicPartition tp = parseTopicPartition(dir.getFileName().toString());
    Path logDir = dir.toAbsolutePath().getParent();
    Long rp =
        new OffsetCheckpointFile(logDir.resolve(LogManager.RECOVERY_POINT_CHECKPOINT))
            .read()
            .get(tp);
    Long lso =
        new OffsetCheckpointFile(logDir.resolve(LogManager.LOG_START_OFFSET_CHECKPOINT))
            .read()
            .get(tp);
    Long hw =
        new OffsetCheckpointFile(logDir.resolve(LogManager.REPLICATION_OFFSET_CHECKPOINT))
            .read()
            .get(tp);
    return open(
        dir,
        config,
        time,
        cleanShutdown,
        rp == null ? 0 : rp,
        lso == null ? 0 : lso,
        hw == null ? 0 : hw);
  }

  /**
   * Opens the log with a known recovery point (offset below which everything was fsynced) and log
   * start offset; the high watermark starts at the log start offset.
   */
  public static PartitionLog open(
      Path dir,
      LogConfig config,
      Time time,
      boolean cleanShutdown,
      long recoveryPoint,
      long logStartOffset) {
    return open(dir, config, time, cleanShutdown, recoveryPoint, logStartOffset, 0);
  }

  /**
   * Opens the log with a known recovery point (offset below which everything was fsynced), log
   * start offset and high watermark (clamped into [log start, log end]), as the {@link LogManager}
   * does from its checkpoint files.
   */
  public static PartitionLog open(
      Path dir,
      LogConfig config,
      Time time,
      boolean cleanShutdown,
      long recoveryPoint,
      long logStartOffset,
      long highWatermark) {
    TopicPartition tp = parseTopicPartition(dir.getFileName().toString());
    LogLoader.Loaded loaded;
    try {
      loaded = LogLoader.load(dir, config, cleanShutdown, recoveryPoint, logStartOffset);
    } catch (IOException e) {
      throw new KafkaStorageException("Failed to load log " + dir + ": " + e.getMessage(), e);
    }
    ConcurrentSkipListMap<Long, LogSegment> segs = loaded.segments();
    try {
      long leo = segs.lastEntry().getValue().nextOffset();
      long start = Math.min(Math.max(logStartOffset, segs.firstKey()), leo);
      long rp = cleanShutdown ? leo : Math.min(recoveryPoint, leo);
      if (loaded.recoveredSegments() > 0) {
        // Recovery read the data through the page cache; make it durable before trusting it.
        for (LogSegment s : segs.values()) {
          if (s.nextOffset() > rp || s == segs.lastEntry().getValue()) {
            s.flush();
          }
        }
        rp = leo;
      }
      ProducerStateManager psm = new ProducerStateManager(dir);
      long replayed = rebuildProducerState(psm, segs, leo, start);
      LeaderEpochCache epochs = loadEpochCache(dir, segs, leo, start);
      long hw = Math.max(start, Math.min(highWatermark, leo));
      PartitionLog partitionLog =
          new PartitionLog(dir, tp, config, time, loaded, psm, epochs, replayed, start, rp, hw);
      log.info(
          "Loaded log {} (start {}, end {}, {} segments, {} clean shutdown, {} segments recovered)",
          dir,
          start,
          leo,
          segs.size(),
          cleanShutdown ? "after" : "without",
          loaded.recoveredSegments());
      return partitionLog;
    } catch (IOException | RuntimeException e) {
      for (LogSegment s : segs.values()) {
        s.closeQuietly();
      }
      if (e instanceof IOException io) {
        throw new KafkaStorageException("Failed to load log " + dir + ": " + io.getMessage(), io);
      }
      throw (RuntimeException) e;
    }
  }

  /** Newest snapshot at or below the log end, then replay of the batch headers after it. */
  private static long rebuildProducerState(
      ProducerStateManager psm,
      ConcurrentSkipListMap<Long, LogSegment> segs,
      long leo,
      long logStart)
      throws IOException {
    psm.deleteSnapshotsAbove(leo);
    long snapshot = psm.loadLatestSnapshot(leo);
    long from = Math.max(snapshot, segs.firstKey());
    long[] replayed = {0};
    for (LogSegment s : segs.tailMap(segs.floorKey(from), true).values()) {
      s.forEachBatchHeader(
          from,
          (h, at, pos, size) -> {
            psm.replay(h, at);
            replayed[0]++;
          });
    }
    psm.pruneBefore(logStart);
    return replayed[0];
  }

  /**
   * Reads the leader-epoch checkpoint and fits it to the loaded log: entries at or past the log end
   * (their batches were lost in a crash or truncated away before the file was rewritten) and below
   * the log start are dropped. Without a readable checkpoint (a log written before epochs were
   * tracked) the cache is rebuilt from the batch headers, once: the result is written out.
   */
  private static LeaderEpochCache loadEpochCache(
      Path dir, ConcurrentSkipListMap<Long, LogSegment> segs, long leo, long logStart)
      throws IOException {
    LeaderEpochCache cache = new LeaderEpochCache(dir);
    boolean rebuild;
    try {
      cache.load();
      rebuild = false;
    } catch (NoSuchFileException e) {
      rebuild = true;
    } catch (IOException | RuntimeException e) {
      log.warn(
          "Unreadable leader-epoch checkpoint {} ({}); rebuilding it from the log",
          cache.file(),
          e.toString());
      cache.clear();
      rebuild = true;
    }
    boolean changed;
    if (rebuild) {
      long[] scanned = {0};
      for (LogSegment s : segs.tailMap(segs.floorKey(logStart), true).values()) {
        s.forEachBatchHeader(
            logStart,
            (h, at, pos, size) -> {
              scanned[0]++;
              cache.assign(
                  BatchHeader.partitionLeaderEpoch(h, at),
                  Math.max(BatchHeader.baseOffset(h, at), logStart));
            });
      }
      // An empty log needs no file yet (the first epoch writes it); a scanned one gets it now so
      // the next start does not scan again.
      changed = scanned[0] > 0 || Files.exists(cache.file());
      if (scanned[0] > 0) {
        log.info(
            "Rebuilt leader-epoch cache of {} from {} batch headers: {}",
            dir,
            scanned[0],
            cache.entries());
      }
    } else {
      changed = cache.truncateFromEnd(leo);
      changed |= cache.truncateFromStart(logStart);
    }
    if (changed) {
      cache.persist();
    }
    return cache;
  }

  static TopicPartition parseTopicPartition(String dirName) {
    int dash = dirName.lastIndexOf('-');
    if (dash <= 0 || dash == dirName.length() - 1) {
      throw new IllegalArgumentException(
          "Log directory name '" + dirName + "' is not <topic>-<partition>");
    }
    try {
      int partition = Integer.parseInt(dirName.substring(dash + 1));
      if (partition < 0) {
        throw new NumberFormatException("negative");
      }
      return new TopicPartition(dirName.substring(0, dash), partition);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "Log directory name '" + dirName + "' is not <topic>-<partition>", e);
    }
  }

  public TopicPartition topicPartition() {
    return topicPartition;
  }

  /**
   * Validates (CRC32C, magic v2, sizes, idempotent sequence) and appends every batch in {@code
   * records}, assigning offsets in place in the caller's buffer and writing {@code leaderEpoch}
   * into each batch. Nothing is appended if any batch is invalid. A retried idempotent batch is not
   * written again: the result carries its original offsets and {@code duplicate=true} (or, for a
   * retry older than the producer-state cache, {@code offsetsUnknown=true}). The first append of a
   * new leader epoch records it in the leader-epoch cache (and its checkpoint file).
   *
   * @throws org.apache.kafka.common.errors.CorruptRecordException bad CRC or malformed batch
   * @throws org.apache.kafka.common.errors.RecordTooLargeException batch over max.message.bytes
   * @throws org.apache.kafka.common.errors.UnsupportedVersionException not magic v2, or
   *     transactional
   * @throws org.apache.kafka.common.errors.OutOfOrderSequenceException idempotent sequence gap
   * @throws org.apache.kafka.common.errors.InvalidProducerEpochException stale producer epoch
   * @throws FencedLeaderEpochException {@code leaderEpoch} is older than the latest epoch in the
   *     log: this broker is no longer the leader
   * @throws org.apache.kafka.common.errors.KafkaStorageException the disk failed
   */
  public AppendResult append(MemoryRecords records, int leaderEpoch) {
    LogConfig cfg = config;
    if (records.sizeInBytes() == 0) {
      return new AppendResult(-1, -1, RecordBatch.NO_TIMESTAMP, logStartOffset, false);
    }
    // CRC and header checks need no log state: done before taking the lock.
    BatchValidator.Validated validated = BatchValidator.validate(records, cfg.maxMessageBytes());
    List<MutableRecordBatch> batches = validated.batches();
    if (cfg.compact()) {
      requireKeys(batches);
    }
    lock.lock();
    try {
      ensureOpen();
      int latestEpoch = epochCache.latestEpoch();
      if (leaderEpoch < latestEpoch) {
        throw new FencedLeaderEpochException(
            "Leader epoch "
                + leaderEpoch
                + " of the append to "
                + topicPartition
                + " is older than the log's latest epoch "
                + latestEpoch);
      }
      ProducerStateManager.Check check = producerState.check(batches);
      if (check.duplicateBefore() >= 0) {
        return AppendResult.duplicateAtUnknownOffsets(check.duplicateBefore(), logStartOffset);
      }
      if (check.duplicate() != null) {
        ProducerStateManager.BatchMetadata dup = check.duplicate();
        return new AppendResult(
            dup.firstOffset(),
            dup.lastOffset(),
            cfg.logAppendTime() ? dup.timestamp() : RecordBatch.NO_TIMESTAMP,
            logStartOffset,
            true);
      }
      long now = time.milliseconds();
      long firstOffset = logEndOffset;
      long lastOffset = firstOffset + validated.offsetCount() - 1;
      LogSegment active = segments.lastEntry().getValue();
      if (active.shouldRoll(cfg, records.sizeInBytes(), lastOffset, now)) {
        active = roll(cfg);
      }
      long next = firstOffset;
      for (MutableRecordBatch b : batches) {
        long delta = b.lastOffset() - b.baseOffset();
        b.setLastOffset(next + delta);
        b.setPartitionLeaderEpoch(leaderEpoch);
        if (cfg.logAppendTime()) {
          b.setMaxTimestamp(TimestampType.LOG_APPEND_TIME, now);
        }
        next += delta + 1;
      }
      boolean newEpoch = epochCache.assign(leaderEpoch, firstOffset);
      if (newEpoch) {
        persistEpochsBeforeAppend();
      }
      try {
        active.append(records, batches, cfg.indexIntervalBytes(), now);
      } catch (IOException e) {
        discardFailedWrite(active);
        if (newEpoch) {
          rollBackEpochs();
        }
        throw storageError("append to", e);
      }
      producerState.apply(check.pending(), batches);
      logEndOffset = next;
      if (unflushedMessages.addAndGet(validated.recordCount()) >= cfg.flushMessages()) {
        flush();
      }
      return new AppendResult(
          firstOffset,
          next - 1,
          cfg.logAppendTime() ? now : RecordBatch.NO_TIMESTAMP,
          logStartOffset,
          false);
    } finally {
      lock.unlock();
    }
  }

  /**
   * A compacted log keeps the latest record per key, so a record without a key has no place in it
   * (Kafka refuses it the same way). Reads every record, decompressing if need be: compacted topics
   * pay this, others do not.
   */
  private void requireKeys(List<MutableRecordBatch> batches) {
    for (MutableRecordBatch b : batches) {
      for (Record r : b) {
        if (!r.hasKey()) {
          throw new InvalidRecordException(
              "Compacted topic "
                  + topicPartition.topic()
                  + " cannot accept a record without a key (cleanup.policy="
                  + config.cleanupPolicy()
                  + ")");
        }
      }
    }
  }

  /**
   * Writes the epoch checkpoint before the batches that start the new epoch: after a crash the file
   * may name an epoch whose batch is missing (dropped at load, as at or past the log end), never
   * miss one that is in the log.
   */
  private void persistEpochsBeforeAppend() {
    try {
      epochCache.persist();
    } catch (IOException e) {
      epochCache.truncateFromEnd(logEndOffset);
      throw storageError("write the leader-epoch checkpoint of", e);
    }
  }

  /** Undoes epochs assigned for an append that failed. Caller holds the lock. */
  private void rollBackEpochs() {
    if (epochCache.truncateFromEnd(logEndOffset)) {
      try {
        epochCache.persist();
      } catch (IOException e) {
        // The file keeps an entry at the log end; the next load drops it.
        log.warn("Could not rewrite the leader-epoch checkpoint of {}", topicPartition, e);
      }
    }
  }

  private void discardFailedWrite(LogSegment active) {
    try {
      active.discardUncommitted();
    } catch (IOException e) {
      log.error("Could not cut partial write from {}", active, e);
    }
  }

  /** Starts a new active segment at the log end. Caller holds the lock. */
  private LogSegment roll(LogConfig cfg) {
    LogSegment old = segments.lastEntry().getValue();
    long newBase = logEndOffset;
    if (old.baseOffset() == newBase) {
      return old; // already empty at the log end
    }
    try {
      old.onRoll();
      LogSegment segment = LogSegment.create(dir, newBase, cfg.segmentIndexBytes());
      segments.put(newBase, segment);
      DirSync.fsync(dir);
      // The state now covers every batch below newBase: an unclean restart replays from here.
      producerState.takeSnapshot(newBase);
      // The rolled segment is flushed by the next maybeFlush (the LogManager's scheduler), off
      // the append path.
      rolledUnflushedOffset = newBase;
      log.debug("Rolled {} at offset {}", topicPartition, newBase);
      return segment;
    } catch (IOException e) {
      throw storageError("roll", e);
    }
  }

  /**
   * Reads from the batch containing {@code fetchOffset} up to {@code maxBytes}, never past {@code
   * maxOffsetExclusive} (the high watermark). With {@code minOneBatch} the first batch is returned
   * whole even if larger than maxBytes. Only whole batches are returned; a read stops at the end of
   * a segment. The records are a {@code FileRecords} slice (zero-copy).
   *
   * @throws org.apache.kafka.common.errors.OffsetOutOfRangeException below the log start or past
   *     the log end offset
   */
  public ReadResult read(
      long fetchOffset, int maxBytes, long maxOffsetExclusive, boolean minOneBatch) {
    long leo = logEndOffset;
    long start = logStartOffset;
    if (fetchOffset == leo) {
      return new ReadResult(MemoryRecords.EMPTY, start, leo);
    }
    if (fetchOffset < start || fetchOffset > leo) {
      throw new OffsetOutOfRangeException(
          "Offset "
              + fetchOffset
              + " is out of range for "
              + topicPartition
              + " [logStartOffset "
              + start
              + ", logEndOffset "
              + leo
              + "]");
    }
    if (fetchOffset >= maxOffsetExclusive) {
      return new ReadResult(MemoryRecords.EMPTY, start, leo);
    }
    // A concurrent append may have published bytes past the log end read above; never return
    // offsets the caller cannot then fetch from.
    long bound = Math.min(maxOffsetExclusive, leo);
    try {
      Map.Entry<Long, LogSegment> e = segments.floorEntry(fetchOffset);
      while (e != null) {
        Records recs = e.getValue().read(fetchOffset, maxBytes, bound, minOneBatch);
        if (recs != null) {
          return new ReadResult(recs, start, leo);
        }
        e = segments.higherEntry(e.getKey());
      }
      return new ReadResult(MemoryRecords.EMPTY, start, leo);
    } catch (IOException e) {
      throw storageError("read from", e);
    }
  }

  public long logStartOffset() {
    return logStartOffset;
  }

  // ---- Replication support ----

  /**
   * Appends batches fetched from the leader as they are: offsets, partition leader epochs and
   * timestamps are kept, never assigned, so the bytes on disk equal the leader's. Validates CRC and
   * header sanity like {@link #append} but not {@code max.message.bytes} (the leader already
   * accepted the batch; refusing it here would stall replication for good) nor idempotent sequences
   * (the leader's order is the truth); the producer state is still updated so that this replica
   * detects retried batches once it becomes leader. Each batch whose leader epoch is newer than the
   * latest known one starts that epoch in the leader-epoch cache. Rolls segments and honours {@code
   * flush.messages} like {@link #append}. Nothing is appended if any batch is rejected.
   *
   * @throws org.apache.kafka.common.errors.CorruptRecordException bad CRC or malformed batch
   * @throws org.apache.kafka.common.InvalidRecordException not magic v2
   * @throws org.apache.kafka.common.errors.UnsupportedVersionException transactional batch
   * @throws UnexpectedAppendOffsetException (an {@code InvalidRecordException}) a batch starts
   *     below the log end offset or below the end of the batch before it (gaps are accepted: a
   *     compacted leader log has them)
   * @throws org.apache.kafka.common.errors.KafkaStorageException the disk failed
   */
  public AppendResult appendAsFollower(MemoryRecords records) {
    LogConfig cfg = config;
    if (records.sizeInBytes() == 0) {
      return new AppendResult(-1, -1, RecordBatch.NO_TIMESTAMP, logStartOffset, false);
    }
    BatchValidator.Validated validated = BatchValidator.validateReplicated(records);
    List<MutableRecordBatch> batches = validated.batches();
    lock.lock();
    try {
      ensureOpen();
      long firstOffset = logEndOffset;
      long next = firstOffset;
      // Offsets only go up; a gap is the leader's compaction having removed whole batches.
      for (MutableRecordBatch b : batches) {
        if (b.baseOffset() < next) {
          throw new UnexpectedAppendOffsetException(
              (next == firstOffset
                      ? "Replicated batches for " + topicPartition + " start at "
                      : "Replicated batches for " + topicPartition + " go back: batch at ")
                  + b.baseOffset()
                  + ", expected at least "
                  + next
                  + " (log end offset "
                  + firstOffset
                  + ")",
              next,
              b.baseOffset());
        }
        next = b.lastOffset() + 1;
      }
      long now = time.milliseconds();
      LogSegment active = segments.lastEntry().getValue();
      if (active.shouldRoll(cfg, records.sizeInBytes(), next - 1, now)) {
        active = roll(cfg);
      }
      boolean newEpoch = assignReplicatedEpochs(batches);
      if (newEpoch) {
        persistEpochsBeforeAppend();
      }
      try {
        active.append(records, batches, cfg.indexIntervalBytes(), now);
      } catch (IOException e) {
        discardFailedWrite(active);
        if (newEpoch) {
          rollBackEpochs();
        }
        throw storageError("append replicated batches to", e);
      }
      producerState.applyAsFollower(batches);
      logEndOffset = next;
      if (unflushedMessages.addAndGet(validated.recordCount()) >= cfg.flushMessages()) {
        flush();
      }
      return new AppendResult(
          firstOffset, next - 1, RecordBatch.NO_TIMESTAMP, logStartOffset, false);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Starts a cache entry for every replicated batch that opens a newer leader epoch. Caller holds
   * the lock. Returns whether the cache changed.
   */
  private boolean assignReplicatedEpochs(List<MutableRecordBatch> batches) {
    boolean changed = false;
    for (MutableRecordBatch b : batches) {
      int epoch = b.partitionLeaderEpoch();
      if (epoch < 0 || epoch == epochCache.latestEpoch()) {
        continue;
      }
      if (epoch < epochCache.latestEpoch()) {
        // Epochs that start here or later own no data yet (e.g. one this replica led without
        // writing): the leader's data wins over them.
        changed |= epochCache.truncateFromEnd(b.baseOffset());
        if (epoch < epochCache.latestEpoch()) {
          log.warn(
              "Replicated batch at {} of {} has leader epoch {}, older than epoch {} already in"
                  + " the log; not recording it",
              b.baseOffset(),
              topicPartition,
              epoch,
              epochCache.latestEpoch());
          continue;
        }
      }
      changed |= epochCache.assign(epoch, b.baseOffset());
    }
    return changed;
  }

  /**
   * Records that leader epoch {@code epoch} starts at the current log end offset, before anything
   * is appended in it (what a broker does when it becomes leader, so OffsetForLeaderEpoch answers
   * for the new epoch at once). Ignored unless newer than {@link #latestEpoch()}.
   *
   * @throws org.apache.kafka.common.errors.KafkaStorageException the checkpoint could not be
   *     written
   */
  public void assignLeaderEpoch(int epoch) {
    lock.lock();
    try {
      ensureOpen();
      if (epochCache.assign(epoch, logEndOffset)) {
        persistEpochsBeforeAppend();
        log.info("{} starts leader epoch {} at offset {}", topicPartition, epoch, logEndOffset);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * The latest leader epoch recorded in this log (from the epoch of appended batches, as a leader
   * or a follower, or {@link #assignLeaderEpoch}), or -1 if none. Lock- and allocation-free.
   */
  public int latestEpoch() {
    return epochCache.latestEpoch();
  }

  /**
   * OffsetForLeaderEpoch: for {@code epoch}, the largest known epoch at or below it and the offset
   * at which that epoch ended (the start offset of the next known epoch, or the log end offset when
   * it is the latest). {@link EpochEndOffset#UNDEFINED} when no epoch is known, {@code epoch} is
   * below the first known epoch (its data is gone, e.g. by retention) or above the latest. Backed
   * by a {@code leader-epoch-checkpoint} file in the partition directory (epoch and start offset
   * per line), kept in step with truncation and the log start offset. Lock-free.
   */
  public EpochEndOffset endOffsetForEpoch(int epoch) {
    return epochCache.endOffsetFor(epoch, logEndOffset);
  }

  /**
   * Records that this log's data up to {@code offset} (exclusive) is replicated: the high
   * watermark, clamped into [log start offset, log end offset]. Retention never deletes at or above
   * it, and it is checkpointed ({@code replication-offset-checkpoint} in the log dir, by the {@link
   * LogManager}) so a restarted replica knows it. Lock- and allocation-free (one volatile write),
   * so it may be called after every append; it is not monotonic (a follower's high watermark may go
   * down with truncation). Callers must not race it with {@link #truncateTo} of the same log: the
   * clamp to the log end is not atomic with truncation (the replica fetcher does both on one
   * thread).
   */
  public void updateHighWatermark(long offset) {
    highWatermark = Math.max(logStartOffset, Math.min(offset, logEndOffset));
  }

  /**
   * The last high watermark given to {@link #updateHighWatermark} or loaded at open (clamped to the
   * log), else the log start offset.
   */
  public long highWatermark() {
    return highWatermark;
  }

  public long logEndOffset() {
    return logEndOffset;
  }

  /** Offset below which everything is known to be fsynced. */
  public long recoveryPoint() {
    return recoveryPoint;
  }

  /** What opening this log cost (recovery and producer-state replay). */
  public LoadStats loadStats() {
    return loadStats;
  }

  /**
   * The earliest offset at or after the log start whose record timestamp is at least {@code
   * timestamp}, with that record's timestamp; null if no record is that new (Kafka's ListOffsets
   * semantics). Reads the one batch found (decompressing it if compressed).
   */
  public TimestampOffset offsetForTimestamp(long timestamp) {
    long start = logStartOffset;
    try {
      for (LogSegment s : segments.values()) {
        if (s.maxTimestamp() < timestamp || s.nextOffset() <= start) {
          continue;
        }
        long from = Math.max(s.timeIndex().lookup(timestamp), start);
        int end = s.sizeInBytes();
        BatchHeaderReader reader = s.headerReader(end);
        int pos = s.findBatch(reader, from, 0, end);
        ByteBuffer h = reader.buffer();
        while (pos >= 0 && pos < end) {
          int at = reader.header(pos, end);
          int size = s.checkedSize(h, at, pos, end);
          if (BatchHeader.maxTimestamp(h, at) >= timestamp) {
            return firstRecordAtOrAfter(s, pos, timestamp, start);
          }
          pos += size;
        }
      }
      return null;
    } catch (IOException e) {
      throw storageError("search", e);
    }
  }

  private TimestampOffset firstRecordAtOrAfter(
      LogSegment s, int position, long timestamp, long minOffset) throws IOException {
    FileChannelRecordBatch batch = s.fileRecords().batchesFrom(position).iterator().next();
    try {
      for (Record r : batch) {
        if (r.offset() >= minOffset && r.timestamp() >= timestamp) {
          return new TimestampOffset(r.timestamp(), r.offset());
        }
      }
    } catch (RuntimeException | LinkageError e) {
      // A codec missing from the class path: answer with the batch's first offset, which is at
      // or before the exact record (clients then skip forward by timestamp themselves).
      log.debug("Cannot read records of batch at {} in {}: {}", position, s, e.toString());
    }
    return new TimestampOffset(batch.maxTimestamp(), Math.max(batch.baseOffset(), minOffset));
  }

  /** The offset and timestamp of the record with the largest timestamp (ListOffsets -3). */
  public TimestampOffset maxTimestamp() {
    LogSegment best = null;
    for (LogSegment s : segments.values()) {
      if (s.sizeInBytes() > 0
          && s.maxTimestamp() >= 0
          && (best == null || s.maxTimestamp() >= best.maxTimestamp())) {
        best = s;
      }
    }
    if (best == null) {
      return new TimestampOffset(RecordBatch.NO_TIMESTAMP, -1);
    }
    long ts = best.maxTimestamp();
    try {
      int end = best.sizeInBytes();
      int pos = best.findBatch(best.headerReader(end), best.offsetOfMaxTimestamp(), 0, end);
      if (pos < 0) {
        return new TimestampOffset(ts, best.offsetOfMaxTimestamp());
      }
      FileChannelRecordBatch batch = best.fileRecords().batchesFrom(pos).iterator().next();
      try {
        for (Record r : batch) {
          if (r.timestamp() == ts) {
            return new TimestampOffset(ts, r.offset());
          }
        }
      } catch (RuntimeException | LinkageError e) {
        log.debug("Cannot read records of batch at {} in {}: {}", pos, best, e.toString());
      }
      return new TimestampOffset(ts, batch.lastOffset());
    } catch (IOException e) {
      throw storageError("search", e);
    }
  }

  /**
   * Moves the log start offset forward to {@code offset} (DeleteRecords), deleting segments wholly
   * below it and leader-epoch entries of epochs that ended before it. Returns the new log start
   * offset. The caller (DeleteRecords) must refuse offsets above the high watermark, as Kafka does;
   * this method only refuses offsets past the log end (so a follower can follow the leader's log
   * start, which may be above its own high watermark).
   *
   * @throws OffsetOutOfRangeException {@code offset} is past the log end
   */
  public long advanceLogStartOffset(long offset) {
    lock.lock();
    try {
      ensureOpen();
      if (offset > logEndOffset) {
        throw new OffsetOutOfRangeException(
            "Cannot move the log start of "
                + topicPartition
                + " to "
                + offset
                + ", past the log end "
                + logEndOffset);
      }
      if (offset <= logStartOffset) {
        return logStartOffset;
      }
      logStartOffset = offset;
      List<LogSegment> doomed = new ArrayList<>();
      for (Map.Entry<Long, LogSegment> e : segments.entrySet()) {
        Long nextBase = segments.higherKey(e.getKey());
        if (nextBase == null || nextBase > offset) {
          break;
        }
        doomed.add(e.getValue());
      }
      deleteSegments(doomed, "log start offset moved to " + offset);
      afterLogStartMoved();
      return offset;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Drops every batch at or after {@code offset} (used by replication to cut a divergent tail).
   * When {@code offset} is a batch boundary (replication always truncates to one: a leader epoch's
   * end offset, or a high watermark) the log end becomes exactly {@code offset}. Otherwise the
   * batch containing {@code offset} is dropped whole, so the log end becomes that batch's base
   * offset, lower than {@code offset}. Nothing happens when {@code offset} is at or past the log
   * end. Leader-epoch entries starting at or after the new log end are dropped and the high
   * watermark is lowered to it if above. An {@code offset} at or below the first segment's base, or
   * below the log start offset, empties the log and restarts it at {@code offset}.
   */
  public void truncateTo(long offset) {
    lock.lock();
    try {
      ensureOpen();
      if (offset >= logEndOffset) {
        return;
      }
      synchronized (flushLock) {
        if (offset <= segments.firstKey() || offset < logStartOffset) {
          restartAt(offset);
          return;
        }
        LogSegment last = segments.lastEntry().getValue();
        List<LogSegment> doomed = new ArrayList<>(segments.tailMap(offset, false).values());
        for (LogSegment s : doomed) {
          segments.remove(s.baseOffset());
          s.renameToDeleted();
          scheduleDeletion(s);
        }
        LogSegment target = segments.lastEntry().getValue();
        int removed = target.truncateTo(offset);
        if (target != last) {
          target.onReactivate(config.segmentIndexBytes());
        }
        logEndOffset = target.nextOffset();
        firstDirtyOffset = Math.min(firstDirtyOffset, logEndOffset);
        recoveryPoint = Math.min(recoveryPoint, logEndOffset);
        highWatermark = Math.min(highWatermark, logEndOffset);
        if (rolledUnflushedOffset > logEndOffset) {
          rolledUnflushedOffset = -1;
        }
        reloadProducerState();
        // After the data: a crash in between leaves entries at or past the log end, dropped at
        // load.
        if (epochCache.truncateFromEnd(logEndOffset)) {
          epochCache.persist();
        }
        log.info(
            "Truncated {} to offset {} ({} bytes and {} segments removed)",
            topicPartition,
            logEndOffset,
            removed,
            doomed.size());
      }
    } catch (IOException e) {
      throw storageError("truncate", e);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Empties the log and restarts it at {@code offset}, which may lie beyond the log end: what a
   * follower does when the leader's log start has passed its log end (retention or DeleteRecords on
   * the leader while the follower was away), so there is nothing left to fetch in between.
   */
  public void truncateFullyAndStartAt(long offset) {
    lock.lock();
    try {
      ensureOpen();
      synchronized (flushLock) {
        restartAt(offset);
      }
    } catch (IOException e) {
      throw storageError("truncate", e);
    } finally {
      lock.unlock();
    }
  }

  /** Empties the log and restarts it at {@code offset}. Caller holds both locks. */
  private void restartAt(long offset) throws IOException {
    List<LogSegment> doomed = new ArrayList<>(segments.values());
    segments.clear();
    for (LogSegment s : doomed) {
      s.renameToDeleted();
      scheduleDeletion(s);
    }
    segments.put(offset, LogSegment.create(dir, offset, config.segmentIndexBytes()));
    logEndOffset = offset;
    logStartOffset = offset;
    recoveryPoint = offset;
    highWatermark = offset;
    firstDirtyOffset = offset;
    rolledUnflushedOffset = -1;
    producerState.clear();
    producerState.deleteSnapshotsAbove(-1);
    if (epochCache.clear() || Files.exists(epochCache.file())) {
      epochCache.persist();
    }
    afterLogStartMoved();
    log.info("Truncated {} fully; it restarts at offset {}", topicPartition, offset);
  }

  private void reloadProducerState() throws IOException {
    rebuildProducerState(producerState, segments, logEndOffset, logStartOffset);
  }

  /**
   * Deletes segments past retention.ms / retention.bytes (and, for retention.ms, rolls an expired
   * active segment first so it can go too); returns how many were deleted. Only segments wholly
   * below the high watermark are deleted (the next segment's base, or the log end for the active
   * one, at or below it): data not yet replicated everywhere is never removed.
   */
  public int enforceRetention(long nowMs) {
    lock.lock();
    try {
      if (closed) {
        return 0;
      }
      LogConfig cfg = config;
      List<LogSegment> all = new ArrayList<>(segments.values());
      int n = RetentionPolicy.deletableSegments(all, nowMs, cfg, logEndOffset, highWatermark);
      if (n == 0) {
        return 0;
      }
      if (n == all.size()) {
        // Even the active segment is expired: roll so the log keeps an (empty) active segment.
        roll(cfg);
      }
      List<LogSegment> doomed = all.subList(0, n);
      long newStart = segments.higherKey(doomed.get(n - 1).baseOffset());
      logStartOffset = Math.max(logStartOffset, newStart);
      deleteSegments(doomed, "retention");
      afterLogStartMoved();
      return n;
    } finally {
      lock.unlock();
    }
  }

  /** Removes segments from the log and schedules their files for deletion. Caller holds lock. */
  private void deleteSegments(List<LogSegment> doomed, String reason) {
    for (LogSegment s : doomed) {
      segments.remove(s.baseOffset());
      try {
        s.renameToDeleted();
      } catch (IOException e) {
        throw storageError("delete a segment of", e);
      }
      scheduleDeletion(s);
      log.info("Deleting segment {} of {} ({})", s.baseOffset(), topicPartition, reason);
    }
  }

  private void afterLogStartMoved() {
    if (highWatermark < logStartOffset) {
      highWatermark = logStartOffset;
    }
    if (epochCache.truncateFromStart(logStartOffset)) {
      try {
        epochCache.persist();
      } catch (IOException e) {
        // Stale entries below the log start are harmless and trimmed again at the next load.
        log.warn("Could not rewrite the leader-epoch checkpoint of {}", topicPartition, e);
      }
    }
    producerState.pruneBefore(logStartOffset);
    try {
      producerState.deleteSnapshotsBelow(segments.firstKey());
    } catch (IOException e) {
      log.warn("Could not delete old producer snapshots of {}", topicPartition, e);
    }
    logStartOffsetListener.run();
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
   * Flushes rolled segments not yet on disk, and everything if flush.ms has elapsed since the last
   * flush (called by the LogManager's scheduler).
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
      if (offset <= recoveryPoint || closedAndReleased()) {
        return;
      }
      long counted = unflushedMessages.get();
      try {
        for (LogSegment s : segments.headMap(offset, false).values()) {
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
    }
  }

  private boolean closedAndReleased() {
    return released;
  }

  // ---- Compaction support: the LogCleaner's view of this log ----

  /** The cleaner's progress: everything below this offset has been deduplicated. */
  public long firstDirtyOffset() {
    return Math.max(firstDirtyOffset, logStartOffset);
  }

  /** Restores the cleaner's progress from its checkpoint (at load), or records a pass's end. */
  public void setFirstDirtyOffset(long offset) {
    firstDirtyOffset = Math.min(offset, logEndOffset);
  }

  /**
   * What the cleaner may rewrite now: every segment below the first one that is active, holds
   * offsets at or above the high watermark (not yet replicated everywhere), or is younger than
   * {@code min.compaction.lag.ms}; and how much of that is still dirty.
   */
  public CleanableRange cleanableRange(long nowMs) {
    lock.lock();
    try {
      ensureOpen();
      LogConfig cfg = config;
      long hw = highWatermark;
      List<LogSegment> all = new ArrayList<>(segments.values());
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
          cleanable.size() < all.size() ? all.get(cleanable.size()).baseOffset() : logEndOffset;
      long firstDirty = Math.min(firstDirtyOffset(), firstUncleanable);
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
          topicPartition,
          firstDirty,
          firstUncleanable,
          List.copyOf(cleanable),
          cleanBytes,
          dirtyBytes,
          lagExceeded);
    } catch (IOException e) {
      throw storageError("inspect for cleaning", e);
    } finally {
      lock.unlock();
    }
  }

  /**
   * The last offset of every producer's latest batch. The cleaner keeps these batches (empty if all
   * their records go) so that the producer state rebuilt from the log still knows each active
   * producer's last sequence.
   */
  public Set<Long> producerLastBatchOffsets() {
    lock.lock();
    try {
      return producerState.lastBatchOffsets();
    } finally {
      lock.unlock();
    }
  }

  /**
   * Puts {@code cleaned} in place of {@code replaced}: consecutive, non-active segments it was
   * written from, holding the same offsets less the records compaction removed. Crash-safe: the
   * cleaned files are renamed from {@code .cleaned} to {@code .swap} (a start-up that finds a swap
   * file completes the replacement), the old segments are renamed for deletion (their files stay
   * readable for fetches in flight until {@code file.delete.delay.ms}), then the swap files get
   * their final names. Returns false, deleting {@code cleaned}, if the log changed meanwhile
   * (truncated, retention, closed): the pass is then simply lost.
   */
  public boolean replaceSegments(List<LogSegment> replaced, LogSegment cleaned) {
    lock.lock();
    try {
      synchronized (flushLock) {
        boolean current = !closed && !replaced.isEmpty();
        LogSegment active = segments.lastEntry().getValue();
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
          segments.put(cleaned.baseOffset(), cleaned);
          for (LogSegment s : replaced.subList(1, replaced.size())) {
            segments.remove(s.baseOffset(), s);
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
    } finally {
      lock.unlock();
    }
  }

  private void discardCleaned(LogSegment cleaned) {
    try {
      cleaned.closeAndDelete();
    } catch (IOException e) {
      log.warn("Could not delete abandoned cleaned segment {}", cleaned, e);
    }
  }

  public LogConfig config() {
    return config;
  }

  public void updateConfig(LogConfig config) {
    this.config = config;
  }

  /** Total bytes of all segments. */
  public long sizeInBytes() {
    long total = 0;
    for (LogSegment s : segments.values()) {
      total += s.sizeInBytes();
    }
    return total;
  }

  /** Number of segments (the active one included). */
  public int segmentCount() {
    return segments.size();
  }

  /** Base offsets of the segments, oldest first. */
  public List<Long> segmentBaseOffsets() {
    return new ArrayList<>(segments.keySet());
  }

  public Path dir() {
    return dir;
  }

  /** Called (under the log lock) whenever the log start offset moves, e.g. to checkpoint it. */
  void setLogStartOffsetListener(Runnable listener) {
    this.logStartOffsetListener = listener;
  }

  ProducerStateManager producerState() {
    return producerState;
  }

  /** The leader-epoch cache entries, oldest first (diagnostics and tests). */
  List<LeaderEpochCache.EpochEntry> epochEntries() {
    return epochCache.entries();
  }

  private void ensureOpen() {
    if (closed) {
      throw new KafkaStorageException("Log " + topicPartition + " is closed");
    }
  }

  private KafkaStorageException storageError(String what, IOException e) {
    log.error("I/O error trying to {} log {}", what, dir, e);
    return new KafkaStorageException(
        "Failed to " + what + " log " + topicPartition + ": " + e.getMessage(), e);
  }

  /**
   * Flushes, writes a producer snapshot at the log end (so the next start replays nothing), trims
   * the indexes and closes every file.
   */
  @Override
  public void close() {
    lock.lock();
    try {
      if (closed) {
        return;
      }
      RuntimeException failure = null;
      try {
        flush();
        producerState.takeSnapshot(logEndOffset);
        producerState.deleteSnapshotsBelow(segments.firstKey());
      } catch (IOException e) {
        failure = storageError("write the producer snapshot of", e);
      } catch (RuntimeException e) {
        failure = e;
      }
      // Release the files even when the flush failed; the caller learns about the failure (and
      // must not record a clean shutdown) from the exception.
      closed = true;
      synchronized (flushLock) {
        released = true;
        for (LogSegment s : segments.values()) {
          try {
            s.close();
          } catch (IOException e) {
            log.warn("Failed to close {}", s, e);
            s.closeQuietly();
          }
        }
      }
      deleteDueSegments(Long.MAX_VALUE);
      if (failure != null) {
        throw failure;
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Stops accepting appends at once (the partition is being deleted); reads keep working until
   * {@link #closeForDeletion} so in-flight fetches can finish.
   */
  void markForDeletion() {
    lock.lock();
    try {
      closed = true;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Closes file handles without flushing or writing anything: the directory is being deleted (and
   * may already have been renamed).
   */
  void closeForDeletion() {
    lock.lock();
    try {
      closed = true;
      synchronized (flushLock) {
        released = true;
        for (LogSegment s : segments.values()) {
          s.closeQuietly();
        }
        for (PendingDeletion d : pendingDeletions) {
          d.segment().closeQuietly();
        }
        pendingDeletions.clear();
      }
    } finally {
      lock.unlock();
    }
  }

  @Override
  public String toString() {
    return "PartitionLog("
        + topicPartition
        + ", start "
        + logStartOffset
        + ", end "
        + logEndOffset
        + ")";
  }
}
