package dev.ferry.metadata;

import java.util.List;

/**
 * Leadership of one partition as decided by the controller, with the epochs that fence stale
 * leaders and controllers.
 */
public record PartitionState(
    int leader, int leaderEpoch, List<Integer> isr, int controllerEpoch, int partitionEpoch) {}
