package dev.ferry.runtime;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A request that waits in a {@link DelayedOperationPurgatory} until an event lets it complete or
 * its time is up. It completes exactly once: whoever wins {@link #claimCompletion} (an event's
 * {@link #tryComplete}, the timeout's {@link #onExpiration}, or the purgatory closing) delivers the
 * result; every other attempt sees it done.
 */
public abstract class DelayedOperation {

  private final AtomicBoolean completed = new AtomicBoolean();
  private volatile Future<?> timeout;
  private volatile Collection<?> keys = List.of();

  /**
   * Checks whether this operation can complete now and, if so, completes it. Called on the thread
   * of the event that may have unblocked it: keep it short.
   *
   * @return true if the operation is completed (by this call or earlier)
   */
  public abstract boolean tryComplete();

  /** Its time is up: complete with what there is (if nobody else has). Timer thread. */
  protected abstract void onExpiration();

  /** The purgatory is closing: by default, as if its time were up. */
  protected void onClose() {
    onExpiration();
  }

  /**
   * Marks this operation completed and cancels its timeout. True for exactly one caller, who must
   * then deliver the result.
   */
  protected final boolean claimCompletion() {
    if (!completed.compareAndSet(false, true)) {
      return false;
    }
    Future<?> t = timeout;
    if (t != null) {
      t.cancel(false);
    }
    return true;
  }

  public final boolean isCompleted() {
    return completed.get();
  }

  final void watched(Collection<?> keys, Future<?> timeout) {
    this.keys = keys;
    this.timeout = timeout;
    if (isCompleted()) {
      timeout.cancel(false); // completed while being armed
    }
  }

  final Collection<?> keys() {
    return keys;
  }
}
