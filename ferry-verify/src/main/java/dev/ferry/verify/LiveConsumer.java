package dev.ferry.verify;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link WorkloadChecker}'s consumer that reads along during the run: from the beginning of
 * every partition, recording what it saw at which offset ({@link PartitionHistory}), and once a
 * second committing its position in a group of its own and reading the commits back ({@link
 * CommittedOffsets}: they must never go backwards). One thread, {@code workload-live-consumer}.
 */
final class LiveConsumer {

  private static final Logger log = LoggerFactory.getLogger(LiveConsumer.class);

  /** How often the position is committed and the commits read back. */
  private static final Duration COMMIT_EVERY = Duration.ofSeconds(1);

  private final TopicReader reader;
  private final PartitionHistory[] histories;
  private final CommittedOffsets committedOffsets;
  private final String groupPrefix;
  private final Function<Map<String, Object>, KafkaConsumer<byte[], byte[]>> consumers;
  private final AtomicBoolean stopping = new AtomicBoolean();
  private volatile KafkaConsumer<byte[], byte[]> consumer;
  private Thread thread;

  /**
   * @param groupName names the consumer group (with a unique suffix)
   * @param consumers makes the consumer from the group setting it must carry
   */
  LiveConsumer(
      TopicReader reader,
      int partitions,
      String groupName,
      Function<Map<String, Object>, KafkaConsumer<byte[], byte[]>> consumers) {
    this.reader = reader;
    this.histories = reader.emptyHistories();
    this.committedOffsets = new CommittedOffsets(partitions);
    this.groupPrefix = "ferry-verify-live-" + groupName + "-";
    this.consumers = consumers;
  }

  void start() {
    thread = new Thread(this::run, "workload-live-consumer");
    thread.setDaemon(true);
    thread.start();
  }

  /** What was read, by partition (empty histories if it never ran). */
  PartitionHistory[] histories() {
    return histories;
  }

  CommittedOffsets committedOffsets() {
    return committedOffsets;
  }

  /** Distinct offsets read so far. */
  long records() {
    long n = 0;
    for (PartitionHistory h : histories) {
      n += h.records();
    }
    return n;
  }

  /** Stops reading and waits (at most 30 s) for the thread to end; safe to call more than once. */
  void stop() throws InterruptedException {
    stopping.set(true);
    KafkaConsumer<byte[], byte[]> c = consumer;
    if (c != null) {
      c.wakeup();
    }
    if (thread != null) {
      thread.join(30_000);
    }
  }

  private void run() {
    Map<String, Object> group =
        Map.of(ConsumerConfig.GROUP_ID_CONFIG, groupPrefix + Long.toHexString(System.nanoTime()));
    try (KafkaConsumer<byte[], byte[]> c = consumers.apply(group)) {
      consumer = c;
      c.assign(reader.partitions());
      c.seekToBeginning(reader.partitions());
      long nextCommit = System.nanoTime();
      while (!stopping.get()) {
        try {
          for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(200))) {
            histories[r.partition()].observe(r.offset(), reader.idOf(r));
          }
          if (System.nanoTime() - nextCommit > 0) {
            nextCommit = System.nanoTime() + COMMIT_EVERY.toNanos();
            commitAndReadBack(c);
          }
        } catch (WakeupException e) {
          break;
        } catch (KafkaException e) {
          // Broker restarting: the client reconnects by itself; keep polling.
          log.debug("Live consumer: {}", e.toString());
        }
      }
    } catch (RuntimeException e) {
      log.error("Live consumer died", e);
    }
  }

  private void commitAndReadBack(KafkaConsumer<byte[], byte[]> c) {
    Map<TopicPartition, OffsetAndMetadata> positions = new HashMap<>();
    for (TopicPartition tp : reader.partitions()) {
      positions.put(tp, new OffsetAndMetadata(c.position(tp, Duration.ofSeconds(5))));
    }
    c.commitSync(positions, Duration.ofSeconds(5));
    Map<TopicPartition, OffsetAndMetadata> committed =
        c.committed(positions.keySet(), Duration.ofSeconds(5));
    for (Map.Entry<TopicPartition, OffsetAndMetadata> e : committed.entrySet()) {
      if (e.getValue() != null) {
        committedOffsets.observe(e.getKey().partition(), e.getValue().offset());
      }
    }
  }
}
