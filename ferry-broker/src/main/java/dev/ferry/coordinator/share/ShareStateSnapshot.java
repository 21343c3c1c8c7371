package dev.ferry.coordinator.share;

import java.util.List;

/**
 * The durable state of one share-partition: its start offset and, for the in-flight records past
 * it, runs of records with one state and delivery count. Acquired records are written as available
 * (a lock does not outlive the broker), keeping their delivery count.
 */
public record ShareStateSnapshot(long startOffset, List<Run> runs) {

  /** The in-flight records at or past the start offset that are acknowledged or archived. */
  public long deliveryCompleteCount() {
    long n = 0;
    for (Run r : runs) {
      if (r.state() == SharePartition.ACKNOWLEDGED || r.state() == SharePartition.ARCHIVED) {
        n += Math.max(0, r.last() - Math.max(r.first(), startOffset) + 1);
      }
    }
    return n;
  }

  /** Offsets {@code first..last} share {@code state} and {@code deliveryCount}. */
  public record Run(long first, long last, byte state, short deliveryCount) {}
}
