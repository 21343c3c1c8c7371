package dev.ferry.server.fetch;

import dev.ferry.replication.AppendListener;
import dev.ferry.replication.HighWatermarkListener;
import dev.ferry.replication.Partition;
import dev.ferry.runtime.DelayedOperationPurgatory;
import org.apache.kafka.common.TopicPartition;

/**
 * Turns partition events into checks of the fetches parked on them: an append wakes the follower
 * fetches (they read to the log end); a high watermark move wakes the consumer fetches, and a lost
 * leadership wakes every fetch (they answer NOT_LEADER_OR_FOLLOWER).
 */
final class FetchWakeUps implements AppendListener, HighWatermarkListener {

  private final DelayedOperationPurgatory<DelayedFetch> purgatory;

  FetchWakeUps(DelayedOperationPurgatory<DelayedFetch> purgatory) {
    this.purgatory = purgatory;
  }

  @Override
  public void onAppend(TopicPartition partition, int bytes) {
    purgatory.checkAndComplete(partition, f -> f.fromFollower() && f.onAppend(bytes));
  }

  @Override
  public void onHighWatermarkChanged(Partition partition) {
    boolean stillLeader = partition.isLeader();
    purgatory.checkAndComplete(
        partition.topicPartition(), f -> !(f.fromFollower() && stillLeader) && f.tryComplete());
  }
}
