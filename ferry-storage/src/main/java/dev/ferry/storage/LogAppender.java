package dev.ferry.storage;

import dev.ferry.storage.epoch.LeaderEpochCache;
import dev.ferry.storage.producer.ProducerStateManager;
import dev.ferry.storage.segment.LocalLog;
import dev.ferry.storage.segment.LogSegment;
import dev.ferry.storage.segment.LogSegments;
import dev.ferry.storage.txn.LogTransactions;
import dev.ferry.storage.txn.TransactionVerifications;
import dev.ferry.storage.txn.VerificationGuard;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.common.errors.FencedLeaderEpochException;
import org.apache.kafka.common.errors.InvalidTxnStateException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write path of a {@link PartitionLog}: validates batches, assigns offsets (as leader) or
 * checks them (as follower), checks idempotent producers, records new leader epochs before the
 * batches that start them, rolls the active segment and hands the bytes to {@link LocalLog}. The
 * contracts are on {@link PartitionLog#append} and {@link PartitionLog#appendAsFollower}.
 *
 * <p>CRC and header checks need no log state and run before the log's lock is taken; everything
 * after runs under it.
 */
final class LogAppender {

  private static final Logger log = LoggerFactory.getLogger(LogAppender.class);

  private final PartitionLog owner;
  private final LocalLog local;
  private final LogSegments segments;
  private final ProducerStateManager producerState;
  private final LeaderEpochCache epochCache;
  private final ReentrantLock lock;
  private final Time time;

  LogAppender(
      PartitionLog owner,
      LocalLog local,
      ProducerStateManager producerState,
      LeaderEpochCache epochCache,
      ReentrantLock lock,
      Time time) {
    this.owner = owner;
    this.local = local;
    this.segments = local.segments();
    this.producerState = producerState;
    this.epochCache = epochCache;
    this.lock = lock;
    this.time = time;
  }

  AppendResult appendAsLeader(MemoryRecords records, int leaderEpoch, VerificationGuard guard) {
    try {
      return leaderAppend(records, leaderEpoch, guard);
    } catch (InternalError e) {
      throw local.mappedFileFault("append to", e);
    }
  }

  private AppendResult leaderAppend(
      MemoryRecords records, int leaderEpoch, VerificationGuard guard) {
    LogConfig cfg = local.config();
    if (records.sizeInBytes() == 0) {
      return new AppendResult(-1, -1, RecordBatch.NO_TIMESTAMP, owner.logStartOffset(), false);
    }
    // CRC and header checks need no log state: done before taking the lock.
    BatchValidator.Validated validated = BatchValidator.validate(records, cfg.maxMessageBytes());
    List<MutableRecordBatch> batches = validated.batches();
    if (cfg.compact()) {
      requireKeys(batches);
    }
    lock.lock();
    try {
      owner.ensureOpen();
      int latestEpoch = epochCache.latestEpoch();
      if (leaderEpoch < latestEpoch) {
        throw new FencedLeaderEpochException(
            "Leader epoch "
                + leaderEpoch
                + " of the append to "
                + owner.topicPartition()
                + " is older than the log's latest epoch "
                + latestEpoch);
      }
      ProducerStateManager.Check check = producerState.check(batches);
      if (check.duplicateBefore() >= 0) {
        return AppendResult.duplicateAtUnknownOffsets(
            check.duplicateBefore(), owner.logStartOffset());
      }
      if (check.duplicate() != null) {
        ProducerStateManager.BatchMetadata dup = check.duplicate();
        return new AppendResult(
            dup.firstOffset(),
            dup.lastOffset(),
            cfg.logAppendTime() ? dup.timestamp() : RecordBatch.NO_TIMESTAMP,
            owner.logStartOffset(),
            true);
      }
      if (guard != null) {
        checkVerification(batches, guard);
      }
      long now = time.milliseconds();
      long firstOffset = local.logEndOffset();
      long lastOffset = firstOffset + validated.offsetCount() - 1;
      LogSegment active = segments.active();
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
      write(
          active,
          records,
          batches,
          epochCache.assign(leaderEpoch, firstOffset),
          "append to",
          cfg,
          now);
      producerState.apply(check.pending(), batches);
      if (guard != null) {
        spendVerifications(batches);
      }
      owner.transactions().afterAppend(producerState);
      local.completeAppend(next, validated.recordCount(), cfg.flushMessages());
      return new AppendResult(
          firstOffset,
          next - 1,
          cfg.logAppendTime() ? now : RecordBatch.NO_TIMESTAMP,
          owner.logStartOffset(),
          false);
    } finally {
      lock.unlock();
    }
  }

  /**
   * A compacted log keeps the latest record per key, so a record without a key has no place in it
   * (Kafka refuses it the same way). Reads every record, decompressing if need be: compacted topics
   * pay this, others do not. Every keyless record is named, by its index within its batch, so the
   * producer fails only those (KIP-467).
   */
  private void requireKeys(List<MutableRecordBatch> batches) {
    List<InvalidRecordsException.RecordError> errors = null;
    for (MutableRecordBatch b : batches) {
      int index = 0;
      for (Record r : b) {
        if (!r.hasKey()) {
          if (errors == null) {
            errors = new ArrayList<>();
          }
          errors.add(
              new InvalidRecordsException.RecordError(
                  index,
                  "Record without a key refused by compacted topic partition "
                      + owner.topicPartition()));
        }
        index++;
      }
    }
    if (errors != null) {
      throw new InvalidRecordsException(
          errors.size()
              + " record(s) without a key refused: topic "
              + owner.topicPartition().topic()
              + " is compacted (cleanup.policy="
              + local.config().cleanupPolicy()
              + ")",
          errors);
    }
  }

  /**
   * Writes the epoch checkpoint before the batches that start the new epoch: after a crash the file
   * may name an epoch whose batch is missing (dropped at load, as at or past the log end), never
   * miss one that is in the log.
   */
  void persistEpochsBeforeAppend() {
    try {
      epochCache.persist();
    } catch (IOException e) {
      epochCache.truncateFromEnd(local.logEndOffset());
      throw local.storageError("write the leader-epoch checkpoint of", e);
    }
  }

  /**
   * A producer's transactional batch either continues the transaction open here or opens one with
   * the verification the produce path started ({@link VerificationGuard}). A marker written since
   * then (the coordinator aborted the transaction while it was being asked) voided both: the batch
   * would otherwise open a transaction that no marker will ever end. Caller holds the lock.
   */
  private void checkVerification(List<MutableRecordBatch> batches, VerificationGuard guard) {
    TransactionVerifications verifications = owner.verifications();
    for (MutableRecordBatch b : batches) {
      if (!b.isTransactional()
          || producerState.hasOngoingTxn(b.producerId(), b.producerEpoch())
          || verifications.matches(b.producerId(), guard)) {
        continue;
      }
      throw new InvalidTxnStateException(
          "Producer "
              + b.producerId()
              + " epoch "
              + b.producerEpoch()
              + " has no verified transaction on "
              + owner.topicPartition()
              + " (a marker ended it, or it was never verified)");
    }
  }

  /** The appended batches opened their transactions: their verifications are used up. */
  private void spendVerifications(List<MutableRecordBatch> batches) {
    for (MutableRecordBatch b : batches) {
      if (b.isTransactional()) {
        owner.verifications().clear(b.producerId());
      }
    }
  }

  /**
   * Writes the batches to the active segment. A new leader epoch among them ({@code newEpoch}) is
   * checkpointed first and undone if the write fails. Caller holds the lock.
   */
  private void write(
      LogSegment active,
      MemoryRecords records,
      List<MutableRecordBatch> batches,
      boolean newEpoch,
      String what,
      LogConfig cfg,
      long now) {
    if (newEpoch) {
      persistEpochsBeforeAppend();
    }
    try {
      local.append(active, records, batches, cfg.indexIntervalBytes(), now);
    } catch (IOException e) {
      if (newEpoch) {
        rollBackEpochs();
      }
      throw local.storageError(what, e);
    }
  }

  /** Undoes epochs assigned for an append that failed. Caller holds the lock. */
  private void rollBackEpochs() {
    if (epochCache.truncateFromEnd(local.logEndOffset())) {
      try {
        epochCache.persist();
      } catch (IOException e) {
        // The file keeps an entry at the log end; the next load drops it.
        log.warn("Could not rewrite the leader-epoch checkpoint of {}", owner.topicPartition(), e);
      }
    }
  }

  /**
   * Writes the epoch checkpoint if the log has epochs but no checkpoint file yet (a new log's first
   * epoch, see {@link PartitionLog#assignLeaderEpoch}), so a load after a crash rebuilds nothing
   * from the batches. A failure only leaves that rebuild to the next load. Caller holds the lock.
   */
  void persistDeferredEpochs() {
    if (epochCache.latestEpoch() < 0 || epochCache.hasCheckpointFile()) {
      return;
    }
    try {
      epochCache.persist();
    } catch (IOException e) {
      log.warn(
          "Could not write the leader-epoch checkpoint of {}; the next load rebuilds it: {}",
          owner.topicPartition(),
          e.toString());
    }
  }

  /** Starts a new active segment at the log end. Caller holds the lock. */
  LogSegment roll(LogConfig cfg) {
    // Bounds what a crash leaves to rebuild from batch headers to the first segment.
    persistDeferredEpochs();
    try {
      // The producer state now covers every batch below the new base: an unclean restart replays
      // from there.
      return local.roll(cfg.segmentIndexBytes(), producerState::takeSnapshot);
    } catch (IOException e) {
      throw local.storageError("roll", e);
    }
  }

  AppendResult appendAsFollower(MemoryRecords records) {
    try {
      return followerAppend(records);
    } catch (InternalError e) {
      throw local.mappedFileFault("append replicated batches to", e);
    }
  }

  private AppendResult followerAppend(MemoryRecords records) {
    LogConfig cfg = local.config();
    if (records.sizeInBytes() == 0) {
      return new AppendResult(-1, -1, RecordBatch.NO_TIMESTAMP, owner.logStartOffset(), false);
    }
    BatchValidator.Validated validated = BatchValidator.validateReplicated(records);
    List<MutableRecordBatch> batches = validated.batches();
    lock.lock();
    try {
      owner.ensureOpen();
      long firstOffset = local.logEndOffset();
      long next = firstOffset;
      // Offsets only go up; a gap is the leader's compaction having removed whole batches.
      for (MutableRecordBatch b : batches) {
        if (b.baseOffset() < next) {
          throw new UnexpectedAppendOffsetException(
              (next == firstOffset
                      ? "Replicated batches for " + owner.topicPartition() + " start at "
                      : "Replicated batches for " + owner.topicPartition() + " go back: batch at ")
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
      LogSegment active = segments.active();
      if (active.shouldRoll(cfg, records.sizeInBytes(), next - 1, now)) {
        active = roll(cfg);
      }
      write(
          active,
          records,
          batches,
          assignReplicatedEpochs(batches),
          "append replicated batches to",
          cfg,
          now);
      try {
        applyReplicatedProducerState(batches, active);
      } catch (IOException e) {
        throw local.storageError("index an aborted transaction in", e);
      }
      local.completeAppend(next, validated.recordCount(), cfg.flushMessages());
      return new AppendResult(
          firstOffset, next - 1, RecordBatch.NO_TIMESTAMP, owner.logStartOffset(), false);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Follower: applies replicated batches to the producer state in log order, markers included (a
   * batch after a marker may open the producer's next transaction). Caller holds the lock.
   */
  private void applyReplicatedProducerState(List<MutableRecordBatch> batches, LogSegment active)
      throws IOException {
    LogTransactions transactions = owner.transactions();
    for (MutableRecordBatch b : batches) {
      if (!b.isControlBatch()) {
        producerState.applyAsFollower(b);
        continue;
      }
      LogTransactions.Marker m = b.hasProducerId() ? LogTransactions.parseMarker(b) : null;
      if (m != null) {
        long lso = owner.lastStableOffset();
        ProducerStateManager.CompletedTxn ended =
            producerState.applyMarker(
                b.producerId(), b.producerEpoch(), m.coordinatorEpoch(), m.abort(), b.baseOffset());
        owner.verifications().clear(b.producerId());
        transactions.afterMarker(producerState, ended, active.txnIndex(), lso);
      }
    }
    transactions.afterAppend(producerState);
  }

  /**
   * Writes a transaction marker (see {@link PartitionLog#appendMarker}). The marker's leader epoch
   * must not be older than the log's.
   */
  AppendResult appendMarker(
      long producerId, short producerEpoch, int coordinatorEpoch, boolean commit, int leaderEpoch) {
    try {
      return markerAppend(producerId, producerEpoch, coordinatorEpoch, commit, leaderEpoch);
    } catch (InternalError e) {
      throw local.mappedFileFault("append a marker to", e);
    }
  }

  private AppendResult markerAppend(
      long producerId, short producerEpoch, int coordinatorEpoch, boolean commit, int leaderEpoch) {
    lock.lock();
    try {
      owner.ensureOpen();
      int latestEpoch = epochCache.latestEpoch();
      if (leaderEpoch < latestEpoch) {
        throw new FencedLeaderEpochException(
            "Leader epoch "
                + leaderEpoch
                + " of a marker for "
                + owner.topicPartition()
                + " is older than the log's latest epoch "
                + latestEpoch);
      }
      producerState.checkMarker(producerId, producerEpoch, coordinatorEpoch);
      LogConfig cfg = local.config();
      long offset = local.logEndOffset();
      long now = time.milliseconds();
      MemoryRecords records =
          MemoryRecords.withEndTransactionMarker(
              offset,
              now,
              leaderEpoch,
              producerId,
              producerEpoch,
              new EndTransactionMarker(
                  commit ? ControlRecordType.COMMIT : ControlRecordType.ABORT, coordinatorEpoch));
      List<MutableRecordBatch> batches = new ArrayList<>(1);
      records.batches().forEach(batches::add);
      LogSegment active = segments.active();
      if (active.shouldRoll(cfg, records.sizeInBytes(), offset, now)) {
        active = roll(cfg);
      }
      write(
          active,
          records,
          batches,
          epochCache.assign(leaderEpoch, offset),
          "append a marker to",
          cfg,
          now);
      long lso = owner.lastStableOffset();
      ProducerStateManager.CompletedTxn ended =
          producerState.applyMarker(producerId, producerEpoch, coordinatorEpoch, !commit, offset);
      owner.verifications().clear(producerId);
      local.completeAppend(offset + 1, 1, cfg.flushMessages());
      try {
        owner.transactions().afterMarker(producerState, ended, active.txnIndex(), lso);
      } catch (IOException e) {
        throw local.storageError("index an aborted transaction in", e);
      }
      return new AppendResult(
          offset, offset, RecordBatch.NO_TIMESTAMP, owner.logStartOffset(), false);
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
              owner.topicPartition(),
              epoch,
              epochCache.latestEpoch());
          continue;
        }
      }
      changed |= epochCache.assign(epoch, b.baseOffset());
    }
    return changed;
  }
}
