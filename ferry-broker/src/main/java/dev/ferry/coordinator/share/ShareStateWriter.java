package dev.ferry.coordinator.share;

import java.util.concurrent.CompletableFuture;

/**
 * Writes one share-partition's state snapshots one at a time, in order: while a write is in flight,
 * later snapshots wait and only the newest of them is written next (it contains every change of the
 * ones it replaces), completing all their callers. So a remote, replicated store never applies an
 * older snapshot after a newer one, and a burst of acknowledgements costs few writes.
 */
final class ShareStateWriter {

  private final ShareStateStore store;
  private final SharePartitionKey key;
  private final int leaderEpoch;

  private boolean busy;
  private ShareStateSnapshot pending;
  private CompletableFuture<Void> pendingDone;

  ShareStateWriter(ShareStateStore store, SharePartitionKey key, int leaderEpoch) {
    this.store = store;
    this.key = key;
    this.leaderEpoch = leaderEpoch;
  }

  /**
   * Writes {@code state} (after the write in flight); completes once it, or a newer, is durable.
   */
  CompletableFuture<Void> write(ShareStateSnapshot state) {
    synchronized (this) {
      if (busy) {
        pending = state;
        if (pendingDone == null) {
          pendingDone = new CompletableFuture<>();
        }
        return pendingDone;
      }
      busy = true;
    }
    return send(state);
  }

  private CompletableFuture<Void> send(ShareStateSnapshot state) {
    CompletableFuture<Void> f;
    try {
      f = store.write(key, leaderEpoch, state);
    } catch (RuntimeException e) {
      f = CompletableFuture.failedFuture(e);
    }
    f.whenComplete((r, e) -> next());
    return f;
  }

  private void next() {
    ShareStateSnapshot state;
    CompletableFuture<Void> done;
    synchronized (this) {
      if (pending == null) {
        busy = false;
        return;
      }
      state = pending;
      done = pendingDone;
      pending = null;
      pendingDone = null;
    }
    send(state)
        .whenComplete(
            (r, e) -> {
              if (e == null) {
                done.complete(null);
              } else {
                done.completeExceptionally(e);
              }
            });
  }
}
