package dev.ferry.controller;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ScheduledExecutorService} whose clock only moves when the test says so: tasks run on the
 * test's thread, in due order, from {@link #runDue()} and {@link #advance(long)}. Tasks may be
 * submitted from any thread.
 */
final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {

  /** A loop that keeps scheduling immediate work is a bug in the code under test. */
  private static final int MAX_TASKS_PER_CALL = 10_000;

  private final PriorityQueue<Task<?>> queue = new PriorityQueue<>();
  private long nowMs;
  private long sequence;
  private boolean shutdown;

  /** Runs every task that is due now, including those the tasks themselves schedule now. */
  void runDue() {
    for (int i = 0; i < MAX_TASKS_PER_CALL; i++) {
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
    throw new IllegalStateException("More than " + MAX_TASKS_PER_CALL + " tasks ran at one time");
  }

  /** Moves the clock forward by {@code ms}, running each task at its due time. */
  void advance(long ms) {
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

  synchronized long nowMs() {
    return nowMs;
  }

  private synchronized <V> Task<V> add(Task<V> task) {
    if (shutdown) {
      throw new RejectedExecutionException("shut down");
    }
    queue.add(task);
    return task;
  }

  @Override
  public void execute(Runnable command) {
    schedule(command, 0, TimeUnit.MILLISECONDS);
  }

  @Override
  public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
    return schedule(
        () -> {
          command.run();
          return null;
        },
        delay,
        unit);
  }

  @Override
  public synchronized <V> ScheduledFuture<V> schedule(
      Callable<V> callable, long delay, TimeUnit unit) {
    return add(new Task<>(callable, nowMs + unit.toMillis(delay), 0));
  }

  @Override
  public synchronized ScheduledFuture<?> scheduleAtFixedRate(
      Runnable command, long initialDelay, long period, TimeUnit unit) {
    return scheduleWithFixedDelay(command, initialDelay, period, unit);
  }

  @Override
  public synchronized ScheduledFuture<?> scheduleWithFixedDelay(
      Runnable command, long initialDelay, long delay, TimeUnit unit) {
    return add(
        new Task<>(
            () -> {
              command.run();
              return null;
            },
            nowMs + unit.toMillis(initialDelay),
            unit.toMillis(delay)));
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
    return shutdown && queue.isEmpty();
  }

  @Override
  public boolean awaitTermination(long timeout, TimeUnit unit) {
    return isTerminated();
  }

  private final class Task<V> extends FutureTask<V> implements ScheduledFuture<V> {

    private final long periodMs;
    private final long seq;
    private long dueMs;

    Task(Callable<V> callable, long dueMs, long periodMs) {
      super(callable);
      this.dueMs = dueMs;
      this.periodMs = periodMs;
      synchronized (ManualScheduler.this) {
        this.seq = sequence++;
      }
    }

    void runOnce() {
      if (periodMs <= 0) {
        run();
        rethrowFailure();
        return;
      }
      if (runAndReset()) {
        synchronized (ManualScheduler.this) {
          dueMs = nowMs + periodMs;
          if (!shutdown) {
            queue.add(this);
          }
        }
      }
    }

    /** A task that threw is a test failure, not something to swallow. */
    private void rethrowFailure() {
      if (!isCancelled()) {
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
    public boolean cancel(boolean mayInterruptIfRunning) {
      synchronized (ManualScheduler.this) {
        queue.remove(this);
      }
      return super.cancel(mayInterruptIfRunning);
    }

    @Override
    public long getDelay(TimeUnit unit) {
      synchronized (ManualScheduler.this) {
        return unit.convert(dueMs - nowMs, TimeUnit.MILLISECONDS);
      }
    }

    @Override
    public int compareTo(Delayed other) {
      Task<?> o = (Task<?>) other;
      int byDue = Long.compare(dueMs, o.dueMs);
      return byDue != 0 ? byDue : Long.compare(seq, o.seq);
    }
  }
}
