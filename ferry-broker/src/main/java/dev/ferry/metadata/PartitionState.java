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
}
