package dev.ferry.coordinator.transaction;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The coordinator's periodic checks: transactions open past their timeout are aborted (the
 * producer's epoch fenced first), stalled markers resent, and ids idle past {@code
 * transactional.id.expiration.ms} removed. They run on a scheduler the caller owns (the broker's
 * {@code ferry-scheduler}), only walk the loaded ids under their monitors, and never block.
 */
final class TransactionExpiry {

  private static final Logger log = LoggerFactory.getLogger(TransactionExpiry.class);

  private final TransactionCoordinatorConfig config;
  private final Time time;
  private final TransactionPartitions partitions;
  private final TransactionCompleter completer;
  private final TransactionStateWriter writer;
  private final List<ScheduledFuture<?>> periodic = new ArrayList<>();

  TransactionExpiry(
      TransactionCoordinatorConfig config,
      Time time,
      TransactionPartitions partitions,
      TransactionCompleter completer,
      TransactionStateWriter writer) {
    this.config = config;
    this.time = time;
    this.partitions = partitions;
    this.completer = completer;
    this.writer = writer;
  }

  /** Schedules both checks at their configured intervals. */
  void start(ScheduledExecutorService timers) {
    synchronized (periodic) {
      periodic.add(
          timers.scheduleWithFixedDelay(
              guarded(this::abortTimedOutTransactions),
              config.abortTimedOutIntervalMs(),
              config.abortTimedOutIntervalMs(),
              TimeUnit.MILLISECONDS));
      periodic.add(
          timers.scheduleWithFixedDelay(
              guarded(this::removeExpiredTransactionalIds),
              config.removeExpiredIntervalMs(),
              config.removeExpiredIntervalMs(),
              TimeUnit.MILLISECONDS));
    }
  }

  /** Cancels both checks (the scheduler itself is the caller's). */
  void stop() {
    synchronized (periodic) {
      periodic.forEach(f -> f.cancel(false));
      periodic.clear();
    }
  }

  private static Runnable guarded(Runnable r) {
    return () -> {
      try {
        r.run();
      } catch (RuntimeException e) {
        log.error("Transaction coordinator task failed", e);
      }
    };
  }

  /** Aborts every open transaction older than its timeout, fencing its producer's epoch. */
  void abortTimedOutTransactions() {
    long now = time.milliseconds();
    for (OwnedPartition p : partitions.all()) {
      if (!p.loaded) {
        continue;
      }
      for (TransactionMetadata m : p.txns.values()) {
        synchronized (m) {
          TransactionRecord c = m.current();
          TransactionState s = m.state();
          if (m.hasPendingWrite()) {
            continue;
          }
          if (s == TransactionState.ONGOING && c.startTimestamp() + c.timeoutMs() < now) {
            log.info(
                "Aborting transaction of {} (producer {} epoch {}): timed out after {} ms",
                m.transactionalId,
                c.producerId(),
                c.producerEpoch(),
                c.timeoutMs());
            m.fenceEpoch();
            completer.startEnd(p, m, false, true);
          } else if (s == TransactionState.PREPARE_EPOCH_FENCE) {
            completer.startEnd(p, m, false, true); // an earlier abort write failed: try again
          } else if (s.isPrepare() && c.lastUpdateTimestamp() + c.timeoutMs() < now) {
            completer.sendMarkersThenComplete(
                p, m, c); // markers stalled (e.g. resigned and re-won)
          }
        }
      }
    }
  }

  /** Removes transactional ids idle for longer than {@code transactional.id.expiration.ms}. */
  void removeExpiredTransactionalIds() {
    long now = time.milliseconds();
    for (OwnedPartition p : partitions.all()) {
      if (!p.loaded) {
        continue;
      }
      for (TransactionMetadata m : p.txns.values()) {
        TransactionRecord dead;
        synchronized (m) {
          TransactionRecord c = m.current();
          if (m.hasPendingWrite()
              || !m.state().isIdle()
              || c.lastUpdateTimestamp() + config.idExpirationMs() > now) {
            continue;
          }
          dead = m.prepare(c.withState(TransactionState.DEAD, now));
        }
        writer.writeTombstone(p, m, dead);
      }
    }
  }
}
