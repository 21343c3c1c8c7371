package dev.ferry.controller;

import dev.ferry.metadata.BrokerInfo;
import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.PartitionStateStore;
import dev.ferry.metadata.TopicMetadata;
import dev.ferry.metadata.VersionedPartitionState;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiError;

/**
 * Leader elections an operator asks for (ElectLeaders, {@code kafka-leader-election.sh}), with
 * Kafka's rules and answers: a preferred election moves leadership to the first replica if it is
 * live and in sync; an unclean one gives a partition without a leader one, from the ISR if any
 * member is live, else from any live replica (accepting data loss). Each write is a compare-and-set
 * on the partition epoch, like the controller's, so it cannot undo a newer decision. Blocking: runs
 * on the admin thread.
 */
public final class ManualLeaderElection {

  private static final int MAX_ATTEMPTS = 5;

  private final PartitionStateStore store;

  public ManualLeaderElection(PartitionStateStore store) {
    this.store = store;
  }

  /** Elects a leader for one partition; the error is ELECTION_NOT_NEEDED if nothing changes. */
  public ApiError elect(String topic, int partition, ElectionType type) {
    Optional<TopicMetadata> t = store.topic(topic);
    if (t.isEmpty()) {
      return new ApiError(Errors.UNKNOWN_TOPIC_OR_PARTITION, "No such topic as " + topic);
    }
    List<Integer> replicas = t.get().replicaAssignment().get(partition);
    if (replicas == null) {
      return new ApiError(
          Errors.UNKNOWN_TOPIC_OR_PARTITION, "No such partition as " + topic + "-" + partition);
    }
    Set<Integer> live = new HashSet<>();
    for (BrokerInfo b : store.liveBrokers()) {
      if (replicas.contains(b.id())) {
        live.add(b.id());
      }
    }
    Map<Integer, Long> epochs = new HashMap<>();
    for (int id : live) {
      epochs.put(id, store.brokerEpoch(id));
    }
    for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      VersionedPartitionState written =
          store.versionedPartitionState(topic, partition).orElse(null);
      if (written == null) {
        return new ApiError(
            Errors.UNKNOWN_TOPIC_OR_PARTITION, "No such partition as " + topic + "-" + partition);
      }
      PartitionState state = written.state();
      // A replica that registered again since the state was written holds its ISR place from its
      // previous process: not elected on it (the controller takes it out of the ISR).
      Set<Integer> unproven = new Incarnations().unproven(written, epochs);
      boolean hasLeader = state.leader() >= 0 && live.contains(state.leader());
      if (type == ElectionType.PREFERRED ? state.leader() == replicas.get(0) : hasLeader) {
        return new ApiError(Errors.ELECTION_NOT_NEEDED);
      }
      PartitionState next =
          type == ElectionType.PREFERRED
              ? preferred(replicas, state, live, unproven)
              : LeaderElection.decide(replicas, state, live, live, unproven, true);
      if (next == null || next.leader() < 0) {
        return new ApiError(
            type == ElectionType.PREFERRED
                ? Errors.PREFERRED_LEADER_NOT_AVAILABLE
                : Errors.ELIGIBLE_LEADERS_NOT_AVAILABLE);
      }
      if (store
          .compareAndSetPartitionState(topic, partition, state.partitionEpoch(), next, null)
          .isPresent()) {
        return ApiError.NONE;
      }
      store.readPartitionState(topic, partition);
    }
    return new ApiError(
        Errors.REQUEST_TIMED_OUT, "The state of " + topic + "-" + partition + " kept changing");
  }

  /** The preferred replica leads if it is live and in sync (even when there is no leader now). */
  private static PartitionState preferred(
      List<Integer> replicas, PartitionState state, Set<Integer> live, Set<Integer> unproven) {
    int preferred = replicas.get(0);
    if (!live.contains(preferred)
        || !state.isr().contains(preferred)
        || unproven.contains(preferred)) {
      return null;
    }
    return new PartitionState(
        preferred,
        state.leaderEpoch() + 1,
        state.isr(),
        state.controllerEpoch(),
        state.partitionEpoch());
  }
}
