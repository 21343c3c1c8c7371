package dev.ferry.bench;

import java.io.PrintStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Progress lines on stderr, stamped with the time since the suite started, plus a ticker that
 * reports a running count every few seconds so a long workload never looks hung.
 */
public final class Progress implements AutoCloseable {

  private static final long TICK_SECONDS = 5;

  private final PrintStream out;
  private final long startNanos = System.nanoTime();
  private final ScheduledExecutorService ticker =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "bench-progress");
            t.setDaemon(true);
            return t;
          });

  public Progress(PrintStream out) {
    this.out = out;
  }

  public void say(String message) {
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - startNanos);
    out.printf("[%02d:%02d] %s%n", seconds / 60, seconds % 60, message);
    out.flush();
  }

  /** Until closed, prints "label: done/total" every few seconds. */
  public Ticker track(String label, LongSupplier done, long total) {
    long began = System.nanoTime();
    ScheduledFuture<?> task =
        ticker.scheduleAtFixedRate(
            () -> {
              long n = done.getAsLong();
              double secs = (System.nanoTime() - began) / 1e9;
              double rate = n / Math.max(secs, 1e-9);
              say(
                  total == Long.MAX_VALUE
                      ? String.format("  %s: %,d (%,.0f/s)", label, n, rate)
                      : String.format(
                          "  %s: %,d/%,d (%.0f%%, %,.0f/s)",
                          label, n, total, 100.0 * n / Math.max(1, total), rate));
            },
            TICK_SECONDS,
            TICK_SECONDS,
            TimeUnit.SECONDS);
    return () -> task.cancel(false);
  }

  @Override
  public void close() {
    ticker.shutdownNow();
  }

  /** Stops a running count; never throws. */
  public interface Ticker extends AutoCloseable {
    @Override
    void close();
  }
}
