package dev.ferry.bench.workload;

import dev.ferry.bench.Progress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads a topic back from offset 0 as fast as the broker serves it, and checks what it reads: every
 * partition's offsets must run 0, 1, 2… without a gap and every value must have the size that was
 * written. A broker that loses or reorders data does not get a throughput figure.
 */
public final class ConsumerRun {

  private static final Duration POLL = Duration.ofMillis(200);

  private ConsumerRun() {}

  /** What a consumer run read. */
  public record Result(
      long messages,
      long bytes,
      double seconds,
      boolean capped,
      long anomalies,
      String firstAnomaly) {

    public double messagesPerSecond() {
      return messages / seconds;
    }
  }

  public static Result run(
      Properties config,
      String topic,
      int partitions,
      long expected,
      int valueSize,
      Duration maxTime,
      Progress progress,
      String label) {
    List<TopicPartition> assignment = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      assignment.add(new TopicPartition(topic, p));
    }
    long[] nextOffset = new long[partitions];
    long count = 0;
    long bytes = 0;
    long anomalies = 0;
    String firstAnomaly = null;
    AtomicLong read = new AtomicLong();
    Progress.Ticker ticker = progress.track(label, read::get, expected);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config)) {
      consumer.assign(assignment);
      consumer.seekToBeginning(assignment);
      long start = System.nanoTime();
      long stopAt = start + maxTime.toNanos();
      while (count < expected && System.nanoTime() < stopAt) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(POLL);
        for (ConsumerRecord<byte[], byte[]> record : records) {
          int p = record.partition();
          if (record.offset() != nextOffset[p] || record.value().length != valueSize) {
            anomalies++;
            if (firstAnomaly == null) {
              firstAnomaly =
                  String.format(
                      "partition %d: expected offset %d size %d, got offset %d size %d",
                      p, nextOffset[p], valueSize, record.offset(), record.value().length);
            }
          }
          nextOffset[p] = record.offset() + 1;
          bytes += record.value().length;
          count++;
        }
        read.set(count);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      return new Result(count, bytes, seconds, count < expected, anomalies, firstAnomaly);
    } finally {
      ticker.close();
    }
  }
}
