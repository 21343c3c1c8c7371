package dev.ferry.storage.cleaner;

import dev.ferry.storage.LogConfig;
import dev.ferry.storage.PartitionLog;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log cleaner: one background thread that compacts logs whose {@code cleanup.policy} includes
 * {@code compact}. Each round it picks the log with the largest dirty ratio among those due (ratio
 * at least {@code min.cleanable.dirty.ratio}, or a dirty record older than {@code
 * max.compaction.lag.ms}) and runs one {@link LogCompactor} pass over it; with nothing due it
 * sleeps {@code log.cleaner.backoff.ms}. A log whose pass fails is left alone for a while (logged),
 * the others go on.
 */
public final class LogCleaner implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(LogCleaner.class);

  /** Rounds to skip a log after its pass failed. */
  private static final int FAILURE_BACKOFF_ROUNDS = 10;

  /**
   * The broker's cleaner settings (Kafka's names).
   *
   * @param enabled {@code log.cleaner.enable}
   * @param backoffMs {@code log.cleaner.backoff.ms}: sleep when no log needs cleaning
   * @param dedupeBufferBytes {@code log.cleaner.dedupe.buffer.size}: the key map's memory at most
   * @param ioBufferBytes {@code log.cleaner.io.buffer.size}
   */
  public record Config(boolean enabled, long backoffMs, long dedupeBufferBytes, int ioBufferBytes) {

    public static Config defaults() {
      return new Config(true, 15_000, 128L * 1024 * 1024, 512 * 1024);
    }
  }

  private final Config config;
  private final Supplier<Collection<PartitionLog>> logs;
  private final Runnable afterPass;
  private final Time time;
  private final LogCompactor compactor;
  private final Map<TopicPartition, Long> failedUntilRound = new HashMap<>();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition wakeUp = lock.newCondition();
  private final AtomicReference<Thread> thread = new AtomicReference<>();
  private long round;
  private volatile boolean running;

  /**
   * @param logs the logs to consider, asked afresh every round
   * @param afterPass told after every pass that moved a log's first dirty offset (to checkpoint it)
   */
  public LogCleaner(
      Config config, Supplier<Collection<PartitionLog>> logs, Runnable afterPass, Time time) {
    this.config = config;
    this.logs = logs;
    this.afterPass = afterPass;
    this.time = time;
    this.compactor = new LogCompactor(config.dedupeBufferBytes(), config.ioBufferBytes(), time);
  }

  /** Starts the cleaner thread. */
  public void start() {
    Thread t = new Thread(this::run, "ferry-log-cleaner");
    t.setDaemon(true);
    if (thread.compareAndSet(null, t)) {
      running = true;
      t.start();
    }
  }

  private void run() {
    while (running) {
      boolean cleaned;
      try {
        cleaned = cleanOnce();
      } catch (RuntimeException e) {
        log.error("Log cleaner round failed", e);
        cleaned = false;
      }
      if (!cleaned) {
        lock.lock();
        try {
          if (running) {
            wakeUp.await(config.backoffMs(), TimeUnit.MILLISECONDS);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        } finally {
          lock.unlock();
        }
      }
    }
  }

  /**
   * One round: cleans the dirtiest log that is due, if any. Returns whether a pass ran. Called by
   * the cleaner thread, or directly (tests) when no thread was started.
   */
  public synchronized boolean cleanOnce() {
    round++;
    long now = time.milliseconds();
    CleanableLog best = null;
    CleanableRange bestRange = null;
    for (PartitionLog partitionLog : logs.get()) {
      CleanableLog l = partitionLog.cleanerView();
      LogConfig cfg = l.config();
      Long until = failedUntilRound.get(l.topicPartition());
      if (!cfg.compact() || (until != null && round < until)) {
        continue;
      }
      CleanableRange range;
      try {
        range = l.cleanableRange(now);
      } catch (KafkaStorageException e) {
        continue; // closed or being deleted
      }
      if (range.needsCleaning(cfg.minCleanableDirtyRatio())
          && (bestRange == null || range.dirtyRatio() > bestRange.dirtyRatio())) {
        best = l;
        bestRange = range;
      }
    }
    if (best == null) {
      return false;
    }
    try {
      LogCompactor.Stats stats = compactor.clean(best, bestRange, this::stopping);
      failedUntilRound.remove(best.topicPartition());
      if (stats != null) {
        log.info("{}", stats);
        afterPass.run();
      }
    } catch (InterruptedIOException e) {
      log.info("Cleaning of {} abandoned: the cleaner is stopping", best.topicPartition());
    } catch (IOException | RuntimeException e) {
      failedUntilRound.put(best.topicPartition(), round + FAILURE_BACKOFF_ROUNDS);
      log.error(
          "Cleaning {} failed; it is skipped for the next {} rounds",
          best.topicPartition(),
          FAILURE_BACKOFF_ROUNDS,
          e);
    }
    return true;
  }

  private boolean stopping() {
    return !running && thread.get() != null;
  }

  /** Stops the thread; a pass in progress is abandoned at its next buffer (its output deleted). */
  @Override
  public void close() {
    running = false;
    Thread t = thread.get();
    if (t == null) {
      return;
    }
    lock.lock();
    try {
      wakeUp.signalAll();
    } finally {
      lock.unlock();
    }
    try {
      t.join(30_000);
      if (t.isAlive()) {
        log.warn("Log cleaner did not stop within 30 s; interrupting it");
        t.interrupt();
        t.join(5_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    thread.set(null);
  }
}
