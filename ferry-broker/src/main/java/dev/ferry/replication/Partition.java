package dev.ferry.replication;

import dev.ferry.metadata.PartitionState;
import dev.ferry.storage.AppendResult;
import dev.ferry.storage.EpochEndOffset;
import dev.ferry.storage.LogConfig;
import dev.ferry.storage.PartitionLog;
import dev.ferry.storage.ReadResult;
import dev.ferry.storage.TimestampOffset;
import dev.ferry.storage.UnexpectedAppendOffsetException;
import dev.ferry.storage.producer.ActiveProducer;
import dev.ferry.storage.txn.AbortedTxn;
import dev.ferry.storage.txn.VerificationGuard;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.IntPredicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.FencedLeaderEpochException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.UnknownLeaderEpochException;
import org.apache.kafka.common.message.FetchResponseData.AbortedTransaction;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.DeleteRecordsRequest;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A partition hosted on this broker, as leader or follower: its log plus the replication state, and
 * the only way request handlers operate on it. Reads ({@link #read}), DeleteRecords, offset lookups
 * by timestamp and by leader epoch check leadership and the caller's leader epoch and run under the
 * role lock, so none of them interleaves with a role change.
 *
 * <p>As leader it tracks each follower's log end offset (from the follower's fetches), the in-sync
 * replica set and the high watermark: the smallest log end offset over the ISR, moving only
 * forward. ISR changes are proposed here and written to ZooKeeper by the {@link IsrUpdater}; while
 * one is in flight the high watermark is computed over the union of the old and the proposed ISR
 * (the "maximal" ISR), which is safe whichever way the write ends. As follower its high watermark
 * is the leader's, capped at its own log end offset.
 *
 * <p>Threading: role changes take the write lock; appends, reads and follower-fetch updates the
 * read lock (so none interleaves with a role change) plus, for the replica bookkeeping, this
 * object's monitor. Getters are lock-free reads of volatiles. The follower paths (truncation,
 * follower appends) run on the one replica fetcher thread that owns the partition while it follows.
 */
public final class Partition {

  private static final Logger logger = LoggerFactory.getLogger(Partition.class);

  /** Leader or follower; a follower whose leader is -1 (offline partition) does not fetch. */
  public enum Role {
    LEADER,
    FOLLOWER
  }

  private final TopicPartition topicPartition;
  private final Uuid topicId;
  private final PartitionLog log;
  private final int localBrokerId;
  private final HighWatermarkListener hwListener;
  private final IsrExpansions isrExpansions;
  private final Time time;
  private final ReentrantReadWriteLock roleLock = new ReentrantReadWriteLock();

  private volatile Role role = Role.FOLLOWER;
  private volatile int leaderId = -1;
  private volatile int leaderEpoch = -1;
  private volatile int partitionEpoch = -1;
  private volatile int controllerEpoch;
  private volatile List<Integer> replicas;
  private volatile Set<Integer> isr = Set.of();

  /** isr plus a proposed expansion while it is being written; equals isr otherwise. */
  private volatile Set<Integer> maximalIsr = Set.of();

  private volatile boolean isrChangeInFlight;
  private volatile long leaderEpochStartOffset;
  private volatile long highWatermark;
  private volatile int minInsyncReplicas = 1;

  /** Leader only; guarded by "this". */
  private final Map<Integer, FollowerState> followers = new HashMap<>();

  /** A partition whose ISR expansions are dropped (no controller to write them), on system time. */
  Partition(
      TopicPartition topicPartition,
      Uuid topicId,
      PartitionLog log,
      int localBrokerId,
      List<Integer> replicas,
      HighWatermarkListener hwListener) {
    this(
        topicPartition,
        topicId,
        log,
        localBrokerId,
        replicas,
        hwListener,
        IsrExpansions.NONE,
        Time.SYSTEM);
  }

  Partition(
      TopicPartition topicPartition,
      Uuid topicId,
      PartitionLog log,
      int localBrokerId,
      List<Integer> replicas,
      HighWatermarkListener hwListener,
      IsrExpansions isrExpansions,
      Time time) {
    this.topicPartition = topicPartition;
    this.topicId = topicId;
    this.log = log;
    this.localBrokerId = localBrokerId;
    this.replicas = List.copyOf(replicas);
    this.hwListener = hwListener;
    this.isrExpansions = isrExpansions;
    this.time = time;
    this.highWatermark = Math.min(log.highWatermark(), log.logEndOffset());
  }

