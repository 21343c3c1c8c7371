package dev.ferry.console.kafka;

import dev.ferry.console.decode.ValueDecoder;
import dev.ferry.console.decode.ValueDecoder.Decoded;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.header.Header;

/**
 * The message browser: reads records of one topic (one partition or all) with a consumer that has
 * no group (nothing committed), from the newest N back, from an offset, or from a time. Each read
 * is bounded in records, in bytes fetched and in time.
 */
public final class MessageBrowser {

  /** Where to start reading. */
  public enum Mode {
    NEWEST,
    OFFSET,
    TIME
  }

  /**
   * @param partition one partition, or null for all
   * @param from the offset (OFFSET) or the epoch milliseconds (TIME)
   */
  public record Query(
      String topic,
      Integer partition,
      Mode mode,
      long from,
      int limit,
      ValueDecoder.Format format) {}

  public record HeaderValue(String key, Decoded value) {}

  public record Message(
      int partition,
      long offset,
      long timestamp,
      String timestampType,
      Decoded key,
      Decoded value,
      List<HeaderValue> headers) {}

  public record Page(String topic, List<Integer> partitions, List<Message> messages) {}

  private final ClientFactory clients;
  private final ValueDecoder decoder;
  private final int maxRecords;
  private final long timeoutMs;

  public MessageBrowser(
      ClientFactory clients, ValueDecoder decoder, int maxRecords, long timeoutMs) {
    this.clients = clients;
    this.decoder = decoder;
    this.maxRecords = maxRecords;
    this.timeoutMs = timeoutMs;
  }

  public Page read(Credentials who, Query q) {
    int limit = Math.max(1, Math.min(q.limit(), maxRecords));
    try (KafkaConsumer<byte[], byte[]> consumer = clients.consumer(who, limit)) {
      Duration timeout = Duration.ofMillis(timeoutMs);
      List<PartitionInfo> infos = consumer.partitionsFor(q.topic(), timeout);
      if (infos == null || infos.isEmpty()) {
        throw new UnknownTopicOrPartitionException("Topic " + q.topic() + " not found");
      }
      List<Integer> all = infos.stream().map(PartitionInfo::partition).sorted().toList();
      List<TopicPartition> partitions = new ArrayList<>();
      for (int p : all) {
        if (q.partition() == null || q.partition() == p) {
          partitions.add(new TopicPartition(q.topic(), p));
        }
      }
      if (partitions.isEmpty()) {
        throw new InvalidRequestException(
            "Topic " + q.topic() + " has no partition " + q.partition());
      }
      consumer.assign(partitions);
      Map<TopicPartition, Long> begin = consumer.beginningOffsets(partitions, timeout);
      Map<TopicPartition, Long> end = consumer.endOffsets(partitions, timeout);
      Map<TopicPartition, Long> start = starts(consumer, q, limit, partitions, begin, end, timeout);
      // Per partition, read at most `limit` records and never past the end seen now.
      Map<TopicPartition, Long> stop = new HashMap<>();
      for (TopicPartition tp : partitions) {
        long s = start.get(tp);
        stop.put(tp, Math.min(end.get(tp), s + limit));
        consumer.seek(tp, s);
      }
      List<Message> out = new ArrayList<>();
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!done(consumer, stop, partitions) && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          TopicPartition tp = new TopicPartition(r.topic(), r.partition());
          if (r.offset() < stop.get(tp)) {
            out.add(message(r, q.format(), who));
          }
        }
      }
      // Newest first when reading back from the end; oldest first from an offset or a time.
      Comparator<Message> byTime =
          Comparator.comparingLong(Message::timestamp)
              .thenComparingInt(Message::partition)
              .thenComparingLong(Message::offset);
      out.sort(q.mode() == Mode.NEWEST ? byTime.reversed() : byTime);
      return new Page(q.topic(), all, out.size() > limit ? out.subList(0, limit) : out);
    }
  }

  private static Map<TopicPartition, Long> starts(
      KafkaConsumer<byte[], byte[]> consumer,
      Query q,
      int limit,
      List<TopicPartition> partitions,
      Map<TopicPartition, Long> begin,
      Map<TopicPartition, Long> end,
      Duration timeout) {
    Map<TopicPartition, Long> start = new HashMap<>();
    switch (q.mode()) {
      case NEWEST ->
          partitions.forEach(tp -> start.put(tp, Math.max(begin.get(tp), end.get(tp) - limit)));
      case OFFSET ->
          partitions.forEach(
              tp -> start.put(tp, Math.max(begin.get(tp), Math.min(end.get(tp), q.from()))));
      case TIME -> {
        Map<TopicPartition, Long> times = new HashMap<>();
        partitions.forEach(tp -> times.put(tp, q.from()));
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(times, timeout);
        for (TopicPartition tp : partitions) {
          OffsetAndTimestamp o = found.get(tp);
          start.put(tp, o == null ? end.get(tp) : o.offset());
        }
      }
    }
    return start;
  }

  private static boolean done(
      KafkaConsumer<byte[], byte[]> consumer,
      Map<TopicPartition, Long> stop,
      List<TopicPartition> partitions) {
    for (TopicPartition tp : partitions) {
      if (consumer.position(tp) < stop.get(tp)) {
        return false;
      }
    }
    return true;
  }

  private Message message(
      ConsumerRecord<byte[], byte[]> r, ValueDecoder.Format f, Credentials who) {
    List<HeaderValue> headers = new ArrayList<>();
    for (Header h : r.headers()) {
      headers.add(
          new HeaderValue(h.key(), decoder.decode(h.value(), ValueDecoder.Format.AUTO, who)));
    }
    return new Message(
        r.partition(),
        r.offset(),
        r.timestamp(),
        r.timestampType().name,
        decoder.decode(r.key(), ValueDecoder.Format.AUTO, who),
        decoder.decode(r.value(), f, who),
        headers);
  }
}
