package dev.ferry.replication;

import dev.ferry.runtime.DelayedOperation;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.Errors;

/**
 * An acks=all append (a produce request's partition, a group commit) waiting until the high
 * watermark passes its last offset. Completes once: NONE when replicated; NOT_LEADER_OR_FOLLOWER if
 * this broker stopped leading at that epoch (or is shutting down); NOT_ENOUGH_REPLICAS_AFTER_APPEND
 * if the ISR shrank below min.insync.replicas meanwhile; REQUEST_TIMED_OUT when its time is up.
 */
final class DelayedAppend extends DelayedOperation {

  private final Partition partition;
  private final int leaderEpoch;
  private final long requiredOffset;
  private final CompletableFuture<Errors> future = new CompletableFuture<>();

  DelayedAppend(Partition partition, int leaderEpoch, long requiredOffset) {
    this.partition = partition;
    this.leaderEpoch = leaderEpoch;
    this.requiredOffset = requiredOffset;
  }

  CompletableFuture<Errors> future() {
    return future;
  }

  @Override
  public boolean tryComplete() {
    if (isCompleted()) {
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
    complete(outcome);
    return true;
  }

  /**
   * The high watermark or leadership of a partition with {@code changed}'s name moved. A different
   * object means ours was removed (and maybe hosted anew): this append's leadership is gone.
   */
  boolean onPartitionChanged(Partition changed) {
    if (changed != partition) {
      complete(Errors.NOT_LEADER_OR_FOLLOWER);
      return true;
    }
    return tryComplete();
  }

  @Override
  protected void onExpiration() {
    complete(Errors.REQUEST_TIMED_OUT);
  }

  @Override
  protected void onClose() {
    complete(Errors.NOT_LEADER_OR_FOLLOWER);
  }

  private void complete(Errors outcome) {
    if (claimCompletion()) {
      future.complete(outcome);
    }
  }
}
