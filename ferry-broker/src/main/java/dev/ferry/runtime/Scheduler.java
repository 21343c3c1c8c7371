package dev.ferry.runtime;

/**
 * Runs tasks later, on the scheduler's own thread(s). The broker's timed work (purgatory timeouts,
 * periodic checks) goes through this interface so that tests can run it on a manual clock.
 */
public interface Scheduler {

  /** Runs {@code task} once, {@code delayMs} from now. */
  Cancellable schedule(Runnable task, long delayMs);

  /**
   * Runs {@code task} every {@code periodMs} after the previous run ended, first after {@code
   * initialDelayMs}. A task that throws is logged and runs again at its next period.
   */
  Cancellable scheduleWithFixedDelay(Runnable task, long initialDelayMs, long periodMs);

  /** A scheduled task that may be called off; cancelling a finished task does nothing. */
  @FunctionalInterface
  interface Cancellable {
    void cancel();
  }
}
