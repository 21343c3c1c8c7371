package dev.ferry.verify;

import static java.util.stream.Collectors.joining;

import java.util.List;

/**
 * What the {@link Checker} found. Acknowledged records must all be present exactly once at the
 * offset they were acknowledged at, in each producer's order within a partition; records that were
 * never acknowledged may or may not be present; records never sent, and records of transactions the
 * producer aborted, must not be.
 *
 * @param sent records handed to a producer
 * @param acknowledged records the cluster acknowledged (for a transactional producer: whose
 *     transaction committed)
 * @param acknowledgedWithoutOffset of those, acknowledged without an offset: retries the broker
 *     recognised by sequence only (DUPLICATE_SEQUENCE_NUMBER); checked for presence and partition
 * @param failed records whose send failed (e.g. delivery timeout while the broker was down)
 * @param aborted records of transactions the producer aborted on purpose
 * @param lostAcknowledged acknowledged records absent from the final read
 * @param movedAcknowledged acknowledged records present, but not at the acknowledged offset
 * @param duplicates extra copies of a record (each copy beyond the first counts once)
 * @param reorderings records found after a later record of the same producer in one partition
 * @param unacknowledgedPresent records present without an acknowledgement (allowed)
 * @param unstableReads offsets a consumer read during the run whose record later vanished or
 *     changed
 * @param phantoms records in the workload's format that were never sent: a sequence number the
 *     producer never used, or an unknown producer
 * @param abortedVisible records of aborted transactions that a read_committed consumer saw
 * @param committedOffsetRegressions times the live consumer's group read back a committed offset
 *     lower than one it had read back before
 * @param foreign records in the topic that are not in the workload's format
 * @param otherRuns records of other runs sharing the topic (a different run tag; ignored)
 * @param finalRecords records of this run in the final read
 * @param liveRecords distinct offsets read by the live consumer during the run
 * @param anomalies the first anomalies, each with where it was expected and found: what a failed
 *     run's investigation starts from
 */
public record CheckReport(
    long sent,
    long acknowledged,
    long acknowledgedWithoutOffset,
    long failed,
    long aborted,
    long lostAcknowledged,
    long movedAcknowledged,
    long duplicates,
    long reorderings,
    long unacknowledgedPresent,
    long unstableReads,
    long phantoms,
    long abortedVisible,
    long committedOffsetRegressions,
    long foreign,
    long otherRuns,
    long finalRecords,
    long liveRecords,
    List<CheckReport.Anomaly> anomalies) {

  /** What went wrong with one record. */
  public enum Kind {
    LOST,
    MOVED,
    DUPLICATED,
    REORDERED,
    UNSTABLE,
    PHANTOM,
    ABORTED_VISIBLE,
    FOREIGN,
    OFFSET_REGRESSED
  }

  /**
   * One anomalous record.
   *
   * @param kind what went wrong
   * @param description what was expected and what was found
   * @param partition where
   * @param offsets the offsets involved (acknowledged at, found at)
   */
  public record Anomaly(Kind kind, String description, int partition, List<Long> offsets) {
    public Anomaly {
      offsets = List.copyOf(offsets);
    }
  }

  public CheckReport {
    anomalies = List.copyOf(anomalies);
  }

  /**
   * No acknowledged record lost or moved, no duplicate, no reordering, no unstable read, nothing
   * read that was never sent or was aborted, nothing foreign.
   */
  public boolean ok() {
    return lostAcknowledged == 0
        && movedAcknowledged == 0
        && duplicates == 0
        && reorderings == 0
        && unstableReads == 0
        && phantoms == 0
        && abortedVisible == 0
        && committedOffsetRegressions == 0
        && foreign == 0;
  }

  /** One paragraph for logs and reports. */
  public String summary() {
    return String.format(
            "Workload check %s: %,d records sent, %,d acknowledged (%,d without an offset), %,d"
                + " failed, %,d aborted; final read %,d records"
                + " (live consumer saw %,d). Lost acknowledged: %,d; acknowledged at another offset:"
                + " %,d; duplicates: %,d; reorderings: %,d; unacknowledged but present (allowed): %,d;"
                + " unstable reads: %,d; phantoms: %,d; aborted but visible: %,d; committed offsets"
                + " gone back: %,d; foreign records: %,d.",
            ok() ? "PASSED" : "FAILED",
            sent,
            acknowledged,
            acknowledgedWithoutOffset,
            failed,
            aborted,
            finalRecords,
            liveRecords,
            lostAcknowledged,
            movedAcknowledged,
            duplicates,
            reorderings,
            unacknowledgedPresent,
            unstableReads,
            phantoms,
            abortedVisible,
            committedOffsetRegressions,
            foreign)
        + (anomalies.isEmpty()
            ? ""
            : " First anomalies: "
                + anomalies.stream().map(Anomaly::description).collect(joining("; "))
                + ".");
  }
}
