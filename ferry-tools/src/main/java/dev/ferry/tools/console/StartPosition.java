package dev.ferry.tools.console;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;

/** Where a consumer without a group starts reading: the end, the beginning, an offset or a time. */
final class StartPosition {

  private StartPosition() {}

  /** Milliseconds since the epoch from either a number or an ISO-8601 instant. */
  static long parseTimestamp(String text) {
    try {
      return Long.parseLong(text);
    } catch (NumberFormatException notANumber) {
      try {
        return Instant.parse(text).toEpochMilli();
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException(
            "--from-timestamp expects epoch milliseconds or an ISO-8601 instant "
                + "(2024-01-31T12:00:00Z), got '"
                + text
                + "'");
      }
    }
  }

  /**
   * Seeks every partition to its first record at or after {@code timestamp}; partitions with no
   * such record go to their end (only new records will be read).
   */
  static void seekToTimestamp(
      Consumer<?, ?> consumer, Collection<TopicPartition> partitions, long timestamp) {
    Map<TopicPartition, Long> query = new HashMap<>();
    partitions.forEach(tp -> query.put(tp, timestamp));
    Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
    for (TopicPartition tp : partitions) {
      OffsetAndTimestamp at = found.get(tp);
      if (at == null) {
        consumer.seekToEnd(java.util.List.of(tp));
      } else {
        consumer.seek(tp, at.offset());
      }
    }
  }
}
