package dev.ferry.replication;

import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.PartitionStateStore;
import dev.ferry.runtime.DelayedOperationPurgatory;
import dev.ferry.storage.AppendResult;
import dev.ferry.storage.LogConfig;
import dev.ferry.storage.LogManager;
import dev.ferry.storage.PartitionLog;
import dev.ferry.storage.txn.VerificationGuard;
import java.io.Closeable;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;
import java.util.function.IntPredicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The partitions hosted on this broker, as leaders or followers, and the single entry point for
 * appending to them. Role changes come from the metadata (see {@code PartitionHost}); followers
 * replicate through one {@link ReplicaFetcherThread} per leader; leaders learn follower progress
 * from the followers' reads ({@link Partition#read}) and write ISR changes through the {@link
 * IsrUpdater}; acks=all appends wait as {@link DelayedAppend}s in a {@link
 * DelayedOperationPurgatory} that high watermark moves check.
 */
public final class ReplicaManager implements Closeable {

  private static final Logger log = LoggerFactory.getLogger(ReplicaManager.class);

  private final LogManager logManager;
  private final ReplicationConfig config;
  private final Time time;
  private final ConcurrentHashMap<TopicPartition, Partition> partitions = new ConcurrentHashMap<>();

  /**
   * Partitions assigned here whose log could not be created or opened (no file descriptors left, or
   * its log dir is offline), with the error clients get for them until they are hosted.
   */
  private final ConcurrentHashMap<TopicPartition, String> unhosted = new ConcurrentHashMap<>();

  private final List<AppendListener> appendListeners = new CopyOnWriteArrayList<>();
  private final List<HighWatermarkListener> hwListeners = new CopyOnWriteArrayList<>();
  private final DelayedOperationPurgatory<DelayedAppend> appendWaits;
  private final ReplicaFetcherManager fetchers;
  private final IsrUpdater isrUpdater;
  private final HighWatermarkListener hwDispatch = this::highWatermarkChanged;
  private final Object roleChangeLock = new Object();
  private volatile boolean stoppedFollowing;

  /**
   * Whether a caught-up follower may join an ISR: only a registered broker. A follower whose
   * session expired still fetches until it notices; adding it would have the controller take it out
   * again at once, over and over, until it registers again (KIP-841 in Kafka).
   */
  private final IntPredicate isrEligible;

  private final IsrExpansions isrExpansions =
      new IsrExpansions() {
        @Override
        public boolean eligible(int brokerId) {
          return isrEligible.test(brokerId);
        }

        @Override
        public void submit(Partition partition, PartitionState expansion) {
          if (isrUpdater != null) {
            isrUpdater.submit(partition, expansion);
          } else {
            partition.abortIsrChange(expansion);
          }
        }
      };

  /** A single-broker manager: no metadata store, so no followers and no ISR writes. */
  public ReplicaManager(LogManager logManager, Time time, ScheduledExecutorService scheduler) {
    this(
        logManager,
        null,
        ReplicationConfig.defaults(0),
        time,
        scheduler,
        InterBrokerChannel.PLAINTEXT);
  }

  /**
   * @param time the clock of follower progress and fetcher backoffs
   * @param scheduler runs acks=all timeouts and the periodic ISR shrink check (owned by the caller)
   * @param interBroker how followers reach leaders (plaintext, TLS, SASL)
   */
  public ReplicaManager(
      LogManager logManager,
      PartitionStateStore metadata,
      ReplicationConfig config,
      Time time,
      ScheduledExecutorService scheduler,
      InterBrokerChannel interBroker) {
    this(logManager, metadata, config, time, scheduler, interBroker, ReplicationThrottle.NONE);
  }

