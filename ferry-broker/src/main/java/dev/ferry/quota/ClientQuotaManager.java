package dev.ferry.quota;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.utils.Time;

/**
 * One kind of client quota on this broker ({@code producer_byte_rate}, {@code consumer_byte_rate}
 * or {@code request_percentage}): what a client uses is charged to the entity its quota belongs to,
 * and a client that has used more than its quota is told to back off for exactly the time its quota
 * takes to pay the excess back; the broker mutes its connection for that long (KIP-219).
 *
 * <p>The budget is a token bucket holding at most one second of quota (the same idea as Kafka's
 * {@code controller_mutation_rate}, KIP-599). Kafka measures byte rates over eleven one-second
 * samples instead, which lets a client burst up to ten seconds of quota each time an old sample
 * expires; the bucket holds any window of T seconds to (T + 1) seconds of quota. The rate over the
 * samples is still kept, for metrics.
 *
 * <p>Clients without a quota are not measured at all.
 */
public final class ClientQuotaManager {

  /** Kafka's {@code quota.window.num} and {@code quota.window.size.seconds}. */
  static final int SAMPLES = 11;

  static final long SAMPLE_MS = 1_000;

  private final String key;
  private final ClientQuotaConfigs configs;
  private final Time time;
  private final Map<String, Sensor> sensors = new ConcurrentHashMap<>();

  /** The measured rate of one quota entity, with what it cost its clients. */
  public static final class Sensor {
    final SampledRate rate = new SampledRate(SAMPLES, SAMPLE_MS);
    final LongAdder throttleTimeMs = new LongAdder();
    final LongAdder throttledResponses = new LongAdder();
    volatile double limit;

    // The token bucket, guarded by this.
    private double tokens = Double.NaN;
    private long lastMs;

    /** Charges {@code value}; returns the ms until the bucket is out of debt (0 if it is not). */
    synchronized long charge(double value, double limitPerSecond, long nowMs) {
      double capacity = limitPerSecond; // one second of quota
      if (Double.isNaN(tokens)) {
        tokens = capacity;
      } else {
        tokens = Math.min(capacity, tokens + (nowMs - lastMs) / 1000.0 * limitPerSecond);
      }
      lastMs = nowMs;
      tokens -= value;
      if (tokens >= 0) {
        return 0;
      }
      return limitPerSecond <= 0
          ? Long.MAX_VALUE
          : (long) Math.ceil(-tokens / limitPerSecond * 1000);
    }

    synchronized void refund(double value) {
      if (!Double.isNaN(tokens)) {
        tokens += value;
      }
    }

    public double rate(long nowMs) {
      return rate.ratePerSecond(nowMs);
    }

    public long throttleTimeMs() {
      return throttleTimeMs.sum();
    }

    public double limit() {
      return limit;
    }
  }

  /**
   * @param key the quota config this manager enforces, e.g. {@code producer_byte_rate}
   */
  public ClientQuotaManager(String key, ClientQuotaConfigs configs, Time time) {
    this.key = key;
    this.configs = configs;
    this.time = time;
  }

  public String key() {
    return key;
  }

  /**
   * Records {@code value} (bytes, or ms of broker time) used by a client and returns how long it
   * must be throttled, 0 if it is within its quota or has none.
   */
  public int recordAndGetThrottleTimeMs(String user, String clientId, double value) {
    ClientQuotaConfigs.Resolved quota = configs.resolve(user, clientId, key);
    if (quota == null) {
      return 0;
    }
    Sensor sensor = sensors.computeIfAbsent(quota.sensorKey(), k -> new Sensor());
    sensor.limit = quota.limit();
    long now = time.milliseconds();
    sensor.rate.record(value, now);
    long throttle = Math.min(SAMPLES * SAMPLE_MS, sensor.charge(value, quota.limit(), now));
    if (throttle <= 0) {
      return 0;
    }
    sensor.throttleTimeMs.add(throttle);
    sensor.throttledResponses.increment();
    return (int) throttle;
  }

  /** Takes back a recorded value (a fetch answered empty because it was throttled). */
  public void unrecord(String user, String clientId, double value) {
    ClientQuotaConfigs.Resolved quota = configs.resolve(user, clientId, key);
    if (quota != null) {
      Sensor sensor = sensors.get(quota.sensorKey());
      if (sensor != null) {
        sensor.rate.record(-value, time.milliseconds());
        sensor.refund(value);
      }
    }
  }

  /** The measured entities by sensor key ({@code client-id=..,user=..}), for metrics. */
  public Map<String, Sensor> sensors() {
    return sensors;
  }

  public long nowMs() {
    return time.milliseconds();
  }
}
