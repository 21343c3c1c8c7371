package dev.ferry.controller;

import dev.ferry.metadata.PartitionReplicas;
import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.Reassignment;
import dev.ferry.metadata.ReassignmentStore;
import dev.ferry.metadata.TopicMetadata;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.NoReassignmentInProgressException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Starts, changes and cancels partition reassignments (AlterPartitionReassignments), as Kafka's
 * controller validates them. A request only records the move in the partition's assignment; the
 * elected {@link ClusterController} carries it out from there (the new replicas catch up and join
 * the ISR, then the move completes), so it survives a controller failover.
 *
 * <p>Blocking on the store: runs on the admin thread.
 */
public final class PartitionReassigner {

  private static final int MAX_ATTEMPTS = 10;

  private final ReassignmentStore store;
  private final boolean uncleanLeaderElectionDefault;

  public PartitionReassigner(ReassignmentStore store, boolean uncleanLeaderElectionDefault) {
    this.store = store;
    this.uncleanLeaderElectionDefault = uncleanLeaderElectionDefault;
  }

  /**
   * Moves {@code topic}-{@code partition} to {@code target} replicas, or with a null target cancels
   * the move in progress (restoring the replicas it started from).
   *
   * @param allowReplicationFactorChange false refuses a target of another size (KIP-860)
   * @throws UnknownTopicOrPartitionException for an unknown topic or partition
   * @throws InvalidReplicaAssignmentException for an empty list, a duplicate or unknown broker
   * @throws NoReassignmentInProgressException to cancel where nothing moves
   */
  public void reassign(
      String topic, int partition, List<Integer> target, boolean allowReplicationFactorChange) {
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      TopicMetadata t =
          store
              .topic(topic)
              .orElseThrow(
                  () ->
                      new UnknownTopicOrPartitionException(
                          "Unable to find a topic named " + topic + "."));
      PartitionReplicas current = PartitionReplicas.of(t, partition);
      if (current == null) {
        throw new UnknownTopicOrPartitionException(
            "Unable to find partition " + topic + ":" + partition + ".");
      }
      PartitionReplicas next =
          target == null
              ? cancel(t, partition, current)
              : change(current, target, allowReplicationFactorChange);
      if (next.equals(current)
          || store.compareAndSetReplicas(topic, partition, current, next, null, null)) {
        return;
      }
    }
    throw new KafkaException(
        "Gave up reassigning " + topic + "-" + partition + ": it kept changing concurrently");
  }

  private PartitionReplicas change(
      PartitionReplicas current, List<Integer> target, boolean allowReplicationFactorChange) {
    validate(target);
    Reassignment ongoing = current.ongoing();
    List<Integer> original =
        ongoing == null ? current.replicas() : ongoing.original(current.replicas());
    if (!allowReplicationFactorChange && target.size() != original.size()) {
      throw new InvalidReplicationFactorException(
          "The replication factor is changed from "
              + original.size()
              + " to "
              + target.size()
              + " but allowReplicationFactorChange is false.");
    }
    return Reassignment.start(current.replicas(), target);
  }

  private void validate(List<Integer> target) {
    if (target.isEmpty()) {
      throw new InvalidReplicaAssignmentException(
          "The manual partition assignment includes an empty replica list.");
    }
    Set<Integer> seen = new HashSet<>();
    for (Integer b : target) {
      if (b == null || b < 0) {
        throw new InvalidReplicaAssignmentException(
            "The manual partition assignment includes an invalid broker id " + b + ".");
      }
      if (!seen.add(b)) {
        throw new InvalidReplicaAssignmentException(
            "The manual partition assignment includes the broker " + b + " more than once.");
      }
      if (store.liveBroker(b).isEmpty()) {
        throw new InvalidReplicaAssignmentException(
            "The manual partition assignment includes broker "
                + b
                + ", but no such broker is registered.");
      }
    }
  }

  /**
   * The replicas the move started from. The ISR loses the added replicas and, if the leader was one
   * of them, the controller elects another: refused when no original replica is in sync unless
   * unclean election is allowed for the topic, as in Kafka.
   */
  private PartitionReplicas cancel(TopicMetadata topic, int partition, PartitionReplicas current) {
    Reassignment ongoing = current.ongoing();
    if (ongoing == null) {
      throw new NoReassignmentInProgressException(
          "No partition reassignment is in progress for this topic-partition.");
    }
    List<Integer> original = ongoing.original(current.replicas());
    PartitionState state = store.partitionState(topic.name(), partition).orElse(null);
    if (state != null
        && state.isr().stream().noneMatch(original::contains)
        && !uncleanAllowed(topic)) {
      throw new InvalidReplicaAssignmentException(
          "Unable to revert partition assignment for "
              + topic.name()
              + ":"
              + partition
              + " because it would require an unclean leader election.");
    }
    return new PartitionReplicas(original, null);
  }

  private boolean uncleanAllowed(TopicMetadata topic) {
    String v = topic.configs().get(ClusterController.UNCLEAN_LEADER_ELECTION);
    return v == null ? uncleanLeaderElectionDefault : Boolean.parseBoolean(v.trim());
  }
}
