package dev.ferry.runtime;

import java.io.Closeable;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link Scheduler} on one named daemon thread (system time). Cancelled tasks leave its queue at
 * once, so many short-lived timeouts (long-poll fetches, acks=all appends) do not pile up.
 */
public final class ExecutorScheduler implements Scheduler, Closeable {

  private static final Logger log = LoggerFactory.getLogger(ExecutorScheduler.class);

  private final String name;
  private final ScheduledThreadPoolExecutor executor;

  public ExecutorScheduler(String threadName) {
    this.name = threadName;
    this.executor = new ScheduledThreadPoolExecutor(1, BrokerThreads.factory(threadName));
    executor.setRemoveOnCancelPolicy(true);
  }

  @Override
  public Cancellable schedule(Runnable task, long delayMs) {
    ScheduledFuture<?> f = executor.schedule(task, Math.max(0, delayMs), TimeUnit.MILLISECONDS);
    return () -> f.cancel(false);
  }

  @Override
  public Cancellable scheduleWithFixedDelay(Runnable task, long initialDelayMs, long periodMs) {
    Runnable guarded =
        () -> {
          try {
            task.run();
          } catch (RuntimeException e) {
            // An escaped exception would silently cancel all later runs.
            log.error("Periodic task on {} failed", name, e);
          }
        };
    ScheduledFuture<?> f =
        executor.scheduleWithFixedDelay(
            guarded, Math.max(0, initialDelayMs), periodMs, TimeUnit.MILLISECONDS);
    return () -> f.cancel(false);
  }

  /** Drops pending tasks and waits briefly for a running one. */
  @Override
  public void close() {
    executor.shutdownNow();
    BrokerThreads.awaitTermination(executor, name, 5_000);
  }
}
