package dev.ferry.server.fetch;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchResponse;

/**
 * A long-poll fetch parked until enough bytes arrive in its partitions or its max wait expires.
 * Completes exactly once, whichever comes first, by re-reading the logs.
 *
 * <p>A follower's fetch reads up to the log end, so appends wake it; a consumer's reads up to the
 * high watermark, so high watermark moves (and leadership changes) wake it.
 */
final class DelayedFetch {

  private final List<TopicPartition> partitions;
  private final int minBytes;
  private final boolean fromFollower;
  private final Supplier<FetchReader.Result> reread;
  private final CompletableFuture<AbstractResponse> future;
  private final AtomicInteger newBytes = new AtomicInteger();
  private final AtomicBoolean completed = new AtomicBoolean();
  private volatile ScheduledFuture<?> timeout;

  DelayedFetch(
      List<TopicPartition> partitions,
      int minBytes,
      boolean fromFollower,
      Supplier<FetchReader.Result> reread,
      CompletableFuture<AbstractResponse> future) {
    this.partitions = partitions;
    this.minBytes = Math.max(1, minBytes);
    this.fromFollower = fromFollower;
    this.reread = reread;
    this.future = future;
  }

  List<TopicPartition> partitions() {
    return partitions;
  }

  boolean fromFollower() {
    return fromFollower;
  }

  void setTimeout(ScheduledFuture<?> timeout) {
    this.timeout = timeout;
  }

  /** Returns true if this append made the fetch complete. */
  boolean onAppend(int bytes) {
    return newBytes.addAndGet(bytes) >= minBytes && complete();
  }

  /**
   * The high watermark of one of its partitions moved: re-read, and complete if that found enough
   * bytes or an error (e.g. this broker stopped leading). Returns true once completed.
   */
  boolean onHighWatermark() {
    if (completed.get()) {
      return true;
    }
    FetchReader.Result r;
    try {
      r = reread.get();
    } catch (RuntimeException e) {
      return complete();
    }
    if (r.bytes() < minBytes && !r.anyError()) {
      return false;
    }
    return finish(r);
  }

  boolean isCompleted() {
    return completed.get();
  }

  /** Completes with a fresh read; returns false if someone else already completed it. */
  boolean complete() {
    if (completed.get()) {
      return false;
    }
    FetchReader.Result r;
    try {
      r = reread.get();
    } catch (RuntimeException e) {
      if (completed.compareAndSet(false, true)) {
        cancelTimeout();
        future.completeExceptionally(e);
        return true;
      }
      return false;
    }
    return finish(r);
  }

  private boolean finish(FetchReader.Result r) {
    if (!completed.compareAndSet(false, true)) {
      return false;
    }
    cancelTimeout();
    future.complete(FetchResponse.of(r.response()));
    return true;
  }

  private void cancelTimeout() {
    ScheduledFuture<?> t = timeout;
    if (t != null) {
      t.cancel(false);
    }
  }
}
