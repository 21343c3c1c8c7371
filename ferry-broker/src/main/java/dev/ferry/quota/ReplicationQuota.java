package dev.ferry.quota;

import org.apache.kafka.common.utils.Time;

/**
 * One side's replication throttle on this broker ({@code leader.replication.throttled.rate} or
 * {@code follower.replication.throttled.rate}): the bytes of throttled replicas are recorded, and
 * once their rate is over the bound those replicas get no data until it drops back. The bound is a
 * dynamic broker config; {@link Long#MAX_VALUE} (the default) means unthrottled.
 */
public final class ReplicationQuota {

  /** Kafka's {@code replication.quota.window.num} and {@code .window.size.seconds}. */
  private static final int SAMPLES = 11;

  private static final long SAMPLE_MS = 1_000;

  private final Time time;
  private final SampledRate rate = new SampledRate(SAMPLES, SAMPLE_MS);
  private volatile long boundBytesPerSecond = Long.MAX_VALUE;
  private volatile long throttledBytes;

  public ReplicationQuota(Time time) {
    this.time = time;
  }

  public void setBound(long bytesPerSecond) {
    boundBytesPerSecond = bytesPerSecond <= 0 ? 0 : bytesPerSecond;
  }

  public long bound() {
    return boundBytesPerSecond;
  }

  /** True if throttled replicas used up their rate. */
  public boolean isExceeded() {
    long bound = boundBytesPerSecond;
    return bound != Long.MAX_VALUE && rate.ratePerSecond(time.milliseconds()) > bound;
  }

  /** Counts bytes moved for throttled replicas. */
  public void record(long bytes) {
    if (bytes > 0 && boundBytesPerSecond != Long.MAX_VALUE) {
      rate.record(bytes, time.milliseconds());
      throttledBytes += bytes;
    }
  }

  /** Bytes counted against the throttle so far (for metrics and tests). */
  public long throttledBytes() {
    return throttledBytes;
  }

  /** The measured rate of throttled replication, bytes per second. */
  public double rate() {
    return rate.ratePerSecond(time.milliseconds());
  }
}
