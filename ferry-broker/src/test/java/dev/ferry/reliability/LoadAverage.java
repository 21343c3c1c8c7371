package dev.ferry.reliability;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The machine's 1-minute load average sampled through a run (Linux {@code /proc/loadavg}), so that
 * a long run's figures say how busy the cores were: on a shared machine a liveness timeout may be
 * load, not a stuck cluster. Where there is no {@code /proc/loadavg} it reports nothing.
 */
final class LoadAverage implements AutoCloseable {

  private static final Path LOADAVG = Path.of("/proc/loadavg");

  private final ScheduledExecutorService sampler =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "load-average");
            t.setDaemon(true);
            return t;
          });
  private double min = Double.MAX_VALUE;
  private double max;
  private double sum;
  private int samples;

  /** Samples every {@code periodSeconds} until closed. */
  LoadAverage(int periodSeconds) {
    sampler.scheduleAtFixedRate(this::sample, 0, periodSeconds, TimeUnit.SECONDS);
  }

  private void sample() {
    double now = oneMinute();
    if (now < 0) {
      return;
    }
    synchronized (this) {
      min = Math.min(min, now);
      max = Math.max(max, now);
      sum += now;
      samples++;
    }
  }

  /** The current 1-minute load average, or -1 where it cannot be read. */
  static double oneMinute() {
    try {
      return Double.parseDouble(Files.readString(LOADAVG).split(" ")[0]);
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /** E.g. {@code "load average 3.1-9.8, mean 6.2 (61 samples)"}. */
  synchronized String summary() {
    if (samples == 0) {
      return "load average unknown";
    }
    return String.format(
        "load average %.1f-%.1f, mean %.1f (%d samples)", min, max, sum / samples, samples);
  }

  @Override
  public void close() {
    sampler.shutdownNow();
  }
}
