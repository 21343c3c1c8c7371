package dev.ferry.tools.perf;

import java.io.PrintWriter;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Counts records and bytes and records latencies from any thread (the producer's I/O thread calls
 * it from send callbacks), prints a progress line per interval, and sums everything up at the end.
 *
 * <p>Latencies go to an HdrHistogram {@link Recorder}, which takes values from many threads without
 * locks and hands out interval histograms; the reporter folds each interval into the total.
 */
final class Meter implements AutoCloseable {

  /** Latencies up to an hour, in microseconds, with 3 significant digits. */
  private static final long MAX_MICROS = TimeUnit.HOURS.toMicros(1);

  private final Recorder recorder = new Recorder(MAX_MICROS, 3);
  private final Histogram total = new Histogram(MAX_MICROS, 3);
  private final LongAdder records = new LongAdder();
  private final LongAdder bytes = new LongAdder();
  private final LongAdder errors = new LongAdder();
  private final PrintWriter progress;
  private final String verb;
  private final long startNanos = System.nanoTime();
  private final ScheduledExecutorService reporter;
  private Histogram interval;
  private long lastRecords;
  private long lastBytes;
  private long lastNanos = startNanos;
  private long endNanos;

  /**
   * @param progress where progress lines go (stderr, so stdout holds only the summary)
   * @param verb "sent" or "consumed", for the progress line
   */
  Meter(PrintWriter progress, String verb, long intervalMs) {
    this.progress = progress;
    this.verb = verb;
    reporter =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ferry-perf-progress");
              t.setDaemon(true);
              return t;
            });
    reporter.scheduleAtFixedRate(this::report, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
  }

  /** One record done; any thread. */
  void record(long latencyMicros, int size) {
    recorder.recordValue(Math.min(Math.max(0, latencyMicros), MAX_MICROS));
    records.increment();
    bytes.add(size);
  }

  void error() {
    errors.increment();
  }

  long records() {
    return records.sum();
  }

  long errors() {
    return errors.sum();
  }

  private synchronized void report() {
    long now = System.nanoTime();
    Histogram h = drain();
    long r = records.sum();
    long b = bytes.sum();
    double seconds = (now - lastNanos) / 1e9;
    progress.printf(
        "%d records %s, %.1f records/s (%.2f MB/s), %.1f ms avg latency, %.1f ms max latency.%n",
        r - lastRecords,
        verb,
        (r - lastRecords) / seconds,
        (b - lastBytes) / seconds / (1024 * 1024),
        h.getTotalCount() == 0 ? 0.0 : h.getMean() / 1000.0,
        h.getMaxValue() / 1000.0);
    progress.flush();
    lastRecords = r;
    lastBytes = b;
    lastNanos = now;
  }

  /** Moves what the recorder holds into the total; returns the interval's histogram. */
  private Histogram drain() {
    interval = recorder.getIntervalHistogram(interval);
    total.add(interval);
    return interval;
  }

  /** Stops progress lines and freezes the clock; call once all records are done. */
  @Override
  public synchronized void close() {
    if (endNanos == 0) {
      endNanos = System.nanoTime();
      reporter.shutdownNow();
      drain();
    }
  }

  /** The run's totals; call after {@link #close()}. */
  synchronized PerfSummary summary() {
    double seconds = Math.max(1e-9, (endNanos - startNanos) / 1e9);
    long r = records.sum();
    long b = bytes.sum();
    return new PerfSummary(
        r,
        b,
        seconds,
        r / seconds,
        b / seconds / (1024 * 1024),
        ms(total.getValueAtPercentile(50)),
        ms(total.getValueAtPercentile(99)),
        ms(total.getValueAtPercentile(99.9)),
        ms(total.getMaxValue()));
  }

  private static double ms(long micros) {
    return micros / 1000.0;
  }
}
