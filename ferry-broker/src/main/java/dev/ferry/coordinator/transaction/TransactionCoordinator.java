package dev.ferry.coordinator.transaction;

import dev.ferry.coordinator.group.CoordinatorLog;
import dev.ferry.runtime.BrokerThreads;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The transaction coordinator: owns the transactional ids of the {@code __transaction_state}
 * partitions this broker leads, moves each id through its {@link TransactionState}s with one
 * durable write per step, and drives the markers that end a transaction.
 *
 * <p>Flow of one transaction: InitProducerId (bump the epoch, fencing older instances) → Empty;
 * AddPartitionsToTxn / AddOffsetsToTxn, or a produce under transactions v2 → Ongoing; EndTxn →
 * PrepareCommit/PrepareAbort (the decision is durable here, and the client is answered); markers on
 * every partition → CompleteCommit/CompleteAbort. A coordinator that takes a partition over
 * finishes the markers of every transaction it finds prepared.
 *
 * <p>This class answers the requests (InitProducerId, AddPartitions/AddOffsets, EndTxn, the
 * inspection APIs) and loads partitions; the rest has one class per job: {@link
 * TransactionPartitions} (which partitions are led here, and where an id lives), {@link
 * TransactionStateWriter} (durable state writes), {@link TransactionCompleter} (Prepare → markers →
 * Complete) and {@link TransactionExpiry} (timeouts and id expiry on the shared scheduler).
 *
 * <p>Why this class is still ~630 lines: what is left is the request paths (InitProducerId with its
 * epoch bump and id rotation, AddPartitions, EndTxn), each a check-then-write under the id's
 * monitor with the one-write-in-flight rule; split further, every piece would have to repeat that
 * protocol, and a reader could no longer see one transition's checks and its write together.
 *
 * <p>Threading: the partition map is concurrent; each transactional id's state is guarded by its
 * {@link TransactionMetadata}'s monitor, and only one write per id is in flight at a time (other
 * requests get CONCURRENT_TRANSACTIONS and retry). Writes complete on whatever thread completes the
 * log append; nothing here blocks.
 */
