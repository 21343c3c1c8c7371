package dev.ferry.storage.txn;

/**
 * A token for one verification of a producer's first transactional batch on a partition (KIP-890
 * part 1). The partition leader records a fresh guard before it asks the transaction coordinator
 * whether the partition is in the producer's transaction (or, for transactions v2, has it added); a
 * transaction marker for the producer clears it. The append that follows succeeds only if the guard
 * it carries is still the recorded one, checked under the log's lock: an ABORT written while the
 * coordinator was being asked (a timed-out transaction) makes the late append fail instead of
 * opening a transaction nobody will ever end.
 *
 * <p>Compared by identity only.
 */
public final class VerificationGuard {

  /**
   * Carried by an append whose producer already had its transaction open on the partition when the
   * produce request arrived, so no verification was needed: it matches no recorded guard, and the
   * append succeeds only while that transaction is still open.
   */
  public static final VerificationGuard SENTINEL = new VerificationGuard();

  @Override
  public String toString() {
    return this == SENTINEL ? "VerificationGuard(sentinel)" : "VerificationGuard@" + hashCode();
  }
}
