package dev.ferry.coordinator.group;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Response futures to complete once the group lock is released. Completing a future runs its
 * dependents (the network layer's send) on the completing thread; doing that under a group lock
 * would extend the critical section and risk lock-order problems.
 */
final class Deferred {

  private final List<Runnable> actions = new ArrayList<>();

  <T> void complete(CompletableFuture<T> future, T value) {
    if (future != null) {
      actions.add(() -> future.complete(value));
    }
  }

  void run(Runnable action) {
    actions.add(action);
  }

  /** Runs everything collected; call after unlocking. */
  void flush() {
    for (Runnable r : actions) {
      r.run();
    }
    actions.clear();
  }
}
