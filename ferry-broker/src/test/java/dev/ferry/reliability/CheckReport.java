package dev.ferry.reliability;

import static java.util.stream.Collectors.joining;

import java.util.List;

/**
 * What the {@link WorkloadChecker} found. Acknowledged records must all be present exactly once at
 * the offset they were acknowledged at, in each producer's order within a partition; records that
 * were never acknowledged may or may not be present.
 *
 * @param sent records handed to a producer
 * @param acknowledged records the broker acknowledged (acks=all)
 * @param acknowledgedWithoutOffset of those, acknowledged without an offset: retries the broker
 *     recognised by sequence only (DUPLICATE_SEQUENCE_NUMBER); checked for presence and partition
 * @param failed records whose send failed (e.g. delivery timeout while the broker was down)
 * @param lostAcknowledged acknowledged records absent from the final read
 * @param movedAcknowledged acknowledged records present, but not at the acknowledged offset
 * @param duplicates extra copies of a record (each copy beyond the first counts once)
 * @param reorderings records found after a later record of the same producer in one partition
 * @param unacknowledgedPresent records present without an acknowledgement (allowed)
 * @param unstableReads offsets a consumer read during the run whose record later vanished or
 *     changed
 * @param foreign records in the topic that the workload did not write
 * @param finalRecords records in the final read
 * @param liveRecords distinct offsets read by the live consumer during the run
 * @param anomalies the first lost, moved or duplicated records, each with where it was expected and
 *     found: what a failed run's investigation starts from
 */
public record CheckReport(
    long sent,
    long acknowledged,
    long acknowledgedWithoutOffset,
    long failed,
    long lostAcknowledged,
    long movedAcknowledged,
    long duplicates,
    long reorderings,
    long unacknowledgedPresent,
    long unstableReads,
    long foreign,
    long finalRecords,
    long liveRecords,
    List<CheckReport.Anomaly> anomalies) {

  /**
   * One lost, moved or duplicated record.
   *
   * @param description what was expected and what was found
   * @param partition where
   * @param offsets the offsets involved (acknowledged at, found at)
   */
  public record Anomaly(String description, int partition, List<Long> offsets) {
    public Anomaly {
      offsets = List.copyOf(offsets);
    }
  }

  public CheckReport {
    anomalies = List.copyOf(anomalies);
  }

  /** No acknowledged record lost or moved, no duplicate, no reordering, no unstable read. */
  public boolean ok() {
    return lostAcknowledged == 0
        && movedAcknowledged == 0
        && duplicates == 0
        && reorderings == 0
        && unstableReads == 0
        && foreign == 0;
  }

  /** One paragraph for logs and reports. */
  public String summary() {
    return String.format(
            "Workload check %s: %,d records sent, %,d acknowledged (%,d without an offset), %,d"
                + " failed; final read %,d records"
                + " (live consumer saw %,d). Lost acknowledged: %,d; acknowledged at another offset:"
                + " %,d; duplicates: %,d; reorderings: %,d; unacknowledged but present (allowed): %,d;"
                + " unstable reads: %,d; foreign records: %,d.",
            ok() ? "PASSED" : "FAILED",
            sent,
            acknowledged,
            acknowledgedWithoutOffset,
            failed,
            finalRecords,
            liveRecords,
            lostAcknowledged,
            movedAcknowledged,
            duplicates,
            reorderings,
            unacknowledgedPresent,
            unstableReads,
            foreign)
        + (anomalies.isEmpty()
            ? ""
            : " First anomalies: "
                + anomalies.stream().map(Anomaly::description).collect(joining("; "))
                + ".");
  }
}
