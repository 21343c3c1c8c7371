package dev.ferry.coordinator.transaction;

import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;

/**
 * The states of a transactional id at its coordinator, with Kafka's names (as DescribeTransactions
 * and ListTransactions report them) and ids (as stored in {@code __transaction_state}).
 *
 * <p>Each state lists the states it may be entered from. A transition outside that table is a bug
 * in the coordinator, not a client error: {@link #checkTransitionFrom} throws, as Kafka does.
 */
public enum TransactionState {
  /** Initialised (InitProducerId), no transaction open. */
  EMPTY((byte) 0, "Empty"),
  /** A transaction is open: partitions or offsets were added. */
  ONGOING((byte) 1, "Ongoing"),
  /** EndTxn(commit) accepted and logged; markers are being written. */
  PREPARE_COMMIT((byte) 2, "PrepareCommit"),
  /** Abort decided and logged (client, timeout or fencing); markers are being written. */
  PREPARE_ABORT((byte) 3, "PrepareAbort"),
  /** Every partition has its COMMIT marker. */
  COMPLETE_COMMIT((byte) 4, "CompleteCommit"),
  /** Every partition has its ABORT marker. */
  COMPLETE_ABORT((byte) 5, "CompleteAbort"),
  /** Expired: the transactional id is being removed. */
  DEAD((byte) 6, "Dead"),
  /**
   * A new producer instance (or the timeout) fences the current epoch while a transaction is open;
   * only in memory, followed by PREPARE_ABORT.
   */
  PREPARE_EPOCH_FENCE((byte) 7, "PrepareEpochFence");

  private final byte id;
  private final String kafkaName;

  TransactionState(byte id, String kafkaName) {
    this.id = id;
    this.kafkaName = kafkaName;
  }

  public byte id() {
    return id;
  }

  /** The name Kafka's tools print and filter by. */
  public String kafkaName() {
    return kafkaName;
  }

  /** States this one may be entered from. */
  public Set<TransactionState> validPrevious() {
    return switch (this) {
      case EMPTY -> EnumSet.of(EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT);
      case ONGOING -> EnumSet.of(ONGOING, EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT);
      case PREPARE_COMMIT -> EnumSet.of(ONGOING);
      // Transactions v2 may abort with nothing open (the client cannot know whether a produce
      // added a partition), so an abort may start from the idle states too.
      case PREPARE_ABORT ->
          EnumSet.of(ONGOING, PREPARE_EPOCH_FENCE, EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT);
      case COMPLETE_COMMIT -> EnumSet.of(PREPARE_COMMIT);
      case COMPLETE_ABORT -> EnumSet.of(PREPARE_ABORT);
      case DEAD -> EnumSet.of(EMPTY, COMPLETE_COMMIT, COMPLETE_ABORT);
      case PREPARE_EPOCH_FENCE -> EnumSet.of(ONGOING);
    };
  }

  /**
   * @throws IllegalStateException if this state cannot be entered from {@code previous}
   */
  public void checkTransitionFrom(TransactionState previous, String transactionalId) {
    if (!validPrevious().contains(previous)) {
      throw new IllegalStateException(
          "Illegal transition of transactional id "
              + transactionalId
              + " from "
              + previous.kafkaName
              + " to "
              + kafkaName);
    }
  }

  /** Whether markers are being written (the coordinator answers CONCURRENT_TRANSACTIONS). */
  public boolean isPrepare() {
    return this == PREPARE_COMMIT || this == PREPARE_ABORT;
  }

  /** No transaction open and none completing. */
  public boolean isIdle() {
    return this == EMPTY || this == COMPLETE_COMMIT || this == COMPLETE_ABORT;
  }

  public static Optional<TransactionState> byId(byte id) {
    for (TransactionState s : values()) {
      if (s.id == id) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /** By Kafka name, case-insensitively (ListTransactions state filters). */
  public static Optional<TransactionState> byKafkaName(String name) {
    for (TransactionState s : values()) {
      if (s.kafkaName.equalsIgnoreCase(name)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
