package dev.ferry.runtime;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.utils.Time;

/**
 * A clock and scheduler in one that tests move by hand: time stands still until {@link #advance},
 * which runs every task that falls due, in due order, on the test's thread, with the clock set to
 * each task's due time. Tasks may be scheduled from any thread; {@code execute} runs at the next
 * {@link #advance} (or {@link #runDue}).
 */
public class ManualClock extends AbstractExecutorService implements Time, ScheduledExecutorService {

  /** More than this many tasks at one instant is a loop in the code under test. */
  private static final int MAX_TASKS_PER_INSTANT = 10_000;

  private final PriorityQueue<Task<?>> queue = new PriorityQueue<>();
  private long nowMs;
  private long sequence;
  private boolean shutdown;

  public ManualClock(long startMs) {
    this.nowMs = startMs;
  }

  /** Moves the clock forward by {@code ms}, running each task at its due time. */
  public void advance(long ms) {
    if (ms < 0) {
      throw new IllegalArgumentException("Time does not go back: " + ms);
    }
    long target;
    synchronized (this) {
      target = nowMs + ms;
    }
    while (true) {
      runDue();
      synchronized (this) {
        Task<?> next = queue.peek();
        if (next == null || next.dueMs > target) {
          nowMs = target;
          break;
        }
        nowMs = next.dueMs;
      }
    }
    runDue();
  }

  /** Runs the tasks due now (including ones they schedule for now). */
  public void runDue() {
    for (int i = 0; i < MAX_TASKS_PER_INSTANT; i++) {
      Task<?> next;
      synchronized (this) {
        next = queue.peek();
        if (next == null || next.dueMs > nowMs) {
          return;
        }
        queue.poll();
      }
      next.runOnce();
    }
    throw new IllegalStateException("More than " + MAX_TASKS_PER_INSTANT + " tasks at one time");
  }

  /** Tasks waiting to run (cancelled ones excluded). */
  public synchronized int pendingTasks() {
    int n = 0;
    for (Task<?> t : queue) {
      if (!t.isCancelled()) {
        n++;
      }
    }
    return n;
  }

  // ---- Time

  @Override
  public synchronized long milliseconds() {
    return nowMs;
  }

  @Override
  public long nanoseconds() {
    return milliseconds() * 1_000_000L;
  }

  /** A sleep on a manual clock is an advance: nothing waits for real. */
  @Override
  public void sleep(long ms) {
    advance(ms);
  }

  // ---- ScheduledExecutorService

  @Override
  public void execute(Runnable command) {
    schedule(command, 0, TimeUnit.MILLISECONDS);
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return add(new Task<>(command, null, dueIn(delay, unit), 0));
  }

  @Override
  public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
    return add(new Task<>(callable, dueIn(delay, unit)));
  }

  @Override
  public ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    return add(new Task<>(command, null, dueIn(initialDelay, unit), unit.toMillis(period)));
  }

  @Override
  public ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    return add(new Task<>(command, null, dueIn(initialDelay, unit), unit.toMillis(delay)));
  }

  private synchronized long dueIn(long delay, TimeUnit unit) {
    return nowMs + Math.max(0, unit.toMillis(delay));
  }

  private synchronized <V> Task<V> add(Task<V> task) {
    if (shutdown) {
      throw new RejectedExecutionException("shut down");
    }
    task.sequence = sequence++;
    queue.add(task);
    return task;
  }

  @Override
  public synchronized void shutdown() {
    shutdown = true;
  }

  @Override
  public synchronized List<Runnable> shutdownNow() {
    shutdown = true;
    List<Runnable> pending = new ArrayList<>(queue);
    queue.clear();
    return pending;
  }

  @Override
  public synchronized boolean isShutdown() {
    return shutdown;
  }

  @Override
  public synchronized boolean isTerminated() {
    return shutdown;
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return true;
  }

  private final class Task<V> extends FutureTask<V> implements ScheduledFuture<V> {
    long dueMs;
    final long periodMs;
    long sequence;

    Task(Runnable command, V result, long dueMs, long periodMs) {
      super(command, result);
      this.dueMs = dueMs;
      this.periodMs = periodMs;
    }

    Task(Callable<V> callable, long dueMs) {
      super(callable);
      this.dueMs = dueMs;
      this.periodMs = 0;
    }

    void runOnce() {
      if (periodMs <= 0) {
        run();
      } else if (runAndReset()) {
        synchronized (ManualClock.this) {
          dueMs = nowMs + periodMs;
          queue.add(this);
        }
      }
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(dueMs - milliseconds(), TimeUnit.MILLISECONDS);
    }

    @Override
    public int compareTo(Delayed other) {
      Task<?> o = (Task<?>) other;
      int c = Long.compare(dueMs, o.dueMs);
      return c != 0 ? c : Long.compare(sequence, o.sequence);
    }
  }
}
