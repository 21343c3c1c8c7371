package dev.ferry.coordinator.group;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.utils.Time;

/**
 * A scheduler and the clock it runs on, both moved by hand: nothing runs until the test calls
 * {@link #advance} (or {@link #runDue}), and then every task due by the new time runs on the test's
 * thread, in time order. {@link #execute} queues a task due now, so work a coordinator hands off
 * "asynchronously" runs at the next {@link #runDue}, as it would run after the caller returned.
 */
final class ManualScheduler extends AbstractExecutorService
    implements ScheduledExecutorService, Time {

  private final PriorityQueue<Task<?>> queue = new PriorityQueue<>();
  private long nowMs;
  private long sequence;
  private boolean shutdown;

  ManualScheduler(long startMs) {
    this.nowMs = startMs;
  }

  /** Moves the clock forward by {@code ms}, running every task that falls due on the way. */
  synchronized void advance(long ms) {
    if (ms < 0) {
      throw new IllegalArgumentException("Time does not go back: " + ms);
    }
    long target = nowMs + ms;
    while (true) {
      Task<?> next = queue.peek();
      if (next == null || next.dueMs > target) {
        break;
      }
      queue.poll();
      nowMs = Math.max(nowMs, next.dueMs);
      next.runOnce();
    }
    nowMs = target;
  }

  /** Runs the tasks due now (including those they queue for now). */
  void runDue() {
    advance(0);
  }

  synchronized int pendingTasks() {
    int n = 0;
    for (Task<?> t : queue) {
      if (!t.isCancelled()) {
        n++;
      }
    }
    return n;
  }

  // ---------------------------------------------------------------- Time

  @Override
  public synchronized long milliseconds() {
    return nowMs;
  }

  @Override
  public long nanoseconds() {
    return milliseconds() * 1_000_000L;
  }

  @Override
  public void sleep(long ms) {
    advance(ms);
  }

  // ---------------------------------------------------------------- ScheduledExecutorService

  @Override
  public synchronized ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return enqueue(new Task<>(command, null, nowMs + unit.toMillis(delay), 0));
  }

  @Override
  public synchronized <V> ScheduledFuture<V> schedule(
      Callable<V> callable, long delay, TimeUnit unit) {
    return enqueue(new Task<>(callable, nowMs + unit.toMillis(delay)));
  }

  @Override
  public synchronized ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    return enqueue(
        new Task<>(command, null, nowMs + unit.toMillis(initialDelay), unit.toMillis(period)));
  }

  @Override
  public synchronized ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    return scheduleAtFixedRate(command, initialDelay, delay, unit);
  }

  @Override
  public synchronized void execute(Runnable command) {
    enqueue(new Task<>(command, null, nowMs, 0));
  }

  private <V> Task<V> enqueue(Task<V> task) {
    if (shutdown) {
      throw new java.util.concurrent.RejectedExecutionException("shut down");
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
    List<Runnable> left = new ArrayList<>(queue);
    queue.clear();
    return left;
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

  /** A queued task; periodic ones re-queue themselves after each run. */
  private final class Task<V> extends FutureTask<V> implements ScheduledFuture<V> {
    private final long periodMs;
    private long dueMs;
    private long sequence;

    Task(Runnable r, V result, long dueMs, long periodMs) {
      super(r, result);
      this.dueMs = dueMs;
      this.periodMs = periodMs;
    }

    Task(Callable<V> c, long dueMs) {
      super(c);
      this.dueMs = dueMs;
      this.periodMs = 0;
    }

    void runOnce() {
      if (periodMs == 0) {
        run();
        rethrow();
      } else if (runAndReset()) {
        dueMs += periodMs;
        queue.add(this);
      }
    }

    /** A failing task is a failing test, not a silently dead timer. */
    private void rethrow() {
      if (isDone() && !isCancelled()) {
        try {
          get();
        } catch (ExecutionException e) {
          throw new AssertionError("Scheduled task failed", e.getCause());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }

    @Override
    public long getDelay(TimeUnit unit) {
      return unit.convert(dueMs - milliseconds(), TimeUnit.MILLISECONDS);
    }

    @Override
    public int compareTo(Delayed o) {
      Task<?> other = (Task<?>) o;
      int c = Long.compare(dueMs, other.dueMs);
      return c != 0 ? c : Long.compare(sequence, other.sequence);
    }
  }
}
