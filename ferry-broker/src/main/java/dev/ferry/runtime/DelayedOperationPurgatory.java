package dev.ferry.runtime;

import java.io.Closeable;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The waiting room for requests that complete on a later event or a timeout (long-poll fetches,
 * acks=all appends). An operation is watched under keys (e.g. its partitions); an event on a key
 * checks that key's operations; a timer on the injected scheduler expires the rest. Waiting costs
 * no thread.
 *
 * <p>Watch lists are per key and live as long as the purgatory (keys are partitions: a bounded
 * set). Completed operations leave every list they were in as soon as one of their checks notices.
 *
 * @param <T> the kind of operation waiting here
 */
public final class DelayedOperationPurgatory<T extends DelayedOperation> implements Closeable {

  private final String name;
  private final ScheduledExecutorService scheduler;
  private final ConcurrentHashMap<Object, Set<T>> watchers = new ConcurrentHashMap<>();

  /**
   * @param scheduler runs the timeouts (and with them each expired operation's completion): the
   *     broker's {@code ferry-scheduler} thread, or a manual scheduler in tests
   */
  public DelayedOperationPurgatory(String name, ScheduledExecutorService scheduler) {
    this.name = name;
    this.scheduler = scheduler;
  }

  /**
   * Completes {@code op} now if it can, else watches it under {@code keys} for at most {@code
   * timeoutMs} and checks once more (an event between the first check and the watch would not have
   * seen it).
   *
   * @return true if it completed before this method returned
   */
  public boolean tryCompleteElseWatch(T op, Collection<?> keys, long timeoutMs) {
    if (op.tryComplete()) {
      return true;
    }
    watch(op, keys, timeoutMs);
    if (op.tryComplete()) {
      unwatch(op);
      return true;
    }
    return false;
  }

  /**
   * Watches {@code op} under {@code keys} for at most {@code timeoutMs} without checking it first
   * (the caller just found it cannot complete). The caller must close the race with events that
   * happened meanwhile itself.
   */
  public void watch(T op, Collection<?> keys, long timeoutMs) {
    List<?> copy = List.copyOf(keys);
    for (Object key : copy) {
      watchers.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(op);
    }
    op.watched(
        copy,
        scheduler.schedule(
            () -> {
              op.onExpiration();
              unwatch(op);
            },
            Math.max(0, timeoutMs),
            TimeUnit.MILLISECONDS));
  }

  /** Stops watching {@code op} (it completed). */
  public void unwatch(T op) {
    for (Object key : op.keys()) {
      Set<T> set = watchers.get(key);
      if (set != null) {
        set.remove(op);
      }
    }
  }

  /** Calls {@link DelayedOperation#tryComplete} on each operation watching {@code key}. */
  public int checkAndComplete(Object key) {
    return checkAndComplete(key, DelayedOperation::tryComplete);
  }

  /**
   * Offers an event on {@code key} to each operation watching it: {@code attempt} returns true when
   * the operation is completed (then it stops being watched).
   *
   * @return how many completed
   */
  public int checkAndComplete(Object key, Predicate<? super T> attempt) {
    Set<T> set = watchers.get(key);
    if (set == null || set.isEmpty()) {
      return 0;
    }
    int completed = 0;
    for (T op : set) {
      if (op.isCompleted() || attempt.test(op)) {
        unwatch(op);
        completed++;
      }
    }
    return completed;
  }

  /** Operations now waiting (for metrics and tests); one watched under two keys counts twice. */
  public int watched() {
    int n = 0;
    for (Set<T> s : watchers.values()) {
      n += s.size();
    }
    return n;
  }

  /** Completes every waiting operation with {@link DelayedOperation#onClose}. */
  @Override
  public void close() {
    for (Set<T> set : watchers.values()) {
      for (T op : set) {
        op.onClose();
      }
      set.clear();
    }
  }

  @Override
  public String toString() {
    return name + "[" + watched() + " watched]";
  }
}
