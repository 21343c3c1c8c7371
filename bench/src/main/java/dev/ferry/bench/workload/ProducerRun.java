package dev.ferry.bench.workload;

import dev.ferry.bench.Progress;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * Sends a fixed number of messages as fast as the broker acknowledges them. At most {@code window}
 * messages are unacknowledged at any time, so the load generator's memory stays bounded and a slow
 * broker slows the sender instead of piling up a backlog. A time cap stops sending early; the
 * throughput is then computed over what was acknowledged.
 */
public final class ProducerRun {

  private static final long DRAIN_TIMEOUT_SECONDS = 120;

  private ProducerRun() {}

  /** What a producer run achieved. */
  public record Result(
      long acked,
      long failed,
      double seconds,
      double recordsPerRequest,
      double compressionRate,
      boolean capped,
      String firstError) {

    public double messagesPerSecond() {
      return acked / seconds;
    }
  }

  public static Result run(
      Properties config,
      String topic,
      long messages,
      Payloads payloads,
      int window,
      Duration maxTime,
      Progress progress,
      String label)
      throws InterruptedException {
    return run(config, topic, 0, messages, payloads, window, maxTime, progress, label);
  }

  /**
   * As above; with {@code spreadOver} > 0, message i goes to partition i mod spreadOver, so every
   * partition of the topic gets an equal share; 0 leaves the choice to the client's partitioner
   * (sticky for unkeyed records).
   */
  public static Result run(
      Properties config,
      String topic,
      int spreadOver,
      long messages,
      Payloads payloads,
      int window,
      Duration maxTime,
      Progress progress,
      String label)
      throws InterruptedException {
    Semaphore inFlight = new Semaphore(window);
    AtomicLong acked = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicReference<String> firstError = new AtomicReference<>();
    boolean capped = false;
    long start;
    long end;
    double recordsPerRequest;
    double compressionRate;
    Progress.Ticker ticker = progress.track(label, acked::get, messages);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(config)) {
      start = System.nanoTime();
      long stopAt = start + maxTime.toNanos();
      for (long i = 0; i < messages; i++) {
        if ((i & 63) == 0 && System.nanoTime() > stopAt) {
          capped = true;
          break;
        }
        if (!inFlight.tryAcquire(DRAIN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
          throw new IllegalStateException(label + ": no acknowledgement for a long time");
        }
        producer.send(
            spreadOver > 0
                ? new ProducerRecord<>(topic, (int) (i % spreadOver), null, payloads.get(i))
                : new ProducerRecord<>(topic, payloads.get(i)),
            (metadata, exception) -> {
              if (exception == null) {
                acked.incrementAndGet();
              } else {
                failed.incrementAndGet();
                firstError.compareAndSet(null, exception.toString());
              }
              inFlight.release();
            });
      }
      producer.flush();
      if (!inFlight.tryAcquire(window, DRAIN_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        throw new IllegalStateException(label + ": outstanding messages never acknowledged");
      }
      end = System.nanoTime();
      recordsPerRequest = metric(producer.metrics(), "records-per-request-avg");
      compressionRate = metric(producer.metrics(), "compression-rate-avg");
    } finally {
      ticker.close();
    }
    return new Result(
        acked.get(),
        failed.get(),
        (end - start) / 1e9,
        recordsPerRequest,
        compressionRate,
        capped,
        firstError.get());
  }

  static double metric(Map<MetricName, ? extends Metric> metrics, String name) {
    for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
      if (e.getKey().name().equals(name) && e.getKey().group().equals("producer-metrics")) {
        Object value = e.getValue().metricValue();
        return value instanceof Number ? ((Number) value).doubleValue() : Double.NaN;
      }
    }
    return Double.NaN;
  }
}