  public TopicPartition topicPartition() {
    return topicPartition;
  }

  public Uuid topicId() {
    return topicId;
  }

  /**
   * The local log, for this package and for tests that inspect a replica's files. Request handlers
   * and coordinators use the checked operations of this class instead.
   */
  public PartitionLog log() {
    return log;
  }

  public long logStartOffset() {
    return log.logStartOffset();
  }

  public long logEndOffset() {
    return log.logEndOffset();
  }

  /** Bytes on disk in the log's segments. */
  public long sizeInBytes() {
    return log.sizeInBytes();
  }

  public Role role() {
    return role;
  }

  public boolean isLeader() {
    return role == Role.LEADER;
  }

  /** The leader this replica knows of (this broker when leading), or -1. */
  public int leaderId() {
    return leaderId;
  }

  public int leaderEpoch() {
    return leaderEpoch;
  }

  public int partitionEpoch() {
    return partitionEpoch;
  }

  public List<Integer> replicas() {
    return replicas;
  }

  /** The in-sync replicas as last written to ZooKeeper. */
  public Set<Integer> isr() {
    return isr;
  }

  public int minInsyncReplicas() {
    return minInsyncReplicas;
  }

  void setMinInsyncReplicas(int value) {
    this.minInsyncReplicas = Math.max(1, value);
  }

  /** The offset below which records are committed and visible to consumers. */
  public long highWatermark() {
    return highWatermark;
  }

  /**
   * The offset below which a read_committed consumer may read: the first offset of the earliest
   * transaction not yet decided (or whose marker is not yet replicated), else the high watermark.
   * Computed the same way on followers, from the markers they replicate.
   */
  public long lastStableOffset() {
    return log.lastStableOffset(highWatermark);
  }

  /** The end of what a reader with {@code isolation} may see (for long-poll wake-up checks). */
  public long fetchableEndOffset(FetchIsolation isolation) {
    return switch (isolation) {
      case LOG_END -> log.logEndOffset();
      case HIGH_WATERMARK -> highWatermark;
      case TXN_COMMITTED -> lastStableOffset();
    };
  }

  // ---- reads and leader-side operations (request handlers)

  /**
   * Reads from {@code fetchOffset} as {@code params} allow: up to the log end for a follower (whose
   * fetch offset is then recorded as its progress, which may move the high watermark and earn it a
   * place in the ISR), up to the high watermark or the last stable offset for others.
   *
   * @param currentLeaderEpoch the leader epoch the reader knows, or -1 to skip the check
   * @param minOneBatch whether the first batch is returned whole even if larger than {@code
   *     maxBytes} (true for the first partition of a response that has data)
   * @throws NotLeaderOrFollowerException if this broker does not lead the partition
   * @throws FencedLeaderEpochException if the reader's epoch is older than ours
   * @throws UnknownLeaderEpochException if it is newer
   * @throws OffsetOutOfRangeException if {@code fetchOffset} is outside the log
   */
  public LogReadInfo read(
      FetchParams params,
      long fetchOffset,
      int currentLeaderEpoch,
      int maxBytes,
      boolean minOneBatch) {
    ReadResult r;
    PartitionState expansion = null;
    roleLock.readLock().lock();
    try {
      checkLeaderAndEpoch(currentLeaderEpoch);
      long bound =
          params.isolation() == FetchIsolation.LOG_END
              ? Long.MAX_VALUE
              : fetchableEndOffset(params.isolation());
      r = log.read(fetchOffset, maxBytes, bound, minOneBatch);
      if (params.fromFollower()) {
        expansion =
            updateFollowerState(
                params.replicaId(),
                fetchOffset,
                r.logEndOffset(),
                time.milliseconds(),
                isrExpansions::eligible);
      }
    } finally {
      roleLock.readLock().unlock();
    }
    if (params.fromFollower()) {
      maybeIncrementHighWatermark(); // the fetch may have just advanced it
      if (expansion != null) {
        logger.info(
            "Adding replica {} to the ISR of {} (its log end {} reached the high watermark {})",
            params.replicaId(),
            topicPartition,
            fetchOffset,
            highWatermark);
        isrExpansions.submit(this, expansion);
      }
    }
    long hw = highWatermark;
    long lso = lastStableOffset();
    return new LogReadInfo(
        r.records(),
        hw,
        lso,
        r.logStartOffset(),
        r.logEndOffset(),
        params.isolation() == FetchIsolation.TXN_COMMITTED
            ? abortedTransactions(fetchOffset, lso, r.records().sizeInBytes() > 0)
            : null);
  }

