package dev.ferry.verify;

/**
 * Where a workload writes down what its producers were told, before it counts it: a {@link
 * LedgerFile} lets a later process check the topic after events the producing process did not see
 * (a broker restarted on damaged disks, a maintenance window).
 *
 * <p>Called from producer threads and the clients' callback threads; implementations serialise.
 */
public interface AckJournal {

  /** Sequence numbers of {@code producer} below {@code seqEnd} may be sent from now on. */
  void reserve(int producer, long seqEnd);

  /** {@code producer}'s record {@code seq} was acknowledged at that partition and offset. */
  void acknowledged(int producer, long seq, int partition, long offset);

  /** {@code producer}'s record {@code seq} was in a transaction it aborted. */
  void aborted(int producer, long seq);

  /** {@code producer} stopped, having handed {@code sent} records to its client. */
  void finished(int producer, long sent);

  /** Nothing is written. */
  AckJournal NONE =
      new AckJournal() {
        @Override
        public void reserve(int producer, long seqEnd) {}

        @Override
        public void acknowledged(int producer, long seq, int partition, long offset) {}

        @Override
        public void aborted(int producer, long seq) {}

        @Override
        public void finished(int producer, long sent) {}
      };
}
