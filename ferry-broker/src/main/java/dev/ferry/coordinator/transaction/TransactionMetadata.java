package dev.ferry.coordinator.transaction;

/**
 * The coordinator's state of one transactional id: the last durable {@link TransactionRecord} and,
 * while a write of the next one is in flight, that pending record. Requests that find a write in
 * flight get CONCURRENT_TRANSACTIONS and retry, so the state changes one durable step at a time.
 *
 * <p>Guarded by its own monitor; callers synchronize on it.
 */
final class TransactionMetadata {

  final String transactionalId;
  private TransactionRecord current;
  private TransactionRecord pending;

  /** Set while the in-memory PrepareEpochFence step precedes an abort. */
  private boolean fencing;

  TransactionMetadata(String transactionalId, TransactionRecord initial) {
    this.transactionalId = transactionalId;
    this.current = initial;
  }

  TransactionRecord current() {
    return current;
  }

  TransactionState state() {
    return fencing ? TransactionState.PREPARE_EPOCH_FENCE : current.state();
  }

  boolean hasPendingWrite() {
    return pending != null;
  }

  /**
   * Starts a write of {@code next}; the transition is checked here so that an illegal one fails
   * before anything is logged.
   */
  TransactionRecord prepare(TransactionRecord next) {
    if (pending != null) {
      throw new IllegalStateException(
          "Transactional id " + transactionalId + " already has a write in flight");
    }
    next.state().checkTransitionFrom(state(), transactionalId);
    pending = next;
    return next;
  }

  /** The pending write is durable: it becomes the current state. */
  void complete(TransactionRecord written) {
    if (pending != written) {
      throw new IllegalStateException(
          "Completing a write of " + transactionalId + " that is not the pending one");
    }
    current = written;
    pending = null;
    fencing = false;
  }

  /** The pending write failed: the state stays as it was. */
  void abandon(TransactionRecord attempted) {
    if (pending == attempted) {
      pending = null;
    }
  }

  /**
   * Enters PrepareEpochFence: the epoch is bumped in memory so the fenced producer's requests fail
   * from now on; an abort at the bumped epoch follows.
   */
  void fenceEpoch() {
    TransactionState.PREPARE_EPOCH_FENCE.checkTransitionFrom(current.state(), transactionalId);
    TransactionRecord c = current;
    current =
        new TransactionRecord(
            c.producerId(),
            c.previousProducerId(),
            c.nextProducerId(),
            (short) (c.producerEpoch() + 1),
            c.producerEpoch(),
            c.timeoutMs(),
            c.state(),
            c.partitions(),
            c.startTimestamp(),
            c.lastUpdateTimestamp(),
            c.clientTransactionVersion());
    fencing = true;
  }

  /** Replaces the state with one read from the log (loading). */
  void load(TransactionRecord loaded) {
    current = loaded;
    pending = null;
    fencing = false;
  }
}