  /**
   * The aborts a read_committed consumer needs to drop aborted records from [fetchOffset, bound):
   * possibly a few past what the read returned, which the consumer ignores.
   */
  private List<AbortedTransaction> abortedTransactions(long fetchOffset, long bound, boolean any) {
    if (!any) {
      return List.of();
    }
    List<AbortedTxn> aborted = log.abortedTransactions(fetchOffset, bound);
    if (aborted.isEmpty()) {
      return List.of();
    }
    List<AbortedTransaction> out = new ArrayList<>(aborted.size());
    for (AbortedTxn t : aborted) {
      out.add(
          new AbortedTransaction().setProducerId(t.producerId()).setFirstOffset(t.firstOffset()));
    }
    return out;
  }

  /**
   * Writes a transaction marker as leader (WriteTxnMarkers from the transaction coordinator).
   *
   * @throws NotLeaderOrFollowerException if this broker does not lead the partition
   */
  AppendResult appendMarker(
      long producerId, short producerEpoch, int coordinatorEpoch, boolean commit) {
    AppendResult result;
    roleLock.readLock().lock();
    try {
      checkLeaderAndEpoch(-1);
      result = log.appendMarker(producerId, producerEpoch, coordinatorEpoch, commit, leaderEpoch);
    } finally {
      roleLock.readLock().unlock();
    }
    maybeIncrementHighWatermark();
    return result;
  }

  /** Whether the producer has a transaction open here at this epoch (produce verification). */
  public boolean hasOngoingTransaction(long producerId, short producerEpoch) {
    return log.hasOngoingTransaction(producerId, producerEpoch);
  }

  /**
   * Starts a produce verification (see {@link PartitionLog#startTransactionVerification}): {@link
   * VerificationGuard#SENTINEL} when the transaction is already open here.
   */
  public VerificationGuard startTransactionVerification(long producerId, short producerEpoch) {
    return log.startTransactionVerification(producerId, producerEpoch);
  }

  /** The coordinator refused the verification: its guard is forgotten. */
  public void cancelTransactionVerification(long producerId, VerificationGuard guard) {
    log.cancelTransactionVerification(producerId, guard);
  }

  /** The producers this partition knows (DescribeProducers), leader only. */
  public List<ActiveProducer> activeProducers() {
    roleLock.readLock().lock();
    try {
      checkLeaderAndEpoch(-1);
      return log.activeProducers();
    } finally {
      roleLock.readLock().unlock();
    }
  }

  /**
   * DeleteRecords on the leader: moves the log start offset to {@code offset} ({@code -1}: the high
   * watermark), which must not pass the high watermark (records not yet replicated cannot be
   * deleted: a new leader could still have them).
   *
   * @return the new log start offset (the low watermark)
   * @throws NotLeaderOrFollowerException if this broker does not lead the partition
   * @throws OffsetOutOfRangeException if {@code offset} is negative or beyond the high watermark
   */
  public long deleteRecordsOnLeader(long offset) {
    roleLock.readLock().lock();
    try {
      checkLeaderAndEpoch(-1);
      long hw = highWatermark;
      long target = offset == DeleteRecordsRequest.HIGH_WATERMARK ? hw : offset;
      if (target < 0 || target > hw) {
        throw new OffsetOutOfRangeException(
            "Cannot delete records of "
                + topicPartition
                + " before "
                + target
                + "; high watermark is "
                + hw);
      }
      return log.advanceLogStartOffset(target);
    } finally {
      roleLock.readLock().unlock();
    }
  }

