package dev.ferry.coordinator.share;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * ShareFetches that found nothing to acquire and wait (up to their {@code max_wait_ms}) for
 * records: each is a retry, run when records are released, locks expire or a high watermark moves.
 * No thread per waiter; a woken retry that still finds nothing parks itself again.
 */
public final class ShareFetchWaiters {

  private final Set<Runnable> waiting = ConcurrentHashMap.newKeySet();

  /** Parks {@code retry} until the next wake-up. */
  public void park(Runnable retry) {
    waiting.add(retry);
  }

  /** Forgets {@code retry} (it completed on its timeout). */
  public void remove(Runnable retry) {
    waiting.remove(retry);
  }

  /** Runs every parked retry once, on the calling thread. */
  public void wakeAll() {
    if (waiting.isEmpty()) {
      return;
    }
    List<Runnable> woken = new ArrayList<>(waiting);
    waiting.removeAll(woken);
    for (Runnable r : woken) {
      r.run();
    }
  }

  /** How many fetches wait (tests). */
  public int size() {
    return waiting.size();
  }
}
