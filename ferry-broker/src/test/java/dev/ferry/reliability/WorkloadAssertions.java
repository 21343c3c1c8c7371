package dev.ferry.reliability;

import static org.assertj.core.api.Assertions.assertThat;

/** The verdict every fault run must reach, whatever its faults. */
final class WorkloadAssertions {

  private WorkloadAssertions() {}

  /**
   * 0 lost or moved acknowledged records, 0 duplicates, 0 reorderings, 0 unstable reads, nothing
   * foreign; the final read holds every acknowledged record plus possibly records whose ack was
   * lost.
   */
  static void assertNothingLostDuplicatedOrReordered(CheckReport report) {
    assertThat(report.lostAcknowledged()).as("lost acknowledged").isZero();
    assertThat(report.movedAcknowledged()).as("acknowledged at another offset").isZero();
    assertThat(report.duplicates()).as("duplicates").isZero();
    assertThat(report.reorderings()).as("reorderings").isZero();
    assertThat(report.unstableReads()).as("unstable reads").isZero();
    assertThat(report.foreign()).as("records nobody wrote").isZero();
    assertThat(report.finalRecords())
        .as("final read = acknowledged + unacknowledged but present")
        .isEqualTo(report.acknowledged() + report.unacknowledgedPresent());
  }
}