  /**
   * ListOffsets on the leader: the earliest offset, the latest visible one ({@code isolation}
   * decides: high watermark or last stable offset), the record with the largest timestamp, or the
   * first record at or after {@code timestamp}. Tiered-storage lookups find nothing (nothing is
   * tiered).
   *
   * @param timestamp a record timestamp or one of ListOffsets' special values
   * @throws NotLeaderOrFollowerException if this broker does not lead the partition
   * @throws FencedLeaderEpochException if the caller's epoch is older than ours
   * @throws UnknownLeaderEpochException if it is newer
   */
  public OffsetLookup fetchOffsetForTimestamp(
      long timestamp, int currentLeaderEpoch, FetchIsolation isolation) {
    roleLock.readLock().lock();
    try {
      checkLeaderAndEpoch(currentLeaderEpoch);
      int epoch = leaderEpoch;
      if (timestamp == ListOffsetsRequest.EARLIEST_TIMESTAMP
          || timestamp == ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP) {
        return new OffsetLookup(log.logStartOffset(), -1, epoch);
      }
      if (timestamp == ListOffsetsRequest.LATEST_TIMESTAMP) {
        return new OffsetLookup(fetchableEndOffset(isolation), -1, epoch);
      }
      if (timestamp < 0 && timestamp != ListOffsetsRequest.MAX_TIMESTAMP) {
        return OffsetLookup.notFound();
      }
      TimestampOffset found =
          timestamp == ListOffsetsRequest.MAX_TIMESTAMP
              ? log.maxTimestamp()
              : log.offsetForTimestamp(timestamp);
      return found == null
          ? OffsetLookup.notFound()
          : new OffsetLookup(found.offset(), found.timestamp(), epoch);
    } finally {
      roleLock.readLock().unlock();
    }
  }

  /**
   * OffsetForLeaderEpoch on the leader: the largest epoch at or below {@code leaderEpoch} that this
   * log knows and the offset where it ended; {@link EpochEndOffset#UNDEFINED} if none.
   *
   * @throws NotLeaderOrFollowerException if this broker does not lead the partition
   * @throws FencedLeaderEpochException if the caller's epoch is older than ours
   * @throws UnknownLeaderEpochException if it is newer
   */
  public EpochEndOffset lastOffsetForLeaderEpoch(int currentLeaderEpoch, int leaderEpoch) {
    roleLock.readLock().lock();
    try {
      checkLeaderAndEpoch(currentLeaderEpoch);
      EpochEndOffset found = log.endOffsetForEpoch(leaderEpoch);
      return found == null ? EpochEndOffset.UNDEFINED : found;
    } finally {
      roleLock.readLock().unlock();
    }
  }

  /** Caller holds the role lock. A negative {@code currentLeaderEpoch} skips the epoch check. */
  private void checkLeaderAndEpoch(int currentLeaderEpoch) {
    if (role != Role.LEADER) {
      throw new NotLeaderOrFollowerException(
          "Broker " + localBrokerId + " does not lead " + topicPartition);
    }
    if (currentLeaderEpoch >= 0 && currentLeaderEpoch < leaderEpoch) {
      throw new FencedLeaderEpochException(
          "Leader epoch "
              + currentLeaderEpoch
              + " of "
              + topicPartition
              + " is older than the current "
              + leaderEpoch);
    }
    if (currentLeaderEpoch > leaderEpoch) {
      throw new UnknownLeaderEpochException(
          "Leader epoch "
              + currentLeaderEpoch
              + " of "
              + topicPartition
              + " is newer than the current "
              + leaderEpoch);
    }
  }

  // ---- role changes (metadata thread)

  /**
   * Becomes (or stays) leader as {@code state} says. A new leader epoch resets follower tracking;
   * the same epoch only adopts a newer ISR (e.g. one the controller shrank).
   *
   * @return true if this made the broker leader at a new epoch
   */
  boolean makeLeader(PartitionState state, List<Integer> assignment, long nowMs) {
    roleLock.writeLock().lock();
    try {
      replicas = List.copyOf(assignment);
      if (role == Role.LEADER && leaderEpoch == state.leaderEpoch()) {
        if (state.partitionEpoch() > partitionEpoch) {
          adoptIsr(state);
        }
        trackFollowers(assignment, nowMs);
        maybeIncrementHighWatermark();
        return false;
      }
      role = Role.LEADER;
      leaderId = localBrokerId;
      leaderEpoch = state.leaderEpoch();
      leaderEpochStartOffset = log.logEndOffset();
      // So that OffsetForLeaderEpoch answers for the new epoch before anything is appended in it.
      log.assignLeaderEpoch(leaderEpoch);
      synchronized (this) {
        followers.clear();
        for (int r : assignment) {
          if (r != localBrokerId) {
            followers.put(r, new FollowerState(nowMs));
          }
        }
      }
      adoptIsr(state);
      logger.info(
          "Leading {} at epoch {} (ISR {}, log end {}, high watermark {})",
          topicPartition,
          leaderEpoch,
          isr,
          leaderEpochStartOffset,
          highWatermark);
    } finally {
      roleLock.writeLock().unlock();
    }
    maybeIncrementHighWatermark();
    return true;
  }

