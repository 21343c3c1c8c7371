package dev.ferry.storage.txn;

import java.util.HashMap;
import java.util.Map;

/**
 * The verifications in flight on one partition: producer id → the {@link VerificationGuard} of its
 * latest verification that has not been used by an append nor cancelled by a marker. At most one
 * entry per producer (a new verification replaces the previous one), removed when the producer's
 * transactional batch is appended, a marker for it is written or replicated, or its verification
 * fails.
 *
 * <p>Not thread-safe: every method runs under the owning log's lock, the lock appends and markers
 * take, which is what makes the check and the append one step.
 */
public final class TransactionVerifications {

  private final Map<Long, VerificationGuard> inFlight = new HashMap<>();

  /** Records and returns a fresh guard for the producer (replacing an older one). */
  public VerificationGuard start(long producerId) {
    VerificationGuard guard = new VerificationGuard();
    inFlight.put(producerId, guard);
    return guard;
  }

  /** Whether {@code guard} is the producer's current, unused verification. */
  public boolean matches(long producerId, VerificationGuard guard) {
    return guard != VerificationGuard.SENTINEL && inFlight.get(producerId) == guard;
  }

  /** A marker for the producer, or its batch appended: any verification in flight is void. */
  public void clear(long producerId) {
    inFlight.remove(producerId);
  }

  /** The verification behind {@code guard} failed: forgets it unless a newer one replaced it. */
  public void cancel(long producerId, VerificationGuard guard) {
    inFlight.remove(producerId, guard);
  }

  public int size() {
    return inFlight.size();
  }
}
