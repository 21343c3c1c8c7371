package dev.ferry.replication;

/**
 * The answer to a ListOffsets lookup on a leader: the offset (and the timestamp of the record found
 * there, or -1) at the leader epoch the lookup ran under. Offset -1 means no such record.
 */
public record OffsetLookup(long offset, long timestamp, int leaderEpoch) {

  /** No record at or after the timestamp: offset, timestamp and epoch all unknown, as in Kafka. */
  static OffsetLookup notFound() {
    return new OffsetLookup(-1, -1, -1);
  }
}
