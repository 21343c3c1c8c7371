package dev.ferry.quota;

/**
 * A rate over a sliding window of fixed-length samples, as Kafka's quota {@code Rate} measures it:
 * the sum of the live samples divided by the time they cover (at least all but the current sample,
 * so a burst right after a quiet period is not mistaken for an enormous rate). Thread-safe; one
 * short lock per call, no allocation.
 */
public final class SampledRate {

  private final long sampleMs;
  private final long[] starts;
  private final double[] values;
  private int current;

  /**
   * @param samples number of samples kept (Kafka's {@code quota.window.num}, 11)
   * @param sampleMs length of each (Kafka's {@code quota.window.size.seconds}, 1 s)
   */
  public SampledRate(int samples, long sampleMs) {
    if (samples < 2 || sampleMs <= 0) {
      throw new IllegalArgumentException("samples " + samples + ", sampleMs " + sampleMs);
    }
    this.sampleMs = sampleMs;
    this.starts = new long[samples];
    this.values = new double[samples];
    java.util.Arrays.fill(starts, Long.MIN_VALUE);
  }

  /** Adds {@code value} (bytes, or request time) at {@code nowMs}. */
  public synchronized void record(double value, long nowMs) {
    roll(nowMs);
    values[current] += value;
  }

  /** Units per second at {@code nowMs}. */
  public synchronized double ratePerSecond(long nowMs) {
    roll(nowMs);
    double total = 0;
    for (int i = 0; i < starts.length; i++) {
      if (starts[i] != Long.MIN_VALUE) {
        total += values[i];
      }
    }
    return total * 1000.0 / measuredWindowMs(nowMs);
  }

  /**
   * The time the rate is measured over at {@code nowMs}: since the oldest live sample began, but at
   * least all samples but the current one.
   */
  public synchronized long measuredWindowMs(long nowMs) {
    long oldest = nowMs;
    for (long start : starts) {
      if (start != Long.MIN_VALUE) {
        oldest = Math.min(oldest, start);
      }
    }
    return Math.max(1, Math.max(nowMs - oldest, sampleMs * (starts.length - 1)));
  }

  /** The window length the rate is measured over, in ms. */
  public long windowMs() {
    return sampleMs * starts.length;
  }

  private void roll(long nowMs) {
    if (starts[current] != Long.MIN_VALUE && nowMs - starts[current] < sampleMs) {
      return;
    }
    current = (current + 1) % starts.length;
    starts[current] = nowMs;
    values[current] = 0;
    // Expire samples that fell out of the window entirely.
    for (int i = 0; i < starts.length; i++) {
      if (starts[i] != Long.MIN_VALUE && nowMs - starts[i] >= sampleMs * starts.length) {
        starts[i] = Long.MIN_VALUE;
        values[i] = 0;
      }
    }
  }
}
