package dev.ferry.bench.workload;

import dev.ferry.bench.Progress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * End-to-end latency at a fixed offered load: a paced producer and a consumer in this JVM, so both
 * ends read the same monotonic clock. Each message carries the time it was <em>scheduled</em> to be
 * sent, not the time it was sent: if the producer falls behind (broker back-pressure), the delay
 * counts against the broker instead of silently lowering the load (no coordinated omission).
 * Messages scheduled during the warm-up are read but not recorded.
 */
public final class LatencyRun {

  private static final long MAX_LATENCY_MICROS = TimeUnit.SECONDS.toMicros(60);
  private static final Duration POLL = Duration.ofMillis(100);
  private static final long DRAIN_SECONDS = 15;

  private LatencyRun() {}

  /** Latencies of the measured window, in microseconds. */
  public record Result(
      Histogram latencyMicros, double offeredRate, long sent, long received, long failed) {}

  public static Result run(
      Properties producerConfig,
      Properties consumerConfig,
      String topic,
      int partitions,
      double rate,
      Payloads payloads,
      Duration warmup,
      Duration measure,
      Progress progress,
      String label)
      throws InterruptedException {
    Histogram histogram = new Histogram(MAX_LATENCY_MICROS, 3);
    AtomicLong received = new AtomicLong();
    AtomicLong sent = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicReference<Throwable> consumerError = new AtomicReference<>();
    CountDownLatch consumerReady = new CountDownLatch(1);
    long intervalNanos = (long) (1e9 / rate);
    long[] measureFrom = {Long.MAX_VALUE};
    boolean[] producing = {true};
    Object lock = new Object();

    Thread consumerThread =
        new Thread(
            () -> {
              try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig)) {
                List<TopicPartition> assignment = new ArrayList<>();
                for (int p = 0; p < partitions; p++) {
                  assignment.add(new TopicPartition(topic, p));
                }
                consumer.assign(assignment);
                consumer.seekToEnd(assignment);
                assignment.forEach(consumer::position); // resolve now, not at the first poll
                consumerReady.countDown();
                long drainDeadline = Long.MAX_VALUE;
                while (System.nanoTime() < drainDeadline) {
                  for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                    long now = System.nanoTime();
                    long scheduled = ByteBuffer.wrap(record.value()).getLong(0);
                    long from;
                    synchronized (lock) {
                      from = measureFrom[0];
                    }
                    if (scheduled >= from) {
                      histogram.recordValue(
                          Math.min(MAX_LATENCY_MICROS, Math.max(0, (now - scheduled) / 1000)));
                    }
                    received.incrementAndGet();
                  }
                  synchronized (lock) {
                    if (!producing[0] && drainDeadline == Long.MAX_VALUE) {
                      drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DRAIN_SECONDS);
                    }
                  }
                  if (drainDeadline != Long.MAX_VALUE
                      && received.get() >= sent.get() - failed.get()) {
                    break;
                  }
                }
              } catch (RuntimeException e) {
                consumerError.set(e);
                consumerReady.countDown();
              }
            },
            "bench-latency-consumer");
    consumerThread.setDaemon(true);
    consumerThread.start();
    if (!consumerReady.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException(label + ": consumer not ready in 60 s");
    }
    if (consumerError.get() != null) {
      throw new IllegalStateException(label + ": consumer failed", consumerError.get());
    }

    long total = (long) (rate * (warmup.toNanos() + measure.toNanos()) / 1e9);
    Progress.Ticker ticker = progress.track(label, received::get, total);
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig)) {
      long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
      synchronized (lock) {
        measureFrom[0] = start + warmup.toNanos();
      }
      for (long i = 0; i < total; i++) {
        long scheduled = start + i * intervalNanos;
        waitUntil(scheduled);
        byte[] value = payloads.get(i).clone();
        ByteBuffer.wrap(value).putLong(0, scheduled);
        producer.send(
            new ProducerRecord<>(topic, value),
            (metadata, exception) -> {
              if (exception != null) {
                failed.incrementAndGet();
              }
            });
        sent.incrementAndGet();
      }
      producer.flush();
    } finally {
      ticker.close();
      synchronized (lock) {
        producing[0] = false;
      }
      consumerThread.join(TimeUnit.SECONDS.toMillis(DRAIN_SECONDS + 10));
      if (consumerThread.isAlive()) {
        consumerThread.interrupt();
      }
    }
    if (consumerError.get() != null) {
      throw new IllegalStateException(label + ": consumer failed", consumerError.get());
    }
    double offered = sent.get() / ((warmup.toNanos() + measure.toNanos()) / 1e9);
    return new Result(histogram, offered, sent.get(), received.get(), failed.get());
  }

  /**
   * Parks until the deadline. Never spins: on a 2-core machine a spinning load generator would take
   * a core from the broker. parkNanos overshoots by tens of microseconds; messages that fall due
   * meanwhile go out in a short burst, and their wait counts in their latency.
   */
  private static void waitUntil(long deadline) {
    long remaining;
    while ((remaining = deadline - System.nanoTime()) > 0) {
      LockSupport.parkNanos(remaining);
    }
  }
}
