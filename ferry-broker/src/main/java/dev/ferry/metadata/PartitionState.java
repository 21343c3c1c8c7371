package dev.ferry.metadata;

import java.util.List;

/**
 * Leadership of one partition as decided by the controller, with the epochs that fence stale
 * leaders and controllers.
 */
public record PartitionState(
    int leader, int leaderEpoch, List<Integer> isr, int controllerEpoch, int partitionEpoch) {

  /**
   * The state every store writes for a new partition: the first replica leads, every replica is in
   * sync, all epochs 0.
   */
  public static PartitionState initial(List<Integer> replicas) {
    return new PartitionState(replicas.get(0), 0, List.copyOf(replicas), 0, 0);
  }

  /**
   * This state as a conditional write stores it, every store alike: the ISR copied, the fencing
   * controller's epoch when there is a {@code fence}, and the partition epoch one past the {@code
   * expectedPartitionEpoch} the write was conditional on.
   */
  public PartitionState writtenAfter(int expectedPartitionEpoch, ControllerEpoch fence) {
    return new PartitionState(
        leader,
        leaderEpoch,
        List.copyOf(isr),
        fence == null ? controllerEpoch : fence.epoch(),
        expectedPartitionEpoch + 1);
  }
}
