package dev.ferry.verify;

/**
 * One producer's outcome per sequence number: acknowledged at (partition, offset), failed, or still
 * outstanding. An acknowledgement may come without an offset (-1): the client's answer to a retry
 * the broker recognised only by its sequence (DUPLICATE_SEQUENCE_NUMBER). Written from the
 * producer's callback thread, read by the checker.
 *
 * <p>A ledger read back from a file ({@link LedgerFile}) knows only acknowledgements, aborts and a
 * bound on the sequence numbers handed to the producer ({@link #reserve}); every other sequence
 * number below that bound is outstanding: it may or may not have been written.
 */
public final class AckLedger {

  static final long OUTSTANDING = -1;
  static final long FAILED = -2;
  static final long NOT_SENT = -3;

  /** In a transaction the producer aborted on purpose: must never be visible to read_committed. */
  static final long ABORTED = -4;

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
  private long aborted;
  private long reservedEnd;

  public synchronized void sent(long seq) {
    sent++;
    outcomes.set(seq, OUTSTANDING);
  }

  public synchronized void notSent(long seq) {
    notSent++;
    outcomes.set(seq, NOT_SENT);
  }

  public synchronized void acknowledged(long seq, int partition, long offset) {
    acknowledged++;
    if (offset < 0) {
      acknowledgedWithoutOffset++;
    }
    outcomes.set(seq, ((offset + 1) << PARTITION_BITS) | partition);
  }

  /** Sequence numbers below {@code seqEnd} may have been sent (a bound kept by a ledger file). */
  public synchronized void reserve(long seqEnd) {
    reservedEnd = Math.max(reservedEnd, seqEnd);
  }

  /** The producer handed {@code n} records to its client in all (as a ledger file records). */
  public synchronized void sentTotal(long n) {
    sent = n;
  }

  /** {@code seq} was in a transaction that was aborted (its abort was acknowledged). */
  public synchronized void aborted(long seq) {
    aborted++;
    outcomes.set(seq, ABORTED);
  }

  public synchronized boolean isAborted(long seq) {
    return outcomes.get(seq) == ABORTED;
  }

  /**
   * Whether {@code seq} can have been handed to the producer: below the highest sequence number
   * used (or reserved) and not refused before sending. A record read back that was never sent is a
   * phantom.
   */
  public synchronized boolean maybeSent(long seq) {
    return seq < Math.max(outcomes.size(), reservedEnd) && outcomes.get(seq) != NOT_SENT;
  }

  public synchronized void failed(long seq) {
    failed++;
    outcomes.set(seq, FAILED);
  }

  public synchronized boolean isAcknowledged(long seq) {
    return outcomes.get(seq) >= 0;
  }

  public synchronized int partition(long seq) {
    return (int) (outcomes.get(seq) & ((1L << PARTITION_BITS) - 1));
  }

  /** Where {@code seq} was acknowledged, or -1 if the acknowledgement carried no offset. */
  public synchronized long offset(long seq) {
    return (outcomes.get(seq) >>> PARTITION_BITS) - 1;
  }

  /** One past the highest sequence number used or reserved. */
  public synchronized long seqEnd() {
    return Math.max(outcomes.size(), reservedEnd);
  }

  public synchronized long sentCount() {
    return sent;
  }

  public synchronized long acknowledgedCount() {
    return acknowledged;
  }

  public synchronized long acknowledgedWithoutOffsetCount() {
    return acknowledgedWithoutOffset;
  }

  public synchronized long failedCount() {
    return failed;
  }

  public synchronized long notSentCount() {
    return notSent;
  }

  public synchronized long abortedCount() {
    return aborted;
  }
}
