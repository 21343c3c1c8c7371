package dev.ferry.bench.connections;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The active part of the many-connections workload: {@code pairs} producers and as many consumers,
 * each producer writing to a partition of its own that one consumer reads (so 2 × pairs busy
 * connections). Records are 200 bytes; the first 8 carry the scheduled send time, so latency is
 * receive − scheduled (no coordinated omission). Two phases per measurement: paced (a fixed total
 * rate, spread round-robin) for end-to-end latency, and unpaced (a bounded window of unacknowledged
 * records) for throughput.
 */
final class ActiveClients implements AutoCloseable {

  /** What one measurement saw. */
  record Result(
      double pacedRate,
      double deliveredPerSecond,
      double p50Ms,
      double p99Ms,
      double p999Ms,
      double maxMs,
      double maxThroughput) {}

  private static final int RECORD_BYTES = 200;
  private static final int WINDOW = 5_000;

  private final String topic;
  private final List<KafkaProducer<byte[], byte[]>> producers = new ArrayList<>();
  private final List<KafkaConsumer<byte[], byte[]>> consumers = new ArrayList<>();
  private final List<Thread> pollers = new ArrayList<>();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final Recorder latency = new Recorder(TimeUnit.SECONDS.toNanos(60), 3);
  private final AtomicLong delivered = new AtomicLong();

  ActiveClients(String bootstrap, String topic, int pairs) {
    this.topic = topic;
    for (int i = 0; i < pairs; i++) {
      producers.add(new KafkaProducer<>(producerConfig(bootstrap, i)));
      KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig(bootstrap, i));
      TopicPartition tp = new TopicPartition(topic, i);
      consumer.assign(List.of(tp));
      consumer.seekToEnd(List.of(tp));
      consumer.position(tp);
      consumers.add(consumer);
    }
    for (KafkaConsumer<byte[], byte[]> consumer : consumers) {
      Thread t = new Thread(() -> poll(consumer), "bench-active-consumer");
      t.setDaemon(true);
      pollers.add(t);
      t.start();
    }
  }

  private static Properties producerConfig(String bootstrap, int i) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    p.put(ProducerConfig.ACKS_CONFIG, "1");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
    p.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-active-producer-" + i);
    return p;
  }

  private static Properties consumerConfig(String bootstrap, int i) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-active-consumer-" + i);
    return p;
  }

  private void poll(KafkaConsumer<byte[], byte[]> consumer) {
    try {
      while (running.get()) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          long sent = ByteBuffer.wrap(r.value()).getLong();
          latency.recordValue(Math.max(0, System.nanoTime() - sent));
          delivered.incrementAndGet();
        }
      }
    } catch (org.apache.kafka.common.errors.WakeupException e) {
      // closing
    }
  }

  /**
   * Paced phase: {@code rate} records/s in total for {@code warmup} (not counted) then {@code
   * measured}; then an unpaced phase of {@code maxSeconds} for throughput.
   */
  Result measure(double rate, Duration warmup, Duration measured, Duration max)
      throws InterruptedException {
    paced(rate, warmup);
    latency.reset();
    long deliveredBefore = delivered.get();
    long start = System.nanoTime();
    paced(rate, measured);
    // Let the last records arrive (bounded) before reading the histogram.
    long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    long expected = deliveredBefore + Math.round(rate * measured.toNanos() / 1e9) - 1;
    while (delivered.get() < expected && System.nanoTime() < drainDeadline) {
      Thread.sleep(10);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Histogram h = latency.getIntervalHistogram();
    double deliveredRate = (delivered.get() - deliveredBefore) / Math.max(seconds, 1e-9);
    double maxRate = unpaced(max);
    return new Result(
        rate,
        deliveredRate,
        h.getValueAtPercentile(50) / 1e6,
        h.getValueAtPercentile(99) / 1e6,
        h.getValueAtPercentile(99.9) / 1e6,
        h.getMaxValue() / 1e6,
        maxRate);
  }

  private void paced(double rate, Duration length) {
    long intervalNanos = Math.round(1e9 / rate);
    long start = System.nanoTime();
    long end = start + length.toNanos();
    long n = 0;
    while (true) {
      long scheduled = start + n * intervalNanos;
      if (scheduled >= end) {
        return;
      }
      long wait = scheduled - System.nanoTime();
      if (wait > 50_000) {
        LockSupport.parkNanos(wait);
      }
      int i = (int) (n % producers.size());
      producers.get(i).send(new ProducerRecord<>(topic, i, null, payload(scheduled)));
      n++;
    }
  }

  /** Acknowledged records/s with at most {@link #WINDOW} unacknowledged. */
  private double unpaced(Duration length) throws InterruptedException {
    Semaphore window = new Semaphore(WINDOW);
    AtomicLong acked = new AtomicLong();
    long start = System.nanoTime();
    long end = start + length.toNanos();
    long n = 0;
    while (System.nanoTime() < end) {
      if (!window.tryAcquire(1, TimeUnit.SECONDS)) {
        continue;
      }
      int i = (int) (n++ % producers.size());
      producers
          .get(i)
          .send(
              new ProducerRecord<>(topic, i, null, payload(System.nanoTime())),
              (md, e) -> {
                window.release();
                if (e == null) {
                  acked.incrementAndGet();
                }
              });
    }
    long ackedAtEnd = acked.get();
    double seconds = (System.nanoTime() - start) / 1e9;
    // Drain (bounded) so the next phase starts from an empty window.
    window.tryAcquire(WINDOW, 30, TimeUnit.SECONDS);
    return ackedAtEnd / seconds;
  }

  private static byte[] payload(long nanos) {
    byte[] value = new byte[RECORD_BYTES];
    ByteBuffer.wrap(value).putLong(nanos);
    return value;
  }

  int connections() {
    return producers.size() + consumers.size();
  }

  @Override
  public void close() {
    running.set(false);
    for (KafkaConsumer<byte[], byte[]> c : consumers) {
      c.wakeup();
    }
    for (Thread t : pollers) {
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    for (KafkaConsumer<byte[], byte[]> c : consumers) {
      c.close(Duration.ofSeconds(2));
    }
    for (KafkaProducer<byte[], byte[]> p : producers) {
      p.close(Duration.ofSeconds(5));
    }
  }
}
