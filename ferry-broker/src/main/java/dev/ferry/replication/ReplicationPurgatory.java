package dev.ferry.replication;

import java.io.Closeable;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * Where acks=all appends (produce requests, group commits) wait until the high watermark passes
 * their last offset. A waiter completes once, with NONE when replicated, NOT_LEADER_OR_FOLLOWER if
 * this broker stopped leading at that epoch, NOT_ENOUGH_REPLICAS_AFTER_APPEND if the ISR shrank
 * below min.insync.replicas meanwhile, or REQUEST_TIMED_OUT. Waiting costs no thread: high
 * watermark moves re-check the partition's waiters and one timer thread expires the rest.
 */
public final class ReplicationPurgatory implements HighWatermarkListener, Closeable {

  private final ConcurrentHashMap<TopicPartition, Queue<Waiter>> waiters =
      new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "ferry-produce-purgatory");
            t.setDaemon(true);
            return t;
          });

  private static final class Waiter {
    final Partition partition;
    final int leaderEpoch;
    final long requiredOffset;
    final CompletableFuture<Errors> future = new CompletableFuture<>();
    final AtomicBoolean done = new AtomicBoolean();
    volatile ScheduledFuture<?> timeout;

    Waiter(Partition partition, int leaderEpoch, long requiredOffset) {
      this.partition = partition;
      this.leaderEpoch = leaderEpoch;
      this.requiredOffset = requiredOffset;
    }

    /** Completes if the outcome is known; true if this waiter is finished. */
    boolean tryComplete() {
      if (done.get()) {
        return true;
      }
      Errors outcome;
      if (!partition.isLeader() || partition.leaderEpoch() != leaderEpoch) {
        outcome = Errors.NOT_LEADER_OR_FOLLOWER;
      } else if (partition.highWatermark() >= requiredOffset) {
        outcome =
            partition.isr().size() < partition.minInsyncReplicas()
                ? Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND
                : Errors.NONE;
      } else {
        return false;
      }
      return complete(outcome);
    }

    boolean complete(Errors outcome) {
      if (done.compareAndSet(false, true)) {
        ScheduledFuture<?> t = timeout;
        if (t != null) {
          t.cancel(false);
        }
        future.complete(outcome);
      }
      return true;
    }
  }

  /**
   * Waits until {@code partition}'s high watermark reaches {@code requiredOffset} (the appended
   * batch's last offset + 1) at leader epoch {@code leaderEpoch}, at most {@code timeoutMs}.
   */
  public CompletableFuture<Errors> await(
      Partition partition, int leaderEpoch, long requiredOffset, long timeoutMs) {
    Waiter w = new Waiter(partition, leaderEpoch, requiredOffset);
    if (w.tryComplete()) {
      return w.future;
    }
    Queue<Waiter> queue =
        waiters.computeIfAbsent(partition.topicPartition(), k -> new ConcurrentLinkedQueue<>());
    queue.add(w);
    w.timeout =
        timer.schedule(
            () -> {
              w.complete(Errors.REQUEST_TIMED_OUT);
              queue.remove(w);
            },
            Math.max(0, timeoutMs),
            TimeUnit.MILLISECONDS);
    // The high watermark may have moved between the first check and the enqueue.
    if (w.tryComplete()) {
      queue.remove(w);
    }
    return w.future;
  }

  @Override
  public void onHighWatermarkChanged(Partition partition) {
    Queue<Waiter> queue = waiters.get(partition.topicPartition());
    if (queue == null || queue.isEmpty()) {
      return;
    }
    queue.removeIf(
        w ->
            w.partition != partition ? w.complete(Errors.NOT_LEADER_OR_FOLLOWER) : w.tryComplete());
  }

  /** Number of waiting appends (for metrics and tests). */
  public int waiting() {
    int n = 0;
    for (Queue<Waiter> q : waiters.values()) {
      n += q.size();
    }
    return n;
  }

  @Override
  public void close() {
    for (Queue<Waiter> q : waiters.values()) {
      q.forEach(w -> w.complete(Errors.NOT_LEADER_OR_FOLLOWER));
      q.clear();
    }
    timer.shutdownNow();
  }
}
