package dev.ferry.replication;

/**
 * The answer to a ListOffsets lookup on a leader: the offset (and the timestamp of the record found
 * there, or -1) at the leader epoch the lookup ran under. Offset -1 means no such record.
 */
public record OffsetLookup(long offset, long timestamp, int leaderEpoch) {

  static OffsetLookup notFound(int leaderEpoch) {
    return new OffsetLookup(-1, -1, leaderEpoch);
  }
}
