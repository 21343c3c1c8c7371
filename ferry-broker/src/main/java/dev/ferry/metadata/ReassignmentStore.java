package dev.ferry.metadata;

/**
 * Writes of partition replica assignments, as partition reassignment makes them: an operator's
 * request starts or cancels a move (assignment only), and the controller completes it (assignment
 * and leadership together). Every write is a compare-and-set on the partition's assignment, so a
 * decision taken on a stale view fails instead of undoing a newer one. Blocking: admin or
 * controller thread only.
 */
public interface ReassignmentStore extends PartitionStateStore {

  /** A partition-state write made together with an assignment write. */
  record StateChange(int expectedPartitionEpoch, PartitionState next) {}

  /**
   * Replaces the assignment of {@code topic}-{@code partition} by {@code next} if it is still
   * {@code expected}; with a {@code stateChange}, the partition state is written in the same atomic
   * step (compare-and-set on its partition epoch, like {@link #compareAndSetPartitionState}).
   *
   * @param fence the controller's epoch, checked with the write; null for an operator's request
   * @return true if written, false if the assignment or the state changed meanwhile
   * @throws org.apache.kafka.common.errors.UnknownTopicOrPartitionException if the topic is gone
   * @throws org.apache.kafka.common.errors.ControllerMovedException if the fence is stale
   */
  boolean compareAndSetReplicas(
      String topic,
      int partition,
      PartitionReplicas expected,
      PartitionReplicas next,
      StateChange stateChange,
      ControllerEpoch fence);
}