  /**
   * @param followerThrottle holds back fetches of throttled partitions this broker is catching up
   *     on (the follower replication quota of partition reassignment)
   */
  public ReplicaManager(
      LogManager logManager,
      PartitionStateStore metadata,
      ReplicationConfig config,
      Time time,
      ScheduledExecutorService scheduler,
      InterBrokerChannel interBroker,
      ReplicationThrottle followerThrottle) {
    this.logManager = logManager;
    this.config = config;
    this.time = time;
    this.appendWaits = new DelayedOperationPurgatory<>("acks=all appends", scheduler);
    this.isrEligible = metadata == null ? id -> true : id -> metadata.liveBroker(id).isPresent();
    this.fetchers =
        metadata == null
            ? null
            : new ReplicaFetcherManager(
                config,
                leader -> new RemoteLeaderEndpoint(leader, config, metadata, interBroker),
                time,
                followerThrottle);
    this.isrUpdater =
        metadata == null
            ? null
            : new IsrUpdater(
                metadata, partitions::values, config.replicaLagTimeMaxMs(), scheduler, time);
    hwListeners.add(
        p -> appendWaits.checkAndComplete(p.topicPartition(), w -> w.onPartitionChanged(p)));
  }

  /** Starts the periodic ISR shrink check. */
  public ReplicaManager startup() {
    if (isrUpdater != null) {
      isrUpdater.start();
    }
    return this;
  }

  public ReplicationConfig config() {
    return config;
  }

  public int localBrokerId() {
    return config.brokerId();
  }

  /** Told after a local append (wakes follower fetches waiting for new data). */
  public void addAppendListener(AppendListener listener) {
    appendListeners.add(listener);
  }

  /** Told after a high watermark moved or leadership was lost (wakes consumer fetches). */
  public void addHighWatermarkListener(HighWatermarkListener listener) {
    hwListeners.add(listener);
  }

  /** The hosted partition (leader or follower), or null. Allocation-free. */
  public Partition partition(TopicPartition tp) {
    return partitions.get(tp);
  }

  public Collection<Partition> partitions() {
    return partitions.values();
  }

  // ---- role changes (metadata thread, or an admin thread right after a topic write)

  /**
   * Makes this broker the leader of {@code tp} as {@code state} says, opening or creating its log.
   * Idempotent; a state older than the one known is ignored.
   */
  public Partition makeLeader(
      TopicPartition tp,
      Uuid topicId,
      LogConfig logConfig,
      PartitionState state,
      List<Integer> replicas,
      int minInsyncReplicas) {
    return changeRole(
        tp,
        topicId,
        logConfig,
        state,
        replicas,
        minInsyncReplicas,
        p -> {
          if (fetchers != null) {
            // Stop our follower writes before taking appends as leader.
            fetchers.removePartition(tp);
            fetchers.shutdownIdleFetchers();
          }
          p.makeLeader(state, replicas, time.milliseconds());
        });
  }

  /**
   * Makes this broker a follower of {@code state.leader()} (-1: an offline partition, nothing to
   * fetch from), truncating and fetching when the leader or epoch changed. Idempotent.
   */
  public Partition makeFollower(
      TopicPartition tp,
      Uuid topicId,
      LogConfig logConfig,
      PartitionState state,
      List<Integer> replicas,
      int minInsyncReplicas) {
    return changeRole(
        tp,
        topicId,
        logConfig,
        state,
        replicas,
        minInsyncReplicas,
        p -> {
          boolean changed = p.makeFollower(state, replicas);
          if (fetchers != null && changed && !stoppedFollowing) {
            fetchers.removePartition(tp);
            if (state.leader() >= 0 && state.leader() != config.brokerId()) {
              fetchers.addPartition(p, state.leader(), state.leaderEpoch());
            }
            fetchers.shutdownIdleFetchers();
          }
        });
  }

  /**
   * What both role changes share: serialized with each other, on the partition (opened or created
   * here) with its current min.insync.replicas, and skipped if {@code state} is stale.
   */
  private Partition changeRole(
      TopicPartition tp,
      Uuid topicId,
      LogConfig logConfig,
      PartitionState state,
      List<Integer> replicas,
      int minInsyncReplicas,
      Consumer<Partition> change) {
    synchronized (roleChangeLock) {
      Partition p = getOrCreate(tp, topicId, logConfig, replicas);
      p.setMinInsyncReplicas(minInsyncReplicas);
      if (!isStale(p, state)) {
        change.accept(p);
      }
      return p;
    }
  }

