package dev.ferry.controller;

import dev.ferry.metadata.PartitionState;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The controller's decisions for one partition, as pure functions of its replicas, its current
 * state and which brokers may lead. Kept free of I/O so that each rule is testable on its own.
 */
final class LeaderElection {

  private LeaderElection() {}

  /**
   * The state the partition should have, or null if it is fine as it is.
   *
   * <ul>
   *   <li>A leader that is gone (dead, or asked for controlled shutdown) is replaced by the first
   *       replica in assignment order that is in the ISR and eligible; the ISR loses brokers that
   *       are not eligible; the leader epoch goes up.
   *   <li>With no such replica: a leader shutting down keeps leading (nobody can take over without
   *       losing data); otherwise, with {@code unclean} any eligible replica leads with an ISR of
   *       itself, else the partition goes offline (leader -1, ISR kept, so that the first ISR
   *       member to come back is elected).
   *   <li>A healthy leader keeps leading; followers that are not eligible leave the ISR (the epoch
   *       stays: the leader adopts the smaller ISR).
   * </ul>
   *
   * @param eligible live brokers that did not ask for controlled shutdown
   * @param live live brokers
   */
  static PartitionState decide(
      List<Integer> replicas,
      PartitionState state,
      Set<Integer> eligible,
      Set<Integer> live,
      boolean unclean) {
    int leader = state.leader();
    List<Integer> isr = state.isr();
    if (leader >= 0 && eligible.contains(leader)) {
      List<Integer> kept = keep(isr, eligible, leader);
      return kept.equals(isr) ? null : next(state, leader, state.leaderEpoch(), kept);
    }
    for (int r : replicas) {
      if (isr.contains(r) && eligible.contains(r)) {
        return next(state, r, state.leaderEpoch() + 1, keep(isr, eligible, r));
      }
    }
    if (leader >= 0 && live.contains(leader)) {
      // Shutting down but the only in-sync replica: moving would lose acknowledged data.
      List<Integer> kept = keep(isr, eligible, leader);
      return kept.equals(isr) ? null : next(state, leader, state.leaderEpoch(), kept);
    }
    if (unclean) {
      for (int r : replicas) {
        if (eligible.contains(r)) {
          return next(state, r, state.leaderEpoch() + 1, List.of(r));
        }
      }
    }
    if (leader == -1) {
      return null; // offline already; waits for an ISR member
    }
    return next(state, -1, state.leaderEpoch() + 1, isr);
  }

  /**
   * Preferred-leader election: the first replica takes over when it is in the ISR and eligible and
   * does not lead yet. Null when nothing should change.
   */
  static PartitionState preferred(
      List<Integer> replicas, PartitionState state, Set<Integer> eligible) {
    int preferred = replicas.get(0);
    if (state.leader() == preferred
        || !state.isr().contains(preferred)
        || !eligible.contains(preferred)
        || state.leader() < 0) {
      return null;
    }
    return next(state, preferred, state.leaderEpoch() + 1, state.isr());
  }

  private static List<Integer> keep(List<Integer> isr, Set<Integer> eligible, int leader) {
    List<Integer> out = new ArrayList<>(isr.size());
    for (int r : isr) {
      if (r == leader || eligible.contains(r)) {
        out.add(r);
      }
    }
    if (!out.contains(leader)) {
      out.add(0, leader);
    }
    return List.copyOf(out);
  }

  private static PartitionState next(
      PartitionState state, int leader, int leaderEpoch, List<Integer> isr) {
    return new PartitionState(
        leader, leaderEpoch, List.copyOf(isr), state.controllerEpoch(), state.partitionEpoch());
  }
}
