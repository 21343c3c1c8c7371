package dev.ferry.runtime;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the broker makes and stops its named threads: all are daemons (a stuck one never keeps the
 * JVM alive after {@code FerryBroker.close}), named {@code ferry-...} so thread dumps and the table
 * in docs/architecture.md match, and log what kills them.
 */
public final class BrokerThreads {

  private static final Logger log = LoggerFactory.getLogger(BrokerThreads.class);

  private BrokerThreads() {}

  /**
   * A scheduler on one daemon thread named {@code name}. Cancelled tasks leave its queue at once,
   * so many short-lived timeouts (long-poll fetches, acks=all appends) do not pile up.
   */
  public static ScheduledExecutorService newScheduler(String name) {
    ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, factory(name));
    executor.setRemoveOnCancelPolicy(true);
    return executor;
  }

  /** Threads named {@code name} (one-thread pools) for an executor. */
  public static ThreadFactory factory(String name) {
    return r -> newThread(r, name);
  }

  /** Threads named {@code prefix-0}, {@code prefix-1}, ... for a pool. */
  public static ThreadFactory numberedFactory(String prefix) {
    AtomicInteger next = new AtomicInteger();
    return r -> newThread(r, prefix + "-" + next.getAndIncrement());
  }

  /** A daemon thread named {@code name} that logs an exception that ends it. */
  public static Thread newThread(Runnable task, String name) {
    Thread t = new Thread(task, name);
    t.setDaemon(true);
    t.setUncaughtExceptionHandler(
        (thread, e) -> log.error("Thread {} died of an uncaught exception", thread.getName(), e));
    return t;
  }

  /**
   * Stops {@code executor} in order: queued tasks still run, for up to {@code timeoutMs}; then the
   * rest is interrupted.
   */
  public static void shutdown(ExecutorService executor, String name, long timeoutMs) {
    executor.shutdown();
    if (!awaitTermination(executor, name, timeoutMs)) {
      executor.shutdownNow();
    }
  }

  /** Waits up to {@code timeoutMs} for {@code executor} to end; false (logged) if it did not. */
  public static boolean awaitTermination(ExecutorService executor, String name, long timeoutMs) {
    try {
      if (executor.awaitTermination(timeoutMs, TimeUnit.MILLISECONDS)) {
        return true;
      }
      log.warn("{} did not stop within {} ms", name, timeoutMs);
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
