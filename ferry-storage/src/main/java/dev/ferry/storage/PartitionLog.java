package dev.ferry.storage;

import dev.ferry.storage.cleaner.CleanableLog;
import dev.ferry.storage.epoch.LeaderEpochCache;
import dev.ferry.storage.producer.ActiveProducer;
import dev.ferry.storage.producer.ProducerStateManager;
import dev.ferry.storage.segment.LocalLog;
import dev.ferry.storage.segment.LogSegment;
import dev.ferry.storage.segment.LogSegments;
import dev.ferry.storage.segment.TimestampSearch;
import dev.ferry.storage.txn.AbortedTxn;
import dev.ferry.storage.txn.LogTransactions;
import dev.ferry.storage.txn.TransactionVerifications;
import dev.ferry.storage.txn.VerificationGuard;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedLeaderEpochException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One partition's append-only log: a directory of segments named by base offset. This class is the
 * partition-level front: it validates and orders appends, and owns the high watermark, the log
 * start offset, the idempotent producer state and the leader-epoch cache. The segments and their
 * files are {@link LocalLog}'s (roll, read, truncate, delayed deletion, flush); the cleaner sees
 * the log through {@link #cleanerView()}.
 *
 * <p>Why this class is still ~730 lines: the work itself lives in {@link LogLoader} (open and
 * recovery), {@link LogAppender}, {@link LogTruncation}, {@link LocalLog} and {@link
 * PartitionCleanerView}; what is left here is the public contract of a log (about 40 methods used
 * by replication, the cleaner and the log manager, with their javadoc), the fields those classes
 * share under the log's lock (log start, high watermark, closed) and close. Splitting the front
 * would hand callers several objects whose consistency depends on one lock they cannot see.
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

  private final TopicPartition topicPartition;
  private final LocalLog local;
  private final LogSegments segments;
  private final ProducerStateManager producerState;
  private final LeaderEpochCache epochCache;
  private final ReentrantLock lock = new ReentrantLock();
  private final LoadStats loadStats;
  private final PartitionCleanerView cleanerView;
  private final LogAppender appender;
  private final LogTruncation truncation;
  private final LogTransactions transactions = new LogTransactions();
  private final TransactionVerifications verifications = new TransactionVerifications();

  private volatile long logStartOffset;
  private volatile long highWatermark;
  private volatile boolean closed;
  private volatile Runnable logStartOffsetListener = () -> {};

  /**
   * Where the part of the log the cleaner has not deduplicated yet begins (Kafka's "first dirty
   * offset"), checkpointed by the LogManager; below the log start it means the log start.
   */
  private volatile long firstDirtyOffset;

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

  PartitionLog(
      LocalLog local,
      Time time,
      ProducerStateManager producerState,
      LeaderEpochCache epochCache,
      LoadStats loadStats,
      long logStartOffset,
      long highWatermark) {
    this.local = local;
    this.topicPartition = local.topicPartition();
    this.segments = local.segments();
    this.producerState = producerState;
    this.epochCache = epochCache;
    this.loadStats = loadStats;
    this.logStartOffset = logStartOffset;
    this.highWatermark = highWatermark;
    this.cleanerView = new PartitionCleanerView(this);
    this.appender = new LogAppender(this, local, producerState, epochCache, lock, time);
    this.truncation = new LogTruncation(this, local, producerState, epochCache, lock);
    transactions.reset(producerState);
  }

  /**
   * Opens (creating if absent) the log in {@code dir}, whose name is {@code <topic>-<partition>}.
   * When {@code cleanShutdown} is false, segments after the recovery point are scanned and the log
   * is truncated at the first partial or corrupt batch. The recovery point, log start offset and
   * high watermark are read from the checkpoint files in the parent directory (the log dir), if
   * present.
   */
  public static PartitionLog open(Path dir, LogConfig config, Time time, boolean cleanShutdown) {
    return LogLoader.open(dir, config, time, cleanShutdown);
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
    return LogLoader.open(
        dir, config, time, cleanShutdown, recoveryPoint, logStartOffset, highWatermark);
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
    return appender.appendAsLeader(records, leaderEpoch, null);
  }

  /**
   * As {@link #append(MemoryRecords, int)} for a producer's request, whose transactional batches
   * are checked against {@code guard} (from {@link #startTransactionVerification}) under the lock:
   * a batch that would open a transaction here needs the producer's current verification, and one
   * of an already open transaction ({@link VerificationGuard#SENTINEL}) needs it still open. {@code
   * null}: no check (the log's own coordinators' writes, non-transactional data).
   *
   * @throws org.apache.kafka.common.errors.InvalidTxnStateException a marker for the producer was
   *     written since the verification (or since its transaction was seen open)
   */
  public AppendResult append(MemoryRecords records, int leaderEpoch, VerificationGuard guard) {
    return appender.appendAsLeader(records, leaderEpoch, guard);
  }

  /**
   * The first step of a transactional produce (KIP-890 part 1): {@link VerificationGuard#SENTINEL}
   * if the producer's transaction at this epoch is already open here (no verification needed),
   * otherwise a fresh guard to carry through the coordinator's verification to {@link
   * #append(MemoryRecords, int, VerificationGuard)}. A marker for the producer voids it.
   */
  public VerificationGuard startTransactionVerification(long producerId, short producerEpoch) {
    lock.lock();
    try {
      if (producerState.hasOngoingTxn(producerId, producerEpoch)) {
        return VerificationGuard.SENTINEL;
      }
      return verifications.start(producerId);
    } finally {
      lock.unlock();
    }
  }

  /** The coordinator refused the verification behind {@code guard}: forget it. */
  public void cancelTransactionVerification(long producerId, VerificationGuard guard) {
    lock.lock();
    try {
      verifications.cancel(producerId, guard);
    } finally {
      lock.unlock();
    }
  }

  /** Verifications in flight (tests and metrics). */
  public int transactionVerificationsInFlight() {
    lock.lock();
    try {
      return verifications.size();
    } finally {
      lock.unlock();
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
    long leo = local.logEndOffset();
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
      return new ReadResult(local.read(fetchOffset, maxBytes, bound, minOneBatch), start, leo);
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
    return appender.appendAsFollower(records);
  }

  /**
   * Writes a transaction marker (COMMIT or ABORT control batch) for {@code producerId}, as the
   * partition leader does on the coordinator's WriteTxnMarkers: the producer's open transaction
   * here ends, an abort is indexed for read_committed fetches, and a higher epoch becomes the
   * producer's (fencing older instances).
   *
   * @throws org.apache.kafka.common.errors.InvalidProducerEpochException the marker's epoch is
   *     older than the producer's
   * @throws org.apache.kafka.common.errors.TransactionCoordinatorFencedException from an older
   *     coordinator than the previous marker
   * @throws org.apache.kafka.common.errors.FencedLeaderEpochException this broker no longer leads
   */
  public AppendResult appendMarker(
      long producerId, short producerEpoch, int coordinatorEpoch, boolean commit, int leaderEpoch) {
    return appender.appendMarker(producerId, producerEpoch, coordinatorEpoch, commit, leaderEpoch);
  }

  /**
   * The last stable offset: the high watermark, held back by the oldest transaction not yet decided
   * and replicated. read_committed consumers read below it.
   */
  public long lastStableOffset() {
    return transactions.lastStableOffset(highWatermark);
  }

  /** As {@link #lastStableOffset()} for a high watermark the caller tracks itself. */
  public long lastStableOffset(long highWatermark) {
    return transactions.lastStableOffset(Math.min(highWatermark, local.logEndOffset()));
  }

  /**
   * Aborted transactions overlapping [fetchOffset, upperBound), for a read_committed fetch: from
   * the segment holding the fetch offset on (a transaction's marker is never before its data).
   */
  public List<AbortedTxn> abortedTransactions(long fetchOffset, long upperBound) {
    List<AbortedTxn> out = new ArrayList<>();
    for (LogSegment s : segments.from(fetchOffset)) {
      s.txnIndex().collect(fetchOffset, upperBound, out);
    }
    return out;
  }

  /** Whether the producer has a transaction open here at this epoch (produce verification). */
  public boolean hasOngoingTransaction(long producerId, short producerEpoch) {
    lock.lock();
    try {
      return producerState.hasOngoingTxn(producerId, producerEpoch);
    } finally {
      lock.unlock();
    }
  }

  /** The producers this partition knows, for DescribeProducers. */
  public List<ActiveProducer> activeProducers() {
    lock.lock();
    try {
      return producerState.activeProducers();
    } finally {
      lock.unlock();
    }
  }

  /** The log's transactional state (LSO bookkeeping), for the appender and truncation. */
  /** Verification guards; the caller holds the lock. */
  TransactionVerifications verifications() {
    return verifications;
  }

  LogTransactions transactions() {
    return transactions;
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
      boolean firstOfEmptyLog =
          epochCache.latestEpoch() < 0
              && !epochCache.hasCheckpointFile()
              && local.logEndOffset() == logStartOffset;
      if (epochCache.assign(epoch, local.logEndOffset())) {
        if (firstOfEmptyLog) {
          // A new log's first epoch is written later (first roll, close): a crash before that
          // leaves no checkpoint file, and the load rebuilds the same entry from the epoch's
          // batches, or none if it wrote none (an epoch that owns no offsets; the restarted broker
          // leads again only at a newer one). Nothing else can be lost: every later change writes
          // the whole list. Creating 10,000 partitions would otherwise cost 20,000 fsyncs here.
          log.debug(
              "{} starts leader epoch {} at offset {}", topicPartition, epoch, logStartOffset);
        } else {
          appender.persistEpochsBeforeAppend();
          log.info(
              "{} starts leader epoch {} at offset {}",
              topicPartition,
              epoch,
              local.logEndOffset());
        }
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
   * it is the latest); for an epoch below the first known one, that epoch ending where the first
   * known one starts (its data is not here: retention, or a log cut short). {@link
   * EpochEndOffset#UNDEFINED} when no epoch is known or {@code epoch} is above the latest. Backed
   * by a {@code leader-epoch-checkpoint} file in the partition directory (epoch and start offset
   * per line), kept in step with truncation and the log start offset. Lock-free.
   */
  public EpochEndOffset endOffsetForEpoch(int epoch) {
    return epochCache.endOffsetFor(epoch, local.logEndOffset());
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
    highWatermark = Math.max(logStartOffset, Math.min(offset, local.logEndOffset()));
  }

  /**
   * The last high watermark given to {@link #updateHighWatermark} or loaded at open (clamped to the
   * log), else the log start offset.
   */
  public long highWatermark() {
    return highWatermark;
  }

  public long logEndOffset() {
    return local.logEndOffset();
  }

  /** Offset below which everything is known to be fsynced. */
  public long recoveryPoint() {
    return local.recoveryPoint();
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
    try {
      return TimestampSearch.offsetForTimestamp(segments, timestamp, logStartOffset);
    } catch (IOException e) {
      throw storageError("search", e);
    }
  }

  /** The offset and timestamp of the record with the largest timestamp (ListOffsets -3). */
  public TimestampOffset maxTimestamp() {
    try {
      return TimestampSearch.maxTimestamp(segments);
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
    return truncation.advanceLogStartOffset(offset);
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
    truncation.truncateTo(offset);
  }

  /**
   * Empties the log and restarts it at {@code offset}, which may lie beyond the log end: what a
   * follower does when the leader's log start has passed its log end (retention or DeleteRecords on
   * the leader while the follower was away), so there is nothing left to fetch in between.
   */
  public void truncateFullyAndStartAt(long offset) {
    truncation.truncateFullyAndStartAt(offset);
  }

  /**
   * Deletes segments past retention.ms / retention.bytes (and, for retention.ms, rolls an expired
   * active segment first so it can go too); returns how many were deleted. Only segments wholly
   * below the high watermark are deleted (the next segment's base, or the log end for the active
   * one, at or below it): data not yet replicated everywhere is never removed.
   */
  public int enforceRetention(long nowMs) {
    return truncation.enforceRetention(nowMs);
  }

  // ---- State changes made by LogTruncation and LogAppender (under the lock) ----

  void setLogStartOffset(long offset) {
    logStartOffset = offset;
  }

  /** After truncation: nothing the cleaner or replication recorded lies past the log end. */
  void clampToLogEnd(long logEnd) {
    firstDirtyOffset = Math.min(firstDirtyOffset, logEnd);
    highWatermark = Math.min(highWatermark, logEnd);
  }

  /** The log restarts empty at {@code offset}. */
  void restartOffsetsAt(long offset) {
    logStartOffset = offset;
    highWatermark = offset;
    firstDirtyOffset = offset;
  }

  void raiseHighWatermarkTo(long offset) {
    if (highWatermark < offset) {
      highWatermark = offset;
    }
  }

  void logStartMoved() {
    logStartOffsetListener.run();
  }

  LogSegment roll(LogConfig cfg) {
    return appender.roll(cfg);
  }

  /**
   * Deletes the files of removed segments whose {@code file.delete.delay.ms} has passed. The delay
   * lets fetch responses that still reference them finish sending.
   */
  public void deleteDueSegments(long nowMs) {
    local.deleteDueSegments(nowMs);
  }

  /**
   * Flushes rolled segments not yet on disk, and everything if flush.ms has elapsed since the last
   * flush (called by the LogManager's scheduler).
   */
  public void maybeFlush(long nowMs) {
    local.maybeFlush(nowMs);
  }

  /** Forces every segment to disk and advances the recovery point. */
  public void flush() {
    local.flush();
  }

  // ---- Compaction support ----

  /** The cleaner's view of this log. */
  public CleanableLog cleanerView() {
    return cleanerView;
  }

  /** The cleaner's progress: everything below this offset has been deduplicated. */
  public long firstDirtyOffset() {
    return Math.max(firstDirtyOffset, logStartOffset);
  }

  /** Restores the cleaner's progress from its checkpoint (at load), or records a pass's end. */
  void setFirstDirtyOffset(long offset) {
    firstDirtyOffset = Math.min(offset, local.logEndOffset());
  }

  public LogConfig config() {
    return local.config();
  }

  public void updateConfig(LogConfig config) {
    local.updateConfig(config);
  }

  /** Total bytes of all segments. */
  public long sizeInBytes() {
    return segments.sizeInBytes();
  }

  /** Number of segments (the active one included). */
  public int segmentCount() {
    return segments.count();
  }

  /** Base offsets of the segments, oldest first. */
  public List<Long> segmentBaseOffsets() {
    return segments.baseOffsets();
  }

  public Path dir() {
    return local.dir();
  }

  /** Reports this log's I/O failures to {@code channel}: its log dir then goes offline. */
  void setDirFailureChannel(LogDirFailureChannel channel) {
    local.setDirFailureChannel(channel);
  }

  /**
   * Reports a fault on a memory-mapped page of this log that surfaced outside the log's own calls,
   * on a thread that writes it (the JVM throws such an {@link InternalError} asynchronously, at the
   * thread's next native call: see {@link LocalLog#mappedFileFault}). The log's dir goes offline;
   * the returned error is for the caller to log or throw.
   */
  public KafkaStorageException mappedFileFault(String what, InternalError e) {
    return local.mappedFileFault(what, e);
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

  ReentrantLock lock() {
    return lock;
  }

  LocalLog local() {
    return local;
  }

  boolean isClosed() {
    return closed;
  }

  void ensureOpen() {
    if (closed) {
      throw new KafkaStorageException("Log " + topicPartition + " is closed");
    }
  }

  private KafkaStorageException storageError(String what, IOException e) {
    return local.storageError(what, e);
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
        if (local.logEndOffset() > logStartOffset) {
          // An empty log's deferred first epoch owns no offsets: a load rebuilds nothing for it,
          // as after a crash (see assignLeaderEpoch), and its 2 fsyncs are saved at every stop.
          appender.persistDeferredEpochs();
        }
        flush();
        producerState.takeSnapshotIfNew(local.logEndOffset());
        producerState.deleteSnapshotsBelow(segments.firstBaseOffset());
      } catch (IOException e) {
        failure = storageError("write the producer snapshot of", e);
      } catch (RuntimeException e) {
        failure = e;
      }
      // Release the files even when the flush failed; the caller learns about the failure (and
      // must not record a clean shutdown) from the exception.
      closed = true;
      local.close();
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
      local.closeForDeletion();
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
        + local.logEndOffset()
        + ")";
  }
}
