package dev.ferry.server.fetch;

import dev.ferry.runtime.DelayedOperation;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchResponse;

/**
 * A long-poll fetch parked until enough bytes arrive in its partitions or its max wait expires.
 * Completes exactly once, whichever comes first, by re-reading the logs; {@code finish} turns the
 * read into the answer (a fetch session's filtering).
 *
 * <p>A follower's fetch reads up to the log end, so appends wake it ({@link #onAppend} counts their
 * bytes, no re-read until there are enough); a consumer's reads up to the high watermark, so high
 * watermark moves (and leadership changes) wake it ({@link #tryComplete} re-reads).
 */
final class DelayedFetch extends DelayedOperation {

  private final List<TopicPartition> partitions;
  private final int minBytes;
  private final boolean fromFollower;
  private final Supplier<FetchReader.Result> reread;
  private final UnaryOperator<FetchResponseData> finish;
  private final CompletableFuture<AbstractResponse> future;
  private final AtomicInteger newBytes = new AtomicInteger();

  DelayedFetch(
      List<TopicPartition> partitions,
      int minBytes,
      boolean fromFollower,
      Supplier<FetchReader.Result> reread,
      UnaryOperator<FetchResponseData> finish,
      CompletableFuture<AbstractResponse> future) {
    this.partitions = partitions;
    this.minBytes = Math.max(1, minBytes);
    this.fromFollower = fromFollower;
    this.reread = reread;
    this.finish = finish;
    this.future = future;
  }

  List<TopicPartition> partitions() {
    return partitions;
  }

  boolean fromFollower() {
    return fromFollower;
  }

  /** {@code bytes} were appended to one of its partitions; true once completed. */
  boolean onAppend(int bytes) {
    if (newBytes.addAndGet(bytes) < minBytes) {
      return false;
    }
    completeWithRead();
    return true;
  }

  /**
   * Re-reads, and completes if that found enough bytes or an error (e.g. this broker stopped
   * leading). Returns true once completed.
   */
  @Override
  public boolean tryComplete() {
    if (isCompleted()) {
      return true;
    }
    FetchReader.Result r;
    try {
      r = reread.get();
    } catch (RuntimeException e) {
      if (claimCompletion()) {
        future.completeExceptionally(e);
      }
      return true;
    }
    if (r.bytes() < minBytes && !r.anyError()) {
      return false;
    }
    if (claimCompletion()) {
      future.complete(FetchResponse.of(finish.apply(r.response())));
    }
    return true;
  }

  /** max_wait_ms passed: answer with whatever is there now. */
  @Override
  protected void onExpiration() {
    completeWithRead();
  }

  /** Completes with a fresh read unless someone else completed it first. */
  void completeWithRead() {
    if (!claimCompletion()) {
      return;
    }
    try {
      future.complete(FetchResponse.of(finish.apply(reread.get().response())));
    } catch (RuntimeException e) {
      future.completeExceptionally(e);
    }
  }
}