  /** An older leader epoch, or the same epoch at an older partition epoch, changes nothing. */
  private static boolean isStale(Partition p, PartitionState state) {
    if (state.leaderEpoch() < p.leaderEpoch()) {
      return true;
    }
    return state.leaderEpoch() == p.leaderEpoch() && state.partitionEpoch() < p.partitionEpoch();
  }

  private Partition getOrCreate(
      TopicPartition tp, Uuid topicId, LogConfig logConfig, List<Integer> replicas) {
    Partition p;
    try {
      p = createIfAbsent(tp, topicId, logConfig, replicas);
    } catch (KafkaStorageException e) {
      unhosted.put(tp, e.getMessage());
      throw e;
    }
    unhosted.remove(tp);
    return p;
  }

  private Partition createIfAbsent(
      TopicPartition tp, Uuid topicId, LogConfig logConfig, List<Integer> replicas) {
    return partitions.computeIfAbsent(
        tp,
        key -> {
          PartitionLog partitionLog = logManager.getOrCreate(tp, logConfig);
          return new Partition(
              tp,
              topicId,
              partitionLog,
              config.brokerId(),
              replicas,
              hwDispatch,
              isrExpansions,
              time);
        });
  }

  /**
   * Creates the logs of the partitions in {@code logs} that have none yet, in one batch (one fsync
   * of each log dir, {@link LogManager#createAll}), ahead of making them leaders or followers one
   * by one: those role changes then find their logs. A failure is left to them to meet and report
   * partition by partition.
   */
  public void createLogs(Map<TopicPartition, LogConfig> logs) {
    Map<TopicPartition, LogConfig> missing = new LinkedHashMap<>();
    for (Map.Entry<TopicPartition, LogConfig> e : logs.entrySet()) {
      if (!partitions.containsKey(e.getKey())) {
        missing.put(e.getKey(), e.getValue());
      }
    }
    if (missing.isEmpty()) {
      return;
    }
    try {
      logManager.createAll(missing);
    } catch (RuntimeException e) {
      log.debug("Creating {} logs in one batch stopped early: {}", missing.size(), e.toString());
    }
  }

  /** Stops hosting {@code tp}; with {@code deleteLog} its data is removed from disk. */
  public void removePartition(TopicPartition tp, boolean deleteLog) {
    synchronized (roleChangeLock) {
      if (fetchers != null) {
        fetchers.removePartition(tp);
        fetchers.shutdownIdleFetchers();
      }
      Partition removed = partitions.remove(tp);
      unhosted.remove(tp);
      if (removed != null) {
        // Anything waiting on it learns that it is gone.
        hwDispatch.onHighWatermarkChanged(removed);
      }
      if (deleteLog) {
        logManager.delete(tp);
      } else if (removed != null) {
        log.debug("No longer hosting {}", tp);
      }
    }
  }

  /**
   * Stops hosting the partitions whose logs were in a log dir that went offline (the log manager
   * has already closed them for appends): their fetchers stop, waiting appends and fetches learn
   * that they are gone, and producers get KAFKA_STORAGE_ERROR for them until a restart.
   */
  public void takeOffline(LogManager.OfflineDir offline) {
    synchronized (roleChangeLock) {
      String reason =
          "The log of the partition is in log dir " + offline.dir() + ", which is offline";
      for (TopicPartition tp : offline.partitions()) {
        if (fetchers != null) {
          fetchers.removePartition(tp);
        }
        unhosted.put(tp, reason);
        Partition removed = partitions.remove(tp);
        if (removed != null) {
          hwDispatch.onHighWatermarkChanged(removed);
        }
      }
      if (fetchers != null) {
        fetchers.shutdownIdleFetchers();
      }
    }
  }

  // ---- appends

  /**
   * Appends a producer's batches to a partition led here and wakes waiting follower fetches. With
   * {@code requiredAcks} -1 the ISR must have min.insync.replicas members; wait for replication
   * with {@link #awaitReplication}.
   *
   * @throws NotLeaderOrFollowerException if this broker does not lead {@code tp}
   * @throws org.apache.kafka.common.errors.NotEnoughReplicasException if the ISR is too small
   */
  public AppendResult appendAsLeader(TopicPartition tp, MemoryRecords records, short requiredAcks) {
    return appendAsLeader(tp, records, requiredAcks, null);
  }

