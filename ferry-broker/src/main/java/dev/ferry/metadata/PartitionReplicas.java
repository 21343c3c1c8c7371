package dev.ferry.metadata;

import java.util.List;

/**
 * One partition's replica assignment as stored: its replicas (preferred leader first) and the
 * replica move in progress, if any. The unit of the compare-and-set writes of {@link
 * ReassignmentStore}.
 *
 * @param ongoing null when no move is in progress
 */
public record PartitionReplicas(List<Integer> replicas, Reassignment ongoing) {

  public PartitionReplicas {
    replicas = List.copyOf(replicas);
  }

  /** The assignment of {@code partition} of {@code topic}, or null if it has no such partition. */
  public static PartitionReplicas of(TopicMetadata topic, int partition) {
    List<Integer> replicas = topic.replicaAssignment().get(partition);
    return replicas == null
        ? null
        : new PartitionReplicas(replicas, topic.reassignments().get(partition));
  }
}
