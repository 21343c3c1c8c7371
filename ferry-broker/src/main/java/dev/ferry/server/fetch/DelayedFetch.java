package dev.ferry.server.fetch;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.requests.AbstractResponse;

/**
 * A long-poll fetch parked until enough bytes arrive in its partitions or its max wait expires.
 * Completes exactly once, whichever comes first, by re-reading the logs.
 */
final class DelayedFetch {

  private final List<TopicPartition> partitions;
  private final int minBytes;
  private final Supplier<AbstractResponse> reread;
  private final CompletableFuture<AbstractResponse> future;
  private final AtomicInteger newBytes = new AtomicInteger();
  private final AtomicBoolean completed = new AtomicBoolean();
  private volatile ScheduledFuture<?> timeout;

  DelayedFetch(
      List<TopicPartition> partitions,
      int minBytes,
      Supplier<AbstractResponse> reread,
      CompletableFuture<AbstractResponse> future) {
    this.partitions = partitions;
    this.minBytes = Math.max(1, minBytes);
    this.reread = reread;
    this.future = future;
  }

  List<TopicPartition> partitions() {
    return partitions;
  }

  void setTimeout(ScheduledFuture<?> timeout) {
    this.timeout = timeout;
  }

  /** Returns true if this append made the fetch complete. */
  boolean onAppend(int bytes) {
    return newBytes.addAndGet(bytes) >= minBytes && complete();
  }

  boolean isCompleted() {
    return completed.get();
  }

  /** Completes with a fresh read; returns false if someone else already completed it. */
  boolean complete() {
    if (!completed.compareAndSet(false, true)) {
      return false;
    }
    ScheduledFuture<?> t = timeout;
    if (t != null) {
      t.cancel(false);
    }
    try {
      future.complete(reread.get());
    } catch (RuntimeException e) {
      future.completeExceptionally(e);
    }
    return true;
  }
}