  /**
   * A reassignment changes the replicas within a leader epoch: start tracking added followers, stop
   * tracking removed ones (unless still in the ISR, which the controller shrinks in the same step).
   */
  private synchronized void trackFollowers(List<Integer> assignment, long nowMs) {
    for (int r : assignment) {
      if (r != localBrokerId) {
        followers.computeIfAbsent(r, id -> new FollowerState(nowMs));
      }
    }
    followers.keySet().removeIf(r -> !assignment.contains(r) && !maximalIsr.contains(r));
  }

  /**
   * Becomes (or stays) a follower of {@code state.leader()}.
   *
   * @return true if the leader or its epoch changed, so fetching must restart with truncation
   */
  boolean makeFollower(PartitionState state, List<Integer> assignment) {
    boolean wasLeader;
    roleLock.writeLock().lock();
    try {
      replicas = List.copyOf(assignment);
      wasLeader = role == Role.LEADER;
      boolean changed =
          wasLeader || leaderId != state.leader() || leaderEpoch != state.leaderEpoch();
      role = Role.FOLLOWER;
      leaderId = state.leader();
      leaderEpoch = state.leaderEpoch();
      partitionEpoch = Math.max(partitionEpoch, state.partitionEpoch());
      controllerEpoch = state.controllerEpoch();
      isr = Set.copyOf(state.isr());
      maximalIsr = isr;
      isrChangeInFlight = false;
      synchronized (this) {
        followers.clear();
      }
      if (!changed) {
        return false;
      }
      logger.info("Following {} for {} at epoch {}", state.leader(), topicPartition, leaderEpoch);
    } finally {
      roleLock.writeLock().unlock();
    }
    if (wasLeader) {
      // Waiting produces and fetches must notice that this broker no longer leads.
      hwListener.onHighWatermarkChanged(this);
    }
    return true;
  }

  private void adoptIsr(PartitionState state) {
    partitionEpoch = state.partitionEpoch();
    controllerEpoch = state.controllerEpoch();
    isr = Set.copyOf(state.isr());
    maximalIsr = isr;
    isrChangeInFlight = false;
  }

  // ---- leader paths

  /**
   * Appends a producer's batches as leader.
   *
   * @param requiredAcks -1 checks min.insync.replicas before appending
   * @throws NotLeaderOrFollowerException if this broker does not lead the partition
   * @throws NotEnoughReplicasException if acks=all and the ISR is smaller than min.insync.replicas
   */
  AppendResult appendAsLeader(MemoryRecords records, short requiredAcks) {
    return appendAsLeader(records, requiredAcks, null);
  }

  /**
   * As above, with the producer's transaction verification checked under the log's lock (see {@link
   * PartitionLog#append(MemoryRecords, int, VerificationGuard)}).
   */
  AppendResult appendAsLeader(
      MemoryRecords records, short requiredAcks, VerificationGuard verification) {
    AppendResult result;
    roleLock.readLock().lock();
    try {
      checkLeaderAndEpoch(-1);
      int inSync = isr.size();
      if (requiredAcks == -1 && inSync < minInsyncReplicas) {
        throw new NotEnoughReplicasException(
            "The ISR of "
                + topicPartition
                + " has "
                + inSync
                + " replica(s), fewer than min.insync.replicas="
                + minInsyncReplicas);
      }
      result = log.append(records, leaderEpoch, verification);
    } finally {
      roleLock.readLock().unlock();
    }
    maybeIncrementHighWatermark();
    return result;
  }

  /**
   * Records a follower's fetch (leader only): its log end offset and whether it caught up.
   *
   * @param isrEligible whether a caught-up replica may be added to the ISR
   * @return an ISR expansion to write, or null
   */
  PartitionState recordFollowerFetch(
      int replicaId,
      long fetchOffset,
      long leaderLogEndOffset,
      long nowMs,
      IntPredicate isrEligible) {
    PartitionState expansion;
    roleLock.readLock().lock();
    try {
      expansion =
          updateFollowerState(replicaId, fetchOffset, leaderLogEndOffset, nowMs, isrEligible);
    } finally {
      roleLock.readLock().unlock();
    }
    maybeIncrementHighWatermark();
    return expansion;
  }

