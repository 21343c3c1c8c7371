package dev.ferry.verify;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Compares what producers were told (their {@link AckLedger}s) with what consumers read (one {@link
 * PartitionHistory} per partition from a final read of the whole topic, and optionally the
 * histories a live consumer built during the run) and counts every kind of anomaly a {@link
 * CheckReport} knows. Pure computation over packed longs: millions of records cost no object each.
 */
public final class Checker {

  /** Anomalies described in a report, at most. */
  static final int MAX_ANOMALIES = 20;

  /** foundAt entries: (offset << 16) | partition, or ABSENT. */
  private static final long ABSENT = -1;

  private final AckLedger[] ledgers;
  private final List<CheckReport.Anomaly> anomalies = new ArrayList<>();

  private Checker(AckLedger[] ledgers) {
    this.ledgers = ledgers;
  }

  /**
   * @param ledgers one per producer, indexed by the producer number in {@link RecordId}
   * @param live what a consumer read during the run (empty if there was none)
   * @param last the final read, one history per partition
   */
  public static CheckReport compare(
      AckLedger[] ledgers, PartitionHistory[] live, PartitionHistory[] last) {
    return compare(ledgers, live, last, new CommittedOffsets(last.length));
  }

  /**
   * @param committed the live consumer's group commits as read back during the run
   */
  public static CheckReport compare(
      AckLedger[] ledgers,
      PartitionHistory[] live,
      PartitionHistory[] last,
      CommittedOffsets committed) {
    return new Checker(ledgers).run(live, last, committed);
  }

