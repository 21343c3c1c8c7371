package dev.ferry.bench.workload;

import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaShareConsumer;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * One share group (KIP-932) of {@code consumers} {@link KafkaShareConsumer}s, each on a thread of
 * its own, reading a topic that already holds {@code expected} records until the group has seen
 * every one of them (or a time cap). The group is new and gets {@code
 * share.auto.offset.reset=earliest} (a group config) first, so it starts at offset 0.
 *
 * <p>Two ways to acknowledge, as an application would:
 *
 * <ul>
 *   <li>{@link Mode#IMPLICIT}: the client default; each poll accepts the previous poll's records,
 *       the acknowledgements ride on the next ShareFetch. Throughput only.
 *   <li>{@link Mode#SYNC}: {@code share.acknowledgement.mode=explicit}, every record accepted and
 *       {@code commitSync()} after every poll (at-least-once processing that waits for the broker
 *       to confirm): the time of each commitSync is the acknowledge latency.
 * </ul>
 *
 * <p>Every delivery is checked against a per-partition bitmap of offsets: the run reports how many
 * distinct records arrived and how many deliveries were repeats (0 in a healthy run: nothing is
 * released or times out).
 */
public final class ShareConsumerRun {

  /** How records are acknowledged. */
  public enum Mode {
    IMPLICIT,
    SYNC
  }

  /**
   * What one run saw.
   *
   * @param distinct records delivered at least once
   * @param repeats deliveries of a record already delivered
   * @param doubleFirst repeats with delivery count 1: the record was acquired by two members at
   *     once, not released and delivered again (a broker bug)
   * @param seconds first record received to the last new one (group join excluded)
   * @param ackMicros commitSync latencies (empty for IMPLICIT)
   */
  public record Result(
      long distinct, long repeats, long doubleFirst, double seconds, Histogram ackMicros) {
    public double recordsPerSecond() {
      return distinct / seconds;
    }
  }

  private static final Duration POLL = Duration.ofMillis(200);
  private static final long CLOSE_TIMEOUT_SECONDS = 30;
  private static final long JOIN_TIMEOUT_SECONDS = 120;

  private ShareConsumerRun() {}

  /** Sets {@code share.auto.offset.reset=earliest} on a group before any member joins. */
  public static void earliest(String bootstrap, String groupId) throws Exception {
    try (Admin admin = Topics.admin(bootstrap)) {
      admin
          .incrementalAlterConfigs(
              Map.of(
                  new ConfigResource(ConfigResource.Type.GROUP, groupId),
                  List.of(
                      new AlterConfigOp(
                          new ConfigEntry("share.auto.offset.reset", "earliest"),
                          AlterConfigOp.OpType.SET))))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  /**
   * Runs the group until it has seen {@code expected} distinct records of {@code topic} ({@code
   * partitions} partitions) or {@code maxSeconds} passed since the first record arrived, then
   * closes the consumers.
   */
  public static Result run(
      String bootstrap,
      String topic,
      int partitions,
      String groupId,
      int consumers,
      Mode mode,
      long expected,
      int maxSeconds)
      throws Exception {
    earliest(bootstrap, groupId);
    BitSet[] seen = new BitSet[partitions];
    for (int p = 0; p < partitions; p++) {
      seen[p] = new BitSet();
    }
    AtomicLong distinct = new AtomicLong();
    AtomicLong repeats = new AtomicLong();
    AtomicLong doubleFirst = new AtomicLong();
    AtomicLong firstNanos = new AtomicLong();
    AtomicLong lastNanos = new AtomicLong();
    AtomicBoolean done = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Histogram ack = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < consumers; i++) {
      Thread t =
          new Thread(
              () -> {
                try (KafkaShareConsumer<byte[], byte[]> consumer =
                    new KafkaShareConsumer<>(config(bootstrap, groupId, mode))) {
                  consumer.subscribe(List.of(topic));
                  Histogram mine = new Histogram(TimeUnit.SECONDS.toMicros(60), 3);
                  while (!done.get()) {
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
                    if (records.isEmpty()) {
                      continue;
                    }
                    long now = System.nanoTime();
                    firstNanos.compareAndSet(0, now);
                    long fresh = 0;
                    for (ConsumerRecord<byte[], byte[]> r : records) {
                      BitSet bits = seen[r.partition()];
                      boolean repeat;
                      synchronized (bits) {
                        int offset = Math.toIntExact(r.offset());
                        repeat = bits.get(offset);
                        bits.set(offset);
                      }
                      if (repeat) {
                        repeats.incrementAndGet();
                        if (r.deliveryCount().orElse((short) 0) <= 1) {
                          // The same first delivery twice: two members held the record at once.
                          doubleFirst.incrementAndGet();
                        }
                      } else {
                        fresh++;
                      }
                      if (mode == Mode.SYNC) {
                        consumer.acknowledge(r);
                      }
                    }
                    if (mode == Mode.SYNC) {
                      long c0 = System.nanoTime();
                      consumer.commitSync();
                      mine.recordValue(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - c0));
                    }
                    if (fresh > 0) {
                      lastNanos.accumulateAndGet(System.nanoTime(), Math::max);
                      if (distinct.addAndGet(fresh) >= expected) {
                        done.set(true);
                      }
                    }
                  }
                  synchronized (ack) {
                    ack.add(mine);
                  }
                  // close() sends only acknowledgements already made; in implicit mode the last
                  // poll's records are acknowledged by the next poll or a commit, so without this
                  // close releases them and another member gets them again.
                  consumer.commitSync();
                  consumer.close(Duration.ofSeconds(CLOSE_TIMEOUT_SECONDS));
                } catch (Throwable e) {
                  failure.compareAndSet(null, e);
                  done.set(true);
                }
              },
              "share-bench-" + i);
      threads.add(t);
      t.start();
    }
    // The first group of a broker run may wait for the internal topics to be created (Kafka
    // creates __consumer_offsets and __share_group_state on first use): set-up, not the workload.
    long joinDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(JOIN_TIMEOUT_SECONDS);
    while (!done.get()) {
      long first = firstNanos.get();
      long now = System.nanoTime();
      if (first == 0 ? now > joinDeadline : now - first > TimeUnit.SECONDS.toNanos(maxSeconds)) {
        break;
      }
      Thread.sleep(20);
    }
    done.set(true);
    for (Thread t : threads) {
      t.join(TimeUnit.SECONDS.toMillis(CLOSE_TIMEOUT_SECONDS + 10));
      if (t.isAlive()) {
        throw new TimeoutException(t.getName() + " did not stop");
      }
    }
    if (failure.get() != null) {
      throw new IllegalStateException("share consumer failed", failure.get());
    }
    if (distinct.get() == 0) {
      throw new IllegalStateException("no record delivered in " + JOIN_TIMEOUT_SECONDS + " s");
    }
    double seconds = (lastNanos.get() - firstNanos.get()) / 1e9;
    return new Result(distinct.get(), repeats.get(), doubleFirst.get(), seconds, ack);
  }

  private static Map<String, Object> config(String bootstrap, String groupId, Mode mode) {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
    c.put(
        ConsumerConfig.SHARE_ACKNOWLEDGEMENT_MODE_CONFIG,
        mode == Mode.SYNC ? "explicit" : "implicit");
    return c;
  }
}