  /** Caller holds the role read lock. Returns an ISR expansion to write, or null. */
  private PartitionState updateFollowerState(
      int replicaId,
      long fetchOffset,
      long leaderLogEndOffset,
      long nowMs,
      IntPredicate isrEligible) {
    PartitionState expansion = null;
    if (role != Role.LEADER) {
      return null;
    }
    synchronized (this) {
      FollowerState f = followers.get(replicaId);
      if (f == null) {
        return null; // not a replica of this partition
      }
      f.onFetch(fetchOffset, leaderLogEndOffset, nowMs);
      if (!isrChangeInFlight
          && !isr.contains(replicaId)
          && fetchOffset >= highWatermark
          && fetchOffset >= leaderEpochStartOffset
          && isrEligible.test(replicaId)) {
        Set<Integer> proposed = new LinkedHashSet<>(isr);
        proposed.add(replicaId);
        expansion = beginIsrChange(proposed);
      }
    }
    return expansion;
  }

  /**
   * The ISR without the followers that did not catch up within {@code maxLagMs} (leader only).
   *
   * @return the state with the shrunk ISR to write, or null if none is needed (or a change is in
   *     flight)
   */
  PartitionState maybeShrinkIsr(long nowMs, long maxLagMs) {
    roleLock.readLock().lock();
    try {
      if (role != Role.LEADER) {
        return null;
      }
      synchronized (this) {
        if (isrChangeInFlight) {
          return null;
        }
        Set<Integer> proposed = new LinkedHashSet<>();
        for (int r : isr) {
          FollowerState f = followers.get(r);
          if (r == localBrokerId || (f != null && nowMs - f.lastCaughtUpTimeMs <= maxLagMs)) {
            proposed.add(r);
          } else if (f != null) {
            logger.info(
                "Removing replica {} of {} from the ISR: not caught up for {} ms (log end {},"
                    + " leader's {})",
                r,
                topicPartition,
                nowMs - f.lastCaughtUpTimeMs,
                f.logEndOffset,
                log.logEndOffset());
          }
        }
        if (proposed.size() == isr.size()) {
          return null;
        }
        return beginIsrChange(proposed);
      }
    } finally {
      roleLock.readLock().unlock();
    }
  }

  /**
   * Marks an ISR change in flight and returns the state to write, built from the leadership this
   * broker holds right now (caller holds the read lock and the monitor). The write is conditional
   * on this partition epoch: if the controller changes the partition meanwhile, it fails, even if
   * this broker has already adopted the newer state by then. HW is computed over old ∪ proposed
   * until the write settles.
   */
  private PartitionState beginIsrChange(Set<Integer> proposed) {
    Set<Integer> union = new LinkedHashSet<>(isr);
    union.addAll(proposed);
    maximalIsr = Set.copyOf(union);
    isrChangeInFlight = true;
    return new PartitionState(
        localBrokerId, leaderEpoch, List.copyOf(proposed), controllerEpoch, partitionEpoch);
  }

  /** The ISR write succeeded with {@code written} (unless leadership moved meanwhile). */
  void completeIsrChange(PartitionState written) {
    roleLock.writeLock().lock();
    try {
      if (role == Role.LEADER
          && written.leaderEpoch() == leaderEpoch
          && written.partitionEpoch() > partitionEpoch) {
        logger.info(
            "ISR of {} is now {} (partition epoch {})",
            topicPartition,
            written.isr(),
            written.partitionEpoch());
        adoptIsr(written);
      }
      isrChangeInFlight = false;
      maximalIsr = isr;
    } finally {
      roleLock.writeLock().unlock();
    }
    maybeIncrementHighWatermark();
  }

  /** The ISR write lost a race; the re-read state will tell what to do next. */
  void abortIsrChange(PartitionState proposal) {
    roleLock.writeLock().lock();
    try {
      if (proposal.leaderEpoch() != leaderEpoch) {
        return; // a change of an earlier leadership; whatever is in flight now is not ours
      }
      isrChangeInFlight = false;
      maximalIsr = isr;
    } finally {
      roleLock.writeLock().unlock();
    }
  }

