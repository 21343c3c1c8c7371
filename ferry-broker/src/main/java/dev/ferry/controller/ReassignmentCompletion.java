package dev.ferry.controller;

import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.Reassignment;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * When a replica move may complete and the leadership it completes with, as a pure function (the
 * controller writes the result together with the new replica list).
 *
 * <p>A move completes once every target replica is in the ISR (as in Kafka): the new replicas then
 * hold everything acknowledged. The ISR keeps only target replicas; a leader that is being removed
 * hands over to the first target replica that is in sync and eligible (a new leader epoch fences
 * it), as Kafka's controller does.
 */
final class ReassignmentCompletion {

  private ReassignmentCompletion() {}

  /**
   * The state to write with the target replicas, or null if the move cannot complete yet (a target
   * replica not in sync, the partition offline, or no target replica able to lead).
   */
  static PartitionState complete(
      List<Integer> replicas, Reassignment move, PartitionState state, Set<Integer> eligible) {
    List<Integer> target = move.target(replicas);
    if (state.leader() < 0 || !state.isr().containsAll(target)) {
      return null;
    }
    List<Integer> isr = new ArrayList<>();
    for (int r : state.isr()) {
      if (target.contains(r)) {
        isr.add(r);
      }
    }
    int leader = state.leader();
    int leaderEpoch = state.leaderEpoch();
    if (!target.contains(leader)) {
      leader = -1;
      for (int r : target) {
        if (isr.contains(r) && eligible.contains(r)) {
          leader = r;
          break;
        }
      }
      if (leader < 0) {
        return null;
      }
      leaderEpoch++;
    }
    return new PartitionState(
        leader, leaderEpoch, List.copyOf(isr), state.controllerEpoch(), state.partitionEpoch());
  }
}
