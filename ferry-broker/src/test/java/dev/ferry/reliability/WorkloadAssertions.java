package dev.ferry.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.verify.CheckReport;

/** The verdict every fault run must reach, whatever its faults. */
final class WorkloadAssertions {

  private WorkloadAssertions() {}

  /**
   * 0 lost or moved acknowledged records, 0 duplicates, 0 reorderings, 0 unstable reads, nothing
   * foreign; the final read holds every acknowledged record plus possibly records whose ack was
   * lost. {@code evidence} (see {@link FailureEvidence}) ends every failure message.
   */
  static void assertNothingLostDuplicatedOrReordered(CheckReport report, String evidence) {
    assertThat(report.lostAcknowledged()).as("lost acknowledged%s", evidence).isZero();
    assertThat(report.movedAcknowledged())
        .as("acknowledged at another offset%s", evidence)
        .isZero();
    assertThat(report.duplicates()).as("duplicates%s", evidence).isZero();
    assertThat(report.reorderings()).as("reorderings%s", evidence).isZero();
    assertThat(report.unstableReads()).as("unstable reads%s", evidence).isZero();
    assertThat(report.foreign()).as("records nobody wrote%s", evidence).isZero();
    assertThat(report.finalRecords())
        .as("final read = acknowledged + unacknowledged but present%s", evidence)
        .isEqualTo(report.acknowledged() + report.unacknowledgedPresent());
  }
}
