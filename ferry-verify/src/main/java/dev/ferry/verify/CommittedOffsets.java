package dev.ferry.verify;

import java.util.ArrayList;
import java.util.List;

/**
 * The committed offsets of a consumer group as read back over time, per partition: a committed
 * offset must never go backwards (a group coordinator that loses commits on failover, or serves a
 * stale copy, makes consumers re-read — or, if the offset moves forward past what was read, skip).
 * The live consumer commits its position as it goes and reads the commits back.
 */
public final class CommittedOffsets {

  private final long[] highest;
  private long regressions;
  private final List<CheckReport.Anomaly> anomalies = new ArrayList<>();

  public CommittedOffsets(int partitions) {
    highest = new long[partitions];
    java.util.Arrays.fill(highest, -1);
  }

  /** The group's committed offset of {@code partition} was read as {@code offset}. */
  public synchronized void observe(int partition, long offset) {
    if (offset < highest[partition]) {
      regressions++;
      if (anomalies.size() < Checker.MAX_ANOMALIES) {
        anomalies.add(
            new CheckReport.Anomaly(
                CheckReport.Kind.OFFSET_REGRESSED,
                String.format(
                    "committed offset of partition %d went back from %d to %d",
                    partition, highest[partition], offset),
                partition,
                List.of(highest[partition], offset)));
      }
    } else {
      highest[partition] = offset;
    }
  }

  public synchronized long regressions() {
    return regressions;
  }

  synchronized List<CheckReport.Anomaly> anomalies() {
    return List.copyOf(anomalies);
  }
}