  private CheckReport run(
      PartitionHistory[] live, PartitionHistory[] last, CommittedOffsets committed) {
    int producers = ledgers.length;
    LongList[] foundAt = new LongList[producers];
    for (int i = 0; i < producers; i++) {
      foundAt[i] = new LongList(ABSENT);
    }
    long finalRecords = 0;
    long duplicates = 0;
    long reorderings = 0;
    long foreign = 0;
    long otherRuns = 0;
    long phantoms = 0;
    long abortedVisible = 0;
    for (int p = 0; p < last.length; p++) {
      long[] lastSeq = new long[producers];
      Arrays.fill(lastSeq, -1);
      PartitionHistory h = last[p];
      for (long offset = 0; offset < h.endOffset(); offset++) {
        if (!h.seen(offset)) {
          continue;
        }
        long id = h.at(offset);
        if (id == RecordId.OTHER_RUN) {
          otherRuns++;
          continue;
        }
        finalRecords++;
        if (id == RecordId.NONE) {
          foreign++;
          note(
              CheckReport.Kind.FOREIGN,
              p,
              List.of(offset),
              "foreign record at partition %d offset %d",
              p,
              offset);
          continue;
        }
        int producer = RecordId.producer(id);
        long seq = RecordId.seq(id);
        if (producer >= producers || !ledgers[producer].maybeSent(seq)) {
          phantoms++;
          note(
              CheckReport.Kind.PHANTOM,
              p,
              List.of(offset),
              "phantom %s at partition %d offset %d: never sent",
              RecordId.toString(id),
              p,
              offset);
          continue;
        }
        if (ledgers[producer].isAborted(seq)) {
          abortedVisible++;
          note(
              CheckReport.Kind.ABORTED_VISIBLE,
              p,
              List.of(offset),
              "%s at partition %d offset %d belongs to an aborted transaction",
              RecordId.toString(id),
              p,
              offset);
        }
        long earlierCopy = foundAt[producer].get(seq);
        if (earlierCopy != ABSENT) {
          duplicates++;
          AckLedger ledger = ledgers[producer];
          note(
              CheckReport.Kind.DUPLICATED,
              p,
              List.of(earlierCopy >>> 16, offset),
              "duplicate %s in partition %d at offsets %d and %d (acknowledged: %s)",
              RecordId.toString(id),
              p,
              earlierCopy >>> 16,
              offset,
              ledger.isAcknowledged(seq) ? "offset " + ledger.offset(seq) : "no");
          continue;
        }
        foundAt[producer].set(seq, (offset << 16) | p);
        if (seq < lastSeq[producer]) {
          reorderings++;
          note(
              CheckReport.Kind.REORDERED,
              p,
              List.of(offset),
              "%s at partition %d offset %d comes after p%d-%d of the same producer",
              RecordId.toString(id),
              p,
              offset,
              producer,
              lastSeq[producer]);
        }
        lastSeq[producer] = Math.max(lastSeq[producer], seq);
      }
    }
    long sent = 0;
    long acknowledged = 0;
    long acknowledgedWithoutOffset = 0;
    long failed = 0;
    long aborted = 0;
    long lost = 0;
    long moved = 0;
    long unacknowledgedPresent = 0;
    for (int i = 0; i < producers; i++) {
      AckLedger ledger = ledgers[i];
      sent += ledger.sentCount() - ledger.notSentCount();
      acknowledged += ledger.acknowledgedCount();
      acknowledgedWithoutOffset += ledger.acknowledgedWithoutOffsetCount();
      failed += ledger.failedCount();
      aborted += ledger.abortedCount();
      long seqEnd = Math.max(ledger.seqEnd(), foundAt[i].size());
      for (long seq = 0; seq < seqEnd; seq++) {
        long found = foundAt[i].get(seq);
        if (ledger.isAcknowledged(seq)) {
          int partition = ledger.partition(seq);
          long offset = ledger.offset(seq);
          if (found == ABSENT) {
            lost++;
            note(
                CheckReport.Kind.LOST,
                partition,
                List.of(offset),
                "lost acknowledged %s (partition %d, offset %d)",
                RecordId.toString(RecordId.of(i, seq)),
                partition,
                offset);
          } else if ((offset >= 0 && (found >>> 16) != offset)
              || (int) (found & 0xFFFF) != partition) {
            moved++;
            note(
                CheckReport.Kind.MOVED,
                partition,
                List.of(offset, found >>> 16),
                "%s acknowledged at partition %d offset %d, found at partition %d offset %d",
                RecordId.toString(RecordId.of(i, seq)),
                partition,
                offset,
                found & 0xFFFF,
                found >>> 16);
          }
        } else if (found != ABSENT && !ledger.isAborted(seq)) {
          unacknowledgedPresent++;
        }
      }
    }
    long unstable = 0;
    long liveRecords = 0;
    for (int p = 0; p < live.length; p++) {
      PartitionHistory seen = live[p];
      liveRecords += seen.records();
      unstable += seen.conflicts();
      for (long offset = 0; offset < seen.endOffset(); offset++) {
        if (seen.seen(offset) && (!last[p].seen(offset) || last[p].at(offset) != seen.at(offset))) {
          unstable++;
          note(
              CheckReport.Kind.UNSTABLE,
              p,
              List.of(offset),
              "partition %d offset %d read as %s during the run, as %s at the end",
              p,
              offset,
              RecordId.toString(seen.at(offset)),
              last[p].seen(offset) ? RecordId.toString(last[p].at(offset)) : "nothing");
        }
      }
    }
    for (CheckReport.Anomaly a : committed.anomalies()) {
      if (anomalies.size() < MAX_ANOMALIES) {
        anomalies.add(a);
      }
    }
    return new CheckReport(
        sent,
        acknowledged,
        acknowledgedWithoutOffset,
        failed,
        aborted,
        lost,
        moved,
        duplicates,
        reorderings,
        unacknowledgedPresent,
        unstable,
        phantoms,
        abortedVisible,
        committed.regressions(),
        foreign,
        otherRuns,
        finalRecords,
        liveRecords,
        anomalies);
  }

  private void note(
      CheckReport.Kind kind, int partition, List<Long> offsets, String format, Object... args) {
    if (anomalies.size() < MAX_ANOMALIES) {
      anomalies.add(new CheckReport.Anomaly(kind, String.format(format, args), partition, offsets));
    }
  }
}
