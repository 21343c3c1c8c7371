package dev.ferry.verify;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Each anomaly the checker knows, from hand-made ledgers and reads. */
class CheckerTest {

  private final AckLedger p0 = new AckLedger();
  private final AckLedger p1 = new AckLedger();
  private final AckLedger[] ledgers = {p0, p1};
  private final PartitionHistory[] last = {new PartitionHistory(), new PartitionHistory()};

  /** p0-0..3 sent and acknowledged on partition 0 at offsets 0..3, read back in place. */
  private void fourAcknowledgedInPlace() {
    for (long seq = 0; seq < 4; seq++) {
      p0.sent(seq);
      p0.acknowledged(seq, 0, seq);
      last[0].observe(seq, RecordId.of(0, seq));
    }
  }

  private CheckReport check() {
    return Checker.compare(ledgers, new PartitionHistory[0], last);
  }

  @Test
  void everythingInPlaceIsOk() {
    fourAcknowledgedInPlace();
    p1.sent(0);
    p1.failed(0);
    p1.sent(1); // outstanding, and present: allowed
    last[1].observe(0, RecordId.of(1, 1));
    CheckReport r = check();
    assertThat(r.ok()).as(r.summary()).isTrue();
    assertThat(r.acknowledged()).isEqualTo(4);
    assertThat(r.sent()).isEqualTo(6);
    assertThat(r.failed()).isEqualTo(1);
    assertThat(r.unacknowledgedPresent()).isEqualTo(1);
    assertThat(r.finalRecords()).isEqualTo(5);
    assertThat(r.anomalies()).isEmpty();
  }

  @Test
  void aMissingAcknowledgedRecordIsLostWithItsPartitionAndOffset() {
    fourAcknowledgedInPlace();
    p0.sent(4);
    p0.acknowledged(4, 1, 17);
    CheckReport r = check();
    assertThat(r.ok()).isFalse();
    assertThat(r.lostAcknowledged()).isEqualTo(1);
    assertThat(r.anomalies())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.kind()).isEqualTo(CheckReport.Kind.LOST);
              assertThat(a.partition()).isEqualTo(1);
              assertThat(a.offsets()).containsExactly(17L);
              assertThat(a.description())
                  .isEqualTo("lost acknowledged p0-4 (partition 1, offset 17)");
            });
  }

  @Test
  void movedDuplicatedAndReorderedRecordsAreEachCounted() {
    for (long seq = 0; seq < 3; seq++) {
      p0.sent(seq);
      p0.acknowledged(seq, 0, seq);
    }
    last[0].observe(0, RecordId.of(0, 0));
    last[0].observe(1, RecordId.of(0, 2)); // p0-2 before p0-1: reordered, and moved
    last[0].observe(2, RecordId.of(0, 1));
    last[0].observe(3, RecordId.of(0, 0)); // a second copy
    CheckReport r = check();
    assertThat(r.duplicates()).isEqualTo(1);
    assertThat(r.reorderings()).isEqualTo(1);
    assertThat(r.movedAcknowledged()).isEqualTo(2);
    assertThat(r.lostAcknowledged()).isZero();
    assertThat(r.anomalies())
        .extracting(CheckReport.Anomaly::kind)
        .containsExactly(
            CheckReport.Kind.REORDERED,
            CheckReport.Kind.DUPLICATED,
            CheckReport.Kind.MOVED,
            CheckReport.Kind.MOVED);
    assertThat(r.summary())
        .startsWith("Workload check FAILED: 3 records sent, 3 acknowledged")
        .contains("duplicates: 1;", "reorderings: 1;")
        .contains("First anomalies: p0-1 at partition 0 offset 2 comes after p0-2");
  }

  @Test
  void aRecordNeverSentIsAPhantom() {
    fourAcknowledgedInPlace();
    last[1].observe(0, RecordId.of(0, 99)); // beyond what p0 sent
    last[1].observe(1, RecordId.of(7, 0)); // no producer 7
    p1.sent(0);
    p1.notSent(0); // refused by the client before sending
    last[1].observe(2, RecordId.of(1, 0));
    CheckReport r = check();
    assertThat(r.phantoms()).isEqualTo(3);
    assertThat(r.ok()).isFalse();
    assertThat(r.anomalies())
        .extracting(CheckReport.Anomaly::description)
        .containsExactly(
            "phantom p0-99 at partition 1 offset 0: never sent",
            "phantom p7-0 at partition 1 offset 1: never sent",
            "phantom p1-0 at partition 1 offset 2: never sent");
  }

  @Test
  void aReservedSequenceNumberFromALedgerFileIsNoPhantom() {
    p1.reserve(1_000);
    last[1].observe(0, RecordId.of(1, 999));
    CheckReport r = check();
    assertThat(r.ok()).as(r.summary()).isTrue();
    assertThat(r.unacknowledgedPresent()).isEqualTo(1);
  }

  @Test
  void anAbortedRecordThatIsVisibleIsCaught() {
    fourAcknowledgedInPlace();
    p1.sent(0);
    p1.aborted(0);
    p1.sent(1);
    p1.aborted(1);
    last[1].observe(5, RecordId.of(1, 1));
    CheckReport r = check();
    assertThat(r.aborted()).isEqualTo(2);
    assertThat(r.abortedVisible()).isEqualTo(1);
    assertThat(r.unacknowledgedPresent()).isZero();
    assertThat(r.anomalies())
        .extracting(CheckReport.Anomaly::description)
        .containsExactly("p1-1 at partition 1 offset 5 belongs to an aborted transaction");
  }

  @Test
  void aLiveReadThatChangedLaterIsUnstable() {
    fourAcknowledgedInPlace();
    PartitionHistory[] live = {new PartitionHistory(), new PartitionHistory()};
    live[0].observe(0, RecordId.of(0, 0));
    live[0].observe(4, RecordId.of(1, 0)); // read once, gone at the end
    p1.sent(0);
    CheckReport r = Checker.compare(ledgers, live, last);
    assertThat(r.unstableReads()).isEqualTo(1);
    assertThat(r.liveRecords()).isEqualTo(2);
    assertThat(r.anomalies())
        .extracting(CheckReport.Anomaly::description)
        .containsExactly("partition 0 offset 4 read as p1-0 during the run, as nothing at the end");
  }

  @Test
  void otherRunsAreIgnoredButForeignRecordsAreNot() {
    fourAcknowledgedInPlace();
    last[1].observe(0, RecordId.OTHER_RUN);
    CheckReport ok = check();
    assertThat(ok.ok()).isTrue();
    assertThat(ok.otherRuns()).isEqualTo(1);
    assertThat(ok.finalRecords()).isEqualTo(4);
    last[1].observe(1, RecordId.NONE);
    CheckReport r = check();
    assertThat(r.foreign()).isEqualTo(1);
    assertThat(r.ok()).isFalse();
  }

  @Test
  void aCommittedOffsetGoingBackIsCaught() {
    fourAcknowledgedInPlace();
    CommittedOffsets committed = new CommittedOffsets(2);
    committed.observe(0, 3);
    committed.observe(0, 4);
    committed.observe(1, 0);
    committed.observe(0, 2); // the group's commit went back
    committed.observe(0, 4);
    CheckReport r = Checker.compare(ledgers, new PartitionHistory[0], last, committed);
    assertThat(r.committedOffsetRegressions()).isEqualTo(1);
    assertThat(r.ok()).isFalse();
    assertThat(r.anomalies())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.kind()).isEqualTo(CheckReport.Kind.OFFSET_REGRESSED);
              assertThat(a.description())
                  .isEqualTo("committed offset of partition 0 went back from 4 to 2");
            });
  }
}