  /** Advances the high watermark to the smallest log end offset in the (maximal) ISR. */
  void maybeIncrementHighWatermark() {
    if (role != Role.LEADER) {
      return;
    }
    long newHw;
    synchronized (this) {
      long min = log.logEndOffset();
      for (int r : maximalIsr) {
        if (r == localBrokerId) {
          continue;
        }
        FollowerState f = followers.get(r);
        if (f == null || f.logEndOffset < 0) {
          return; // an ISR member we have not heard from yet: nothing is known to be replicated
        }
        min = Math.min(min, f.logEndOffset);
      }
      if (min <= highWatermark) {
        return;
      }
      highWatermark = min;
      newHw = min;
    }
    log.updateHighWatermark(newHw);
    hwListener.onHighWatermarkChanged(this);
  }

  // ---- follower paths (the fetcher thread)

  /** Appends batches fetched from the leader, offsets and epochs as they are. */
  AppendResult appendAsFollower(MemoryRecords records) {
    try {
      return log.appendAsFollower(records);
    } catch (UnexpectedAppendOffsetException e) {
      // The leader's log start can fall inside a batch (DeleteRecords or retention at a mid-batch
      // offset): a replica that restarted its empty log there then receives that whole batch,
      // which begins earlier. Restart the log at the batch's base offset instead (as Kafka does).
      long end = log.logEndOffset();
      RecordBatch first = records.firstBatch();
      if (end == log.logStartOffset()
          && first != null
          && first.baseOffset() < end
          && first.lastOffset() >= end) {
        logger.info(
            "Restarting the empty log of {} at {}: the leader's first batch starts there, before"
                + " the log start {}",
            topicPartition,
            first.baseOffset(),
            end);
        truncateFullyAndStartAt(first.baseOffset());
        return log.appendAsFollower(records);
      }
      throw e;
    }
  }

  /** Adopts the leader's high watermark, capped at this replica's log end offset. */
  void updateFollowerHighWatermark(long leaderHighWatermark) {
    long hw = Math.min(leaderHighWatermark, log.logEndOffset());
    boolean moved;
    synchronized (this) {
      moved = hw > highWatermark;
      if (moved) {
        highWatermark = hw;
      }
    }
    if (moved) {
      log.updateHighWatermark(hw);
    }
  }

  /** Cuts the divergent tail; the high watermark follows if it was above the new end. */
  void truncateTo(long offset) {
    log.truncateTo(offset);
    synchronized (this) {
      highWatermark = Math.min(highWatermark, log.logEndOffset());
    }
    log.updateHighWatermark(highWatermark);
  }

  /**
   * Restarts this replica's log at {@code offset} (the leader's log start, beyond this log's end):
   * everything before it is gone on the leader, so there is nothing to copy.
   */
  void truncateFullyAndStartAt(long offset) {
    log.truncateFullyAndStartAt(offset);
    synchronized (this) {
      highWatermark = log.logEndOffset();
    }
    log.updateHighWatermark(highWatermark);
  }

  /** The latest leader epoch in this replica's log, or -1 if it knows none. */
  int latestEpoch() {
    return log.latestEpoch();
  }

  /** This replica's own answer to OffsetForLeaderEpoch (no leadership check: follower side). */
  EpochEndOffset localEndOffsetForEpoch(int epoch) {
    EpochEndOffset found = log.endOffsetForEpoch(epoch);
    return found == null ? EpochEndOffset.UNDEFINED : found;
  }

  /**
   * Follows the leader's log start offset (moved by its retention or DeleteRecords) as far as this
   * replica's log reaches.
   */
  void followLeaderLogStart(long leaderLogStartOffset) {
    if (leaderLogStartOffset > log.logStartOffset()) {
      log.advanceLogStartOffset(Math.min(leaderLogStartOffset, log.logEndOffset()));
    }
  }

  void updateLogConfig(LogConfig config) {
    log.updateConfig(config);
  }

  void updateAssignment(List<Integer> assignment) {
    replicas = List.copyOf(assignment);
  }

  /** For diagnostics and tests: the follower log end offsets a leader knows. */
  public synchronized Map<Integer, Long> followerLogEndOffsets() {
    Map<Integer, Long> out = new HashMap<>();
    followers.forEach((id, f) -> out.put(id, f.logEndOffset));
    return out;
  }

  @Override
  public String toString() {
    return topicPartition
        + "["
        + role
        + " leader="
        + leaderId
        + " epoch="
        + leaderEpoch
        + " isr="
        + isr
        + " hw="
        + highWatermark
        + " leo="
        + log.logEndOffset()
        + "]";
  }
}
