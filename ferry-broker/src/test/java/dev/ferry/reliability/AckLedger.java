package dev.ferry.reliability;

/**
 * One producer's outcome per sequence number: acknowledged at (partition, offset), failed, or still
 * outstanding. An acknowledgement may come without an offset (-1): the client's answer to a retry
 * the broker recognised only by its sequence (DUPLICATE_SEQUENCE_NUMBER). Written from the
 * producer's callback thread, read by the checker.
 */
final class AckLedger {

  static final long OUTSTANDING = -1;
  static final long FAILED = -2;
  static final long NOT_SENT = -3;

  private static final int PARTITION_BITS = 16;

  /**
   * Per sequence number: packed (offset + 1, partition) once acknowledged (so that an unknown
   * offset, -1, packs to a non-negative value too), else a negative state.
   */
  private final LongList outcomes = new LongList(OUTSTANDING);

  private long sent;
  private long acknowledged;
  private long acknowledgedWithoutOffset;
  private long failed;
  private long notSent;

  synchronized void sent(long seq) {
    sent++;
    outcomes.set(seq, OUTSTANDING);
  }

  synchronized void notSent(long seq) {
    notSent++;
    outcomes.set(seq, NOT_SENT);
  }

  synchronized void acknowledged(long seq, int partition, long offset) {
    acknowledged++;
    if (offset < 0) {
      acknowledgedWithoutOffset++;
    }
    outcomes.set(seq, ((offset + 1) << PARTITION_BITS) | partition);
  }

  synchronized void failed(long seq) {
    failed++;
    outcomes.set(seq, FAILED);
  }

  synchronized boolean isAcknowledged(long seq) {
    return outcomes.get(seq) >= 0;
  }

  synchronized int partition(long seq) {
    return (int) (outcomes.get(seq) & ((1L << PARTITION_BITS) - 1));
  }

  /** Where {@code seq} was acknowledged, or -1 if the acknowledgement carried no offset. */
  synchronized long offset(long seq) {
    return (outcomes.get(seq) >>> PARTITION_BITS) - 1;
  }

  /** One past the highest sequence number used. */
  synchronized long seqEnd() {
    return outcomes.size();
  }

  synchronized long sentCount() {
    return sent;
  }

  synchronized long acknowledgedCount() {
    return acknowledged;
  }

  synchronized long acknowledgedWithoutOffsetCount() {
    return acknowledgedWithoutOffset;
  }

  synchronized long failedCount() {
    return failed;
  }

  synchronized long notSentCount() {
    return notSent;
  }
}