public final class TransactionCoordinator implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TransactionCoordinator.class);

  public static final String TRANSACTION_STATE_TOPIC = "__transaction_state";

  /** Hands out fresh producer ids (durably reserved blocks). */
  @FunctionalInterface
  public interface ProducerIdSource {
    CompletableFuture<Long> nextId();
  }

  /** A transactional id as DescribeTransactions/ListTransactions show it. */
  public record Described(
      String transactionalId, TransactionState state, TransactionRecord record) {}

  private final TransactionCoordinatorConfig config;
  private final Time time;
  private final ProducerIdSource producerIds;

  /** Timeouts and id expiry: the broker's shared scheduler, or a manual one in tests. */
  private final ScheduledExecutorService timers;

  private final boolean ownsTimers;

  /** Loads partitions (a long replay must not hold up the shared timers). */
  private final ExecutorService loader;

  private final TransactionPartitions partitions;
  private final TransactionStateWriter writer;
  private final TransactionCompleter completer;
  private final TransactionExpiry expiry;

  /** With its own timer thread ({@code ferry-txn-coordinator}), stopped by {@link #close()}. */
  public TransactionCoordinator(
      TransactionCoordinatorConfig config, Time time, ProducerIdSource producerIds) {
    this(config, time, producerIds, ownTimerThread(), true);
  }

  /**
   * With the timeout and expiry checks on {@code timers}, which the caller owns (the broker's
   * {@code ferry-scheduler}, or a manual one in tests); {@code time} must be the clock its delays
   * are measured on. The checks only walk the loaded ids under their monitors and never block.
   */
  public TransactionCoordinator(
      TransactionCoordinatorConfig config,
      Time time,
      ProducerIdSource producerIds,
      ScheduledExecutorService timers) {
    this(config, time, producerIds, timers, false);
  }

  private TransactionCoordinator(
      TransactionCoordinatorConfig config,
      Time time,
      ProducerIdSource producerIds,
      ScheduledExecutorService timers,
      boolean ownsTimers) {
    this.config = config;
    this.time = time;
    this.producerIds = producerIds;
    this.timers = timers;
    this.ownsTimers = ownsTimers;
    this.partitions = new TransactionPartitions(config.numPartitions());
    this.writer = new TransactionStateWriter(time, partitions);
    this.completer = new TransactionCompleter(time, partitions, writer);
    this.expiry = new TransactionExpiry(config, time, partitions, completer, writer);
    this.loader =
        Executors.newSingleThreadExecutor(BrokerThreads.factory("ferry-txn-coordinator-loader"));
  }

  private static ScheduledExecutorService ownTimerThread() {
    ScheduledThreadPoolExecutor s =
        new ScheduledThreadPoolExecutor(1, BrokerThreads.factory("ferry-txn-coordinator"));
    s.setRemoveOnCancelPolicy(true);
    return s;
  }

  /** Sets the marker sender and starts the timeout and expiry checks. */
  public TransactionCoordinator startup(TransactionMarkerSender markerSender) {
    completer.setMarkerSender(markerSender);
    expiry.start(timers);
    return this;
  }

  public TransactionCoordinatorConfig config() {
    return config;
  }

  /** The {@code __transaction_state} partition of a transactional id (as Kafka maps it). */
  public int partitionFor(String transactionalId) {
    return partitions.partitionFor(transactionalId);
  }

  // ---------------------------------------------------------------- partition ownership

  /**
   * Takes over a partition led here at {@code coordinatorEpoch} (its leader epoch): replays its log
   * on the coordinator thread, then completes the markers of prepared transactions.
   */
  public CompletableFuture<Void> onBecomeCoordinator(
      int partition, int coordinatorEpoch, CoordinatorLog partitionLog) {
    OwnedPartition p = new OwnedPartition(partition, coordinatorEpoch, partitionLog);
    partitions.add(p);
    CompletableFuture<Void> done = new CompletableFuture<>();
    loader.execute(
        () -> {
          try {
            load(p);
            done.complete(null);
          } catch (RuntimeException e) {
            log.error("Loading {}-{} failed", TRANSACTION_STATE_TOPIC, partition, e);
            partitions.removeIfCurrent(p);
            done.completeExceptionally(e);
          }
        });
    return done;
  }

  public void onResignCoordinator(int partition) {
    OwnedPartition p = partitions.remove(partition);
    if (p != null) {
      log.info(
          "Resigned as transaction coordinator of {}-{} ({} transactional ids)",
          TRANSACTION_STATE_TOPIC,
          partition,
          p.txns.size());
    }
  }

  public boolean isLoaded(int partition) {
    OwnedPartition p = partitions.get(partition);
    return p != null && p.loaded;
  }

  private void load(OwnedPartition p) {
    long t0 = System.nanoTime();
    Map<String, TransactionRecord> states =
        TransactionLogLoader.load(p.log, config.loadBufferSize(), () -> !partitions.isCurrent(p));
    if (!partitions.isCurrent(p)) {
      return;
    }
    for (Map.Entry<String, TransactionRecord> e : states.entrySet()) {
      p.txns.put(e.getKey(), new TransactionMetadata(e.getKey(), e.getValue()));
    }
    p.loaded = true;
    int resumed = 0;
    for (TransactionMetadata m : p.txns.values()) {
      synchronized (m) {
        TransactionRecord r = m.current();
        if (r.state().isPrepare()) {
          // The decision is durable but its markers may not all be written: finish them.
          completer.sendMarkersThenComplete(p, m, r);
          resumed++;
        }
      }
    }
    log.info(
        "Loaded {} transactional ids of {}-{} in {} ms ({} completing)",
        p.txns.size(),
        TRANSACTION_STATE_TOPIC,
        p.partition,
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0),
        resumed);
  }

  // ---------------------------------------------------------------- InitProducerId

  /**
   * InitProducerId with a transactional id. {@code expectedProducerId}/{@code expectedEpoch} are -1
   * from a new producer instance, or the producer's current id and epoch when it re-initialises
   * after an abortable error (KIP-360).
   */
  public CompletableFuture<TransactionResult> initProducerId(
      String transactionalId, int timeoutMs, long expectedProducerId, short expectedEpoch) {
    if (transactionalId.isEmpty()) {
      return done(TransactionResult.error(Errors.INVALID_REQUEST));
    }
    if (timeoutMs <= 0 || timeoutMs > config.maxTimeoutMs()) {
      return done(TransactionResult.error(Errors.INVALID_TRANSACTION_TIMEOUT));
    }
    OwnedPartition p = partitions.forId(transactionalId);
    Errors notReady = TransactionPartitions.availability(p);
    if (notReady != null) {
      return done(TransactionResult.error(notReady));
    }
    TransactionMetadata existing = p.txns.get(transactionalId);
    if (existing != null) {
      return initExisting(p, existing, timeoutMs, expectedProducerId, expectedEpoch);
    }
    return producerIds
        .nextId()
        .thenCompose(
            pid -> {
              TransactionRecord fresh =
                  new TransactionRecord(
                      pid,
                      -1,
                      -1,
                      (short) -1,
                      (short) -1,
                      timeoutMs,
                      TransactionState.EMPTY,
                      Set.of(),
                      -1,
                      time.milliseconds(),
                      (byte) 0);
              TransactionMetadata m =
                  p.txns.computeIfAbsent(transactionalId, id -> new TransactionMetadata(id, fresh));
              return initExisting(p, m, timeoutMs, expectedProducerId, expectedEpoch);
            });
  }

  private CompletableFuture<TransactionResult> initExisting(
      OwnedPartition p,
      TransactionMetadata m,
      int timeoutMs,
      long expectedProducerId,
      short expectedEpoch) {
    TransactionRecord next;
    synchronized (m) {
      if (m.hasPendingWrite()) {
        return done(TransactionResult.error(Errors.CONCURRENT_TRANSACTIONS));
      }
      TransactionRecord c = m.current();
      boolean expectsSomething = expectedProducerId >= 0;
      if (expectsSomething && !validProducer(c, expectedProducerId, expectedEpoch)) {
        return done(TransactionResult.error(Errors.PRODUCER_FENCED));
      }
      switch (m.state()) {
        case PREPARE_COMMIT, PREPARE_ABORT, PREPARE_EPOCH_FENCE, DEAD:
          return done(TransactionResult.error(Errors.CONCURRENT_TRANSACTIONS));
        case ONGOING:
          // A new instance of the producer while a transaction is open: fence the old one by
          // bumping the epoch, abort its transaction; the new one retries and gets a fresh epoch.
          m.fenceEpoch();
          completer.startEnd(p, m, false, true);
          return done(TransactionResult.error(Errors.CONCURRENT_TRANSACTIONS));
        default:
          break;
      }
      if (expectsSomething
          && expectedProducerId == c.producerId()
          && c.lastProducerEpoch() >= 0
          && expectedEpoch == c.lastProducerEpoch()
          && c.state() == TransactionState.EMPTY) {
        // A retry of a bump that already happened.
        return done(new TransactionResult(Errors.NONE, c.producerId(), c.producerEpoch()));
      }
      if (c.producerEpoch() >= Short.MAX_VALUE - 1) {
        return rotateProducerId(p, m, timeoutMs);
      }
      short epoch = (short) (c.producerEpoch() + 1);
      next =
          m.prepare(
              new TransactionRecord(
                  c.producerId(),
                  c.previousProducerId(),
                  -1,
                  epoch,
                  c.producerEpoch(),
                  timeoutMs,
                  TransactionState.EMPTY,
                  Set.of(),
                  -1,
                  time.milliseconds(),
                  c.clientTransactionVersion()));
    }
    return writer
        .write(p, m, next)
        .thenApply(
            error ->
                error == Errors.NONE
                    ? new TransactionResult(Errors.NONE, next.producerId(), next.producerEpoch())
                    : TransactionResult.error(error));
  }

  /** The epoch is exhausted: continue under a new producer id at epoch 0. */
  private CompletableFuture<TransactionResult> rotateProducerId(
      OwnedPartition p, TransactionMetadata m, int timeoutMs) {
    return producerIds
        .nextId()
        .thenCompose(
            pid -> {
              TransactionRecord next;
              synchronized (m) {
                if (m.hasPendingWrite() || !m.state().isIdle()) {
                  return done(TransactionResult.error(Errors.CONCURRENT_TRANSACTIONS));
                }
                TransactionRecord c = m.current();
                next =
                    m.prepare(
                        new TransactionRecord(
                            pid,
                            c.producerId(),
                            -1,
                            (short) 0,
                            (short) -1,
                            timeoutMs,
                            TransactionState.EMPTY,
                            Set.of(),
                            -1,
                            time.milliseconds(),
                            c.clientTransactionVersion()));
              }
              return writer
                  .write(p, m, next)
                  .thenApply(
                      error ->
                          error == Errors.NONE
                              ? new TransactionResult(Errors.NONE, pid, (short) 0)
                              : TransactionResult.error(error));
            });
  }

  private static boolean validProducer(TransactionRecord c, long pid, short epoch) {
    if (pid == c.producerId()) {
      return epoch == c.producerEpoch() || epoch == c.lastProducerEpoch();
    }
    return pid == c.previousProducerId() && epoch == c.lastProducerEpoch();
  }

  // ---------------------------------------------------------------- AddPartitions / AddOffsets

  /**
   * Adds partitions to the producer's transaction (client AddPartitionsToTxn, AddOffsetsToTxn, or a
   * transactions-v2 produce), or with {@code verifyOnly} checks that they are in it (KIP-890 part
   * 1: a partition leader asks before it appends a transaction's first batch). Returns an error per
   * partition.
   */
  public CompletableFuture<Map<TopicPartition, Errors>> addPartitions(
      String transactionalId,
      long producerId,
      short producerEpoch,
      Set<TopicPartition> partitions,
      boolean verifyOnly,
      byte clientTransactionVersion) {
    Errors common = null;
    OwnedPartition p = transactionalId == null ? null : this.partitions.forId(transactionalId);
    TransactionMetadata m = null;
    if (transactionalId == null || transactionalId.isEmpty()) {
      common = Errors.INVALID_REQUEST;
    } else {
      common = TransactionPartitions.availability(p);
      if (common == null) {
        m = p.txns.get(transactionalId);
        if (m == null) {
          common = Errors.INVALID_PRODUCER_ID_MAPPING;
        }
      }
    }
    if (common != null) {
      return done(all(partitions, common));
    }
    TransactionRecord next;
    synchronized (m) {
      TransactionRecord c = m.current();
      if (c.producerId() != producerId) {
        return done(all(partitions, Errors.INVALID_PRODUCER_ID_MAPPING));
      }
      if (c.producerEpoch() != producerEpoch) {
        return done(all(partitions, Errors.PRODUCER_FENCED));
      }
      if (verifyOnly) {
        Map<TopicPartition, Errors> out = new HashMap<>();
        boolean open = m.state() == TransactionState.ONGOING;
        for (TopicPartition tp : partitions) {
          out.put(tp, open && c.partitions().contains(tp) ? Errors.NONE : Errors.INVALID_TXN_STATE);
        }
        return done(out);
      }
      if (m.hasPendingWrite() || m.state().isPrepare()) {
        return done(all(partitions, Errors.CONCURRENT_TRANSACTIONS));
      }
      if (m.state() == TransactionState.PREPARE_EPOCH_FENCE || m.state() == TransactionState.DEAD) {
        return done(all(partitions, Errors.PRODUCER_FENCED));
      }
      boolean open = m.state() == TransactionState.ONGOING;
      if (open && c.partitions().containsAll(partitions)) {
        return done(all(partitions, Errors.NONE));
      }
      Set<TopicPartition> union = new HashSet<>(c.partitions());
      union.addAll(partitions);
      long now = time.milliseconds();
      next =
          m.prepare(
              new TransactionRecord(
                  c.producerId(),
                  c.previousProducerId(),
                  c.nextProducerId(),
                  c.producerEpoch(),
                  c.lastProducerEpoch(),
                  c.timeoutMs(),
                  TransactionState.ONGOING,
                  union,
                  open ? c.startTimestamp() : now,
                  now,
                  (byte) Math.max(c.clientTransactionVersion(), clientTransactionVersion)));
    }
    return writer.write(p, m, next).thenApply(error -> all(partitions, error));
  }

  // ---------------------------------------------------------------- EndTxn

  /**
   * EndTxn from the client. Under transactions v2 ({@code v2}: EndTxn v5+) the epoch is bumped with
   * every end, and the answer carries the producer id and epoch to continue with.
   */
  public CompletableFuture<TransactionResult> endTransaction(
      String transactionalId, long producerId, short producerEpoch, boolean commit, boolean v2) {
    OwnedPartition p = partitions.forId(transactionalId);
    Errors notReady = TransactionPartitions.availability(p);
    if (notReady != null) {
      return done(TransactionResult.error(notReady));
    }
    TransactionMetadata m = p.txns.get(transactionalId);
    if (m == null) {
      return done(TransactionResult.error(Errors.INVALID_PRODUCER_ID_MAPPING));
    }
    synchronized (m) {
      TransactionRecord c = m.current();
      if (c.producerId() != producerId) {
        return done(TransactionResult.error(Errors.INVALID_PRODUCER_ID_MAPPING));
      }
      TransactionState state = m.state();
      TransactionState wanted =
          commit ? TransactionState.COMPLETE_COMMIT : TransactionState.COMPLETE_ABORT;
      TransactionState preparing =
          commit ? TransactionState.PREPARE_COMMIT : TransactionState.PREPARE_ABORT;
      boolean retryOfV2End =
          v2
              && c.usesV2()
              && producerEpoch == c.lastProducerEpoch()
              && (state == wanted || state == preparing);
      if (retryOfV2End) {
        // The previous end was applied (and bumped the epoch): answer as it was answered.
        return done(
            state == wanted
                ? new TransactionResult(Errors.NONE, c.producerId(), c.producerEpoch())
                : TransactionResult.error(Errors.CONCURRENT_TRANSACTIONS));
      }
      if (producerEpoch != c.producerEpoch()) {
        return done(TransactionResult.error(Errors.PRODUCER_FENCED));
      }
      if (m.hasPendingWrite()) {
        return done(TransactionResult.error(Errors.CONCURRENT_TRANSACTIONS));
      }
      switch (state) {
        case ONGOING:
          break;
        case COMPLETE_COMMIT, COMPLETE_ABORT:
          if (state == wanted && !v2) {
            return done(new TransactionResult(Errors.NONE, c.producerId(), c.producerEpoch()));
          }
          if (v2 && !commit) {
            break; // v2 may abort with nothing open
          }
          return done(TransactionResult.error(Errors.INVALID_TXN_STATE));
        case EMPTY:
          if (v2 && !commit) {
            break;
          }
          return done(TransactionResult.error(Errors.INVALID_TXN_STATE));
        case PREPARE_COMMIT, PREPARE_ABORT:
          return done(
              TransactionResult.error(
                  state == preparing ? Errors.CONCURRENT_TRANSACTIONS : Errors.INVALID_TXN_STATE));
        default:
          return done(TransactionResult.error(Errors.PRODUCER_FENCED));
      }
      if (v2) {
        TransactionRecord v2Record = withClientVersion(c, (byte) 2);
        m.load(v2Record);
      }
      return completer.startEnd(p, m, commit, false);
    }
  }

  private static TransactionRecord withClientVersion(TransactionRecord c, byte tv) {
    return new TransactionRecord(
        c.producerId(),
        c.previousProducerId(),
        c.nextProducerId(),
        c.producerEpoch(),
        c.lastProducerEpoch(),
        c.timeoutMs(),
        c.state(),
        c.partitions(),
        c.startTimestamp(),
        c.lastUpdateTimestamp(),
        tv);
  }

  // ---------------------------------------------------------------- inspection

  public Optional<Described> describe(String transactionalId) {
    OwnedPartition p = partitions.forId(transactionalId);
    if (p == null || !p.loaded) {
      return Optional.empty();
    }
    TransactionMetadata m = p.txns.get(transactionalId);
    if (m == null) {
      return Optional.empty();
    }
    synchronized (m) {
      return Optional.of(new Described(transactionalId, m.state(), m.current()));
    }
  }

  /** Errors for DescribeTransactions of an id not (yet) served here. */
  public Errors describeError(String transactionalId) {
    OwnedPartition p = partitions.forId(transactionalId);
    Errors e = TransactionPartitions.availability(p);
    return e != null ? e : Errors.TRANSACTIONAL_ID_NOT_FOUND;
  }

  /** Every transactional id of the loaded partitions that matches {@code filter}. */
  public List<Described> list(Predicate<Described> filter) {
    List<Described> out = new ArrayList<>();
    for (OwnedPartition p : partitions.all()) {
      if (!p.loaded) {
        continue;
      }
      for (TransactionMetadata m : p.txns.values()) {
        Described d;
        synchronized (m) {
          if (m.state() == TransactionState.DEAD) {
            continue;
          }
          d = new Described(m.transactionalId, m.state(), m.current());
        }
        if (filter.test(d)) {
          out.add(d);
        }
      }
    }
    return out;
  }

  /** Whether some partition is still loading (ListTransactions reports it). */
  public boolean anyLoading() {
    return partitions.anyLoading();
  }

  // ---------------------------------------------------------------- timeouts and expiry

  /** Aborts every open transaction older than its timeout, fencing its producer's epoch. */
  public void abortTimedOutTransactions() {
    expiry.abortTimedOutTransactions();
  }

  /** Removes transactional ids idle for longer than {@code transactional.id.expiration.ms}. */
  public void removeExpiredTransactionalIds() {
    expiry.removeExpiredTransactionalIds();
  }

  private static <T> CompletableFuture<T> done(T value) {
    return CompletableFuture.completedFuture(value);
  }

  private static Map<TopicPartition, Errors> all(Set<TopicPartition> partitions, Errors e) {
    Map<TopicPartition, Errors> out = new HashMap<>();
    for (TopicPartition tp : partitions) {
      out.put(tp, e);
    }
    return out;
  }

  /** For tests: run a task on the loader thread and wait (load ordering). */
  <T> T onCoordinatorThread(Supplier<T> task) throws Exception {
    return loader.submit(task::get).get(10, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    expiry.stop();
    if (ownsTimers) {
      timers.shutdownNow();
    }
    loader.shutdownNow();
    partitions.clear();
  }
}
