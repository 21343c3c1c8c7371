package dev.ferry.replication;

import dev.ferry.metadata.PartitionState;
import dev.ferry.storage.AppendResult;
import dev.ferry.storage.EpochEndOffset;
import dev.ferry.storage.LogConfig;
import dev.ferry.storage.PartitionLog;
import dev.ferry.storage.ReadResult;
import dev.ferry.storage.producer.ActiveProducer;
import dev.ferry.storage.txn.VerificationGuard;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.IntPredicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.FencedLeaderEpochException;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.UnknownLeaderEpochException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A partition hosted on this broker, as leader or follower: its log plus the replication state, and
 * the only way request handlers operate on it. Reads ({@link #read}), DeleteRecords, offset lookups
 * by timestamp and by leader epoch check leadership and the caller's leader epoch and run under the
 * role lock, so none of them interleaves with a role change.
 *
 * <p>As leader it tracks each follower's log end offset and the in-sync replica set ({@link
 * IsrTracker}) and moves the {@link HighWatermark} to the smallest log end offset over the ISR. ISR
 * changes are proposed here and written to ZooKeeper by the {@link IsrUpdater}. The meaning of
 * ListOffsets, DeleteRecords and aborted-transaction lists is in {@link LeaderLogQueries}, the
 * leadership and epoch check in {@link EpochFencing}. As follower the fetcher works through {@link
 * FollowerLog}: its high watermark is the leader's, capped at its own log end offset.
 *
 * <p>Why this class is still ~670 lines: it is the partition's one front (issue 11: nothing outside
 * {@code replication} reaches the log), so every operation appears here once, taking the role lock
 * and checking role and epoch before delegating to the classes above. Moving operations out would
 * move the lock out with them, and whether an operation can interleave with a role change would no
 * longer be visible in one file.
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
  private volatile long leaderEpochStartOffset;
  private volatile int minInsyncReplicas = 1;

  /** Followers' progress and the ISR (its own lock, taken inside this object's monitor). */
  private final IsrTracker isrTracker;

  private final HighWatermark highWatermark;
  private final FollowerLog followerLog;
  private final LeaderLogQueries queries;

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
    this.isrTracker = new IsrTracker(topicPartition, localBrokerId);
    this.highWatermark = new HighWatermark(log);
    this.followerLog = new FollowerLog(topicPartition, log, highWatermark);
    this.queries = new LeaderLogQueries(topicPartition, log);
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
    return isrTracker.isr();
  }

  public int minInsyncReplicas() {
    return minInsyncReplicas;
  }

  void setMinInsyncReplicas(int value) {
    this.minInsyncReplicas = Math.max(1, value);
  }

  /** The offset below which records are committed and visible to consumers. */
  public long highWatermark() {
    return highWatermark.get();
  }

  /**
   * The offset below which a read_committed consumer may read: the first offset of the earliest
   * transaction not yet decided (or whose marker is not yet replicated), else the high watermark.
   * Computed the same way on followers, from the markers they replicate.
   */
  public long lastStableOffset() {
    return log.lastStableOffset(highWatermark.get());
  }

  /** The end of what a reader with {@code isolation} may see (for long-poll wake-up checks). */
  public long fetchableEndOffset(FetchIsolation isolation) {
    return switch (isolation) {
      case LOG_END -> log.logEndOffset();
      case HIGH_WATERMARK -> highWatermark.get();
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
            highWatermark.get());
        isrExpansions.submit(this, expansion);
      }
    }
    long hw = highWatermark.get();
    long lso = lastStableOffset();
    return new LogReadInfo(
        r.records(),
        hw,
        lso,
        r.logStartOffset(),
        r.logEndOffset(),
        params.isolation() == FetchIsolation.TXN_COMMITTED
            ? queries.abortedTransactions(fetchOffset, lso, r.records().sizeInBytes() > 0)
            : null);
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
      return queries.deleteRecords(offset, highWatermark.get());
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
      return queries.offsetForTimestamp(timestamp, fetchableEndOffset(isolation), leaderEpoch);
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
    EpochFencing.check(
        role == Role.LEADER, localBrokerId, topicPartition, leaderEpoch, currentLeaderEpoch);
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
        isrTracker.reassigned(assignment, nowMs);
        maybeIncrementHighWatermark();
        return false;
      }
      role = Role.LEADER;
      leaderId = localBrokerId;
      leaderEpoch = state.leaderEpoch();
      leaderEpochStartOffset = log.logEndOffset();
      isrTracker.startTracking(assignment, nowMs);
      adoptIsr(state);
      recordEpochStart();
      logger.info(
          "Leading {} at epoch {} (ISR {}, log end {}, high watermark {})",
          topicPartition,
          leaderEpoch,
          isrTracker.isr(),
          leaderEpochStartOffset,
          highWatermark.get());
    } finally {
      roleLock.writeLock().unlock();
    }
    maybeIncrementHighWatermark();
    return true;
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
      isrTracker.adopt(state.isr());
      isrTracker.stopTracking();
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

  /**
   * Records where the new leader epoch starts, so that OffsetForLeaderEpoch answers for it before
   * anything is appended in it. Called last, with the leadership already whole: on a failing disk
   * (full, read-only) the checkpoint write fails, and a leadership left half made — new epoch, old
   * partition epoch, followers untracked — would never move its high watermark or change its ISR
   * again. Leading without the record is safe: nothing of the epoch can be appended before its
   * start is written (an append that opens an epoch writes the checkpoint first, and fails with the
   * same error while the disk does), and until then OffsetForLeaderEpoch answers with the previous
   * epoch ending at the log end, where this one starts.
   */
  private void recordEpochStart() {
    try {
      log.assignLeaderEpoch(leaderEpoch);
    } catch (KafkaStorageException e) {
      logger.warn(
          "Leading {} at epoch {} without recording its start offset {} yet: {}",
          topicPartition,
          leaderEpoch,
          leaderEpochStartOffset,
          e.getMessage());
    }
  }

  private void adoptIsr(PartitionState state) {
    partitionEpoch = state.partitionEpoch();
    controllerEpoch = state.controllerEpoch();
    isrTracker.adopt(state.isr());
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
      int inSync = isrTracker.isr().size();
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
    if (role != Role.LEADER) {
      return null;
    }
    return toWrite(
        isrTracker.onFollowerFetch(
            replicaId,
            fetchOffset,
            leaderLogEndOffset,
            nowMs,
            highWatermark.get(),
            leaderEpochStartOffset,
            isrEligible));
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
      return toWrite(isrTracker.shrink(nowMs, maxLagMs, log.logEndOffset()));
    } finally {
      roleLock.readLock().unlock();
    }
  }

  /**
   * The state to write for a proposed ISR, built from the leadership this broker holds right now
   * (caller holds the read lock). The write is conditional on this partition epoch: if the
   * controller changes the partition meanwhile, it fails, even if this broker has already adopted
   * the newer state by then.
   */
  private PartitionState toWrite(Set<Integer> proposedIsr) {
    return proposedIsr == null
        ? null
        : new PartitionState(
            localBrokerId, leaderEpoch, List.copyOf(proposedIsr), controllerEpoch, partitionEpoch);
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
      isrTracker.settle();
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
      isrTracker.settle();
    } finally {
      roleLock.writeLock().unlock();
    }
  }

  /** Advances the high watermark to the smallest log end offset in the (maximal) ISR. */
  void maybeIncrementHighWatermark() {
    if (role != Role.LEADER) {
      return;
    }
    if (highWatermark.advanceTo(isrTracker.replicatedEndOffset(log.logEndOffset()))) {
      hwListener.onHighWatermarkChanged(this);
    }
  }

  // ---- follower paths (the fetcher thread)

  /** The fetcher's operations on this replica while it follows. */
  FollowerLog asFollower() {
    return followerLog;
  }

  void updateLogConfig(LogConfig config) {
    log.updateConfig(config);
  }

  void updateAssignment(List<Integer> assignment) {
    replicas = List.copyOf(assignment);
  }

  /** For diagnostics and tests: the follower log end offsets a leader knows. */
  public Map<Integer, Long> followerLogEndOffsets() {
    return isrTracker.followerLogEndOffsets();
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
        + isrTracker.isr()
        + " hw="
        + highWatermark.get()
        + " leo="
        + log.logEndOffset()
        + "]";
  }
}