  /**
   * As above for a producer's request: its transactional batches are checked against {@code
   * verification} under the log's lock ({@code null}: no check).
   *
   * @throws org.apache.kafka.common.errors.InvalidTxnStateException the verified transaction was
   *     ended by a marker in the meantime
   */
  public AppendResult appendAsLeader(
      TopicPartition tp,
      MemoryRecords records,
      short requiredAcks,
      VerificationGuard verification) {
    Partition partition = partitions.get(tp);
    if (partition == null) {
      String unavailable = unhosted.get(tp);
      if (unavailable != null) {
        // Answered at once: a client waiting for a leader here would only time out.
        throw new KafkaStorageException(unavailable);
      }
      throw new NotLeaderOrFollowerException(
          "Broker " + config.brokerId() + " does not host " + tp);
    }
    AppendResult result = partition.appendAsLeader(records, requiredAcks, verification);
    if (!result.duplicate()) {
      int bytes = records.sizeInBytes();
      for (AppendListener listener : appendListeners) {
        listener.onAppend(tp, bytes);
      }
    }
    return result;
  }

  /**
   * Writes a transaction marker to a partition led here (see {@link Partition#appendMarker}) and
   * wakes waiting fetches; wait for replication with {@link #awaitReplication}.
   *
   * @throws NotLeaderOrFollowerException if this broker does not lead {@code tp}
   */
  public AppendResult appendMarker(
      TopicPartition tp,
      long producerId,
      short producerEpoch,
      int coordinatorEpoch,
      boolean commit) {
    Partition partition = partitions.get(tp);
    if (partition == null) {
      throw new NotLeaderOrFollowerException(
          "Broker " + config.brokerId() + " does not host " + tp);
    }
    AppendResult result =
        partition.appendMarker(producerId, producerEpoch, coordinatorEpoch, commit);
    for (AppendListener listener : appendListeners) {
      listener.onAppend(tp, 0);
    }
    return result;
  }

  /**
   * Completes when {@code partition}'s high watermark reaches {@code requiredOffset} while led at
   * {@code leaderEpoch}: with NONE, or NOT_LEADER_OR_FOLLOWER, NOT_ENOUGH_REPLICAS_AFTER_APPEND,
   * REQUEST_TIMED_OUT after {@code timeoutMs}.
   */
  public CompletableFuture<Errors> awaitReplication(
      Partition partition, int leaderEpoch, long requiredOffset, long timeoutMs) {
    DelayedAppend wait = new DelayedAppend(partition, leaderEpoch, requiredOffset);
    appendWaits.tryCompleteElseWatch(wait, List.of(partition.topicPartition()), timeoutMs);
    return wait.future();
  }

  private void highWatermarkChanged(Partition partition) {
    for (HighWatermarkListener listener : hwListeners) {
      try {
        listener.onHighWatermarkChanged(partition);
      } catch (RuntimeException e) {
        log.error("High watermark listener failed for {}", partition.topicPartition(), e);
      }
    }
  }

  public void updateConfig(TopicPartition tp, LogConfig logConfig) {
    Partition partition = partitions.get(tp);
    if (partition != null) {
      partition.updateLogConfig(logConfig);
    }
  }

  /**
   * Stops all replica fetchers for good (controlled shutdown): this broker stops catching up, so
   * the controller can take it out of the ISRs without it being added back.
   */
  public void stopFollowing() {
    synchronized (roleChangeLock) {
      stoppedFollowing = true;
      if (fetchers != null) {
        fetchers.close();
      }
    }
  }

  /** Stops fetchers, the ISR updater and fails waiting appends; logs stay with the LogManager. */
  @Override
  public void close() {
    if (fetchers != null) {
      fetchers.close();
    }
    if (isrUpdater != null) {
      isrUpdater.close();
    }
    appendWaits.close();
  }
}
