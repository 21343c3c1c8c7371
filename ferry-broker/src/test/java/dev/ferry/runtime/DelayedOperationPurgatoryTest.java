package dev.ferry.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The waiting room: completion by event, by timeout on a manual clock, or at close; only once. */
class DelayedOperationPurgatoryTest {

  private final ManualClock clock = new ManualClock(0);
  private final DelayedOperationPurgatory<Waiter> purgatory =
      new DelayedOperationPurgatory<>("test", clock);

  /** Completes when {@code ready} is set; records how it ended. */
  private static final class Waiter extends DelayedOperation {
    volatile boolean ready;
    final List<String> outcomes = new ArrayList<>();

    @Override
    public boolean tryComplete() {
      if (ready && claimCompletion()) {
        outcomes.add("completed");
      }
      return isCompleted();
    }

    @Override
    protected void onExpiration() {
      if (claimCompletion()) {
        outcomes.add("expired");
      }
    }

    @Override
    protected void onClose() {
      if (claimCompletion()) {
        outcomes.add("closed");
      }
    }
  }

  @Test
  void anOperationThatCanCompleteAtOnceIsNeverWatched() {
    Waiter w = new Waiter();
    w.ready = true;
    assertThat(purgatory.tryCompleteElseWatch(w, List.of("k"), 100)).isTrue();
    assertThat(w.outcomes).containsExactly("completed");
    assertThat(purgatory.watched()).isZero();
    assertThat(clock.pendingTasks()).isZero();
  }

  @Test
  void anEventOnOneOfItsKeysCompletesItOnceAndItsTimeoutIsCancelled() {
    Waiter w = new Waiter();
    assertThat(purgatory.tryCompleteElseWatch(w, List.of("a", "b"), 100)).isFalse();
    assertThat(purgatory.watched()).isEqualTo(2);

    assertThat(purgatory.checkAndComplete("a")).as("not ready yet").isZero();
    w.ready = true;
    assertThat(purgatory.checkAndComplete("other")).isZero();
    assertThat(purgatory.checkAndComplete("a")).isEqualTo(1);
    assertThat(purgatory.watched()).as("gone from both keys").isZero();
    assertThat(clock.pendingTasks()).isZero();

    clock.advance(1_000);
    assertThat(w.outcomes).containsExactly("completed");
  }

  @Test
  void itExpiresAtItsTimeoutAndNotBefore() {
    Waiter w = new Waiter();
    purgatory.tryCompleteElseWatch(w, List.of("k"), 100);
    clock.advance(99);
    assertThat(w.outcomes).isEmpty();
    clock.advance(1);
    assertThat(w.outcomes).containsExactly("expired");
    assertThat(purgatory.watched()).isZero();

    w.ready = true;
    assertThat(purgatory.checkAndComplete("k")).isZero();
    assertThat(w.outcomes).containsExactly("expired");
  }

  @Test
  void aCustomAttemptSeesTheEvent() {
    Waiter w = new Waiter();
    purgatory.watch(w, List.of("k"), 100);
    List<Integer> seen = new ArrayList<>();
    purgatory.checkAndComplete(
        "k",
        op -> {
          seen.add(7);
          return false;
        });
    assertThat(seen).containsExactly(7);
    assertThat(purgatory.watched()).isEqualTo(1);
  }

  @Test
  void closingCompletesEveryWaitingOperation() {
    Waiter a = new Waiter();
    Waiter b = new Waiter();
    purgatory.watch(a, List.of("x"), 100);
    purgatory.watch(b, List.of("y"), 100);
    purgatory.close();
    assertThat(a.outcomes).containsExactly("closed");
    assertThat(b.outcomes).containsExactly("closed");
    assertThat(purgatory.watched()).isZero();
    assertThat(clock.pendingTasks()).isZero();
  }
}
