package dev.ferry.controller;

import dev.ferry.metadata.PartitionState;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The controller's decisions for one partition, as pure functions of its replicas, its current
 * state and which brokers may lead. Kept free of I/O so that each rule is testable on its own.
 */
final class LeaderElection {

  private LeaderElection() {}

  /** {@link #decide(List, PartitionState, Set, Set, Set, boolean)} with every replica proven. */
  static PartitionState decide(
      List<Integer> replicas,
      PartitionState state,
      Set<Integer> eligible,
      Set<Integer> live,
      boolean unclean) {
    return decide(replicas, state, eligible, live, Set.of(), unclean);
  }

  /**
   * The state the partition should have, or null if it is fine as it is.
   *
   * <ul>
   *   <li>A leader that is gone (dead, or asked for controlled shutdown) or unproven is replaced by
   *       the first replica in assignment order that is in the ISR, eligible and proven; the ISR
   *       loses brokers that are not eligible and the unproven ones; the leader epoch goes up.
   *   <li>With no such replica: a live leader keeps leading — one shutting down because nobody can
   *       take over without losing data, an unproven one because it is the only in-sync replica
   *       left (at a new leader epoch, so that it obeys: a broker leads only on a decision made
   *       after it registered). Otherwise a live unproven in-sync replica leads (it is all that is
   *       left of the ISR, as in Kafka); otherwise, with {@code unclean}, any eligible replica
   *       leads with an ISR of itself; else the partition goes offline (leader -1, ISR kept, so
   *       that the first ISR member to come back is elected).
   *   <li>A healthy leader keeps leading; followers that are not eligible, or unproven, leave the
   *       ISR (the epoch stays: the leader adopts the smaller ISR).
   * </ul>
   *
   * <p>An unproven replica is a live broker whose place in this state (leader or ISR member) was
   * given to an earlier incarnation of it: it registered again — after a restart, perhaps after a
   * power loss that cost it records — since the state was written ({@link Incarnations}). It is not
   * trusted to hold what the ISR holds until it catches up and its leader adds it back.
   *
   * @param eligible live brokers that did not ask for controlled shutdown
   * @param live live brokers
   * @param unproven live replicas whose leadership or ISR membership predates their registration
   */
  static PartitionState decide(
      List<Integer> replicas,
      PartitionState state,
      Set<Integer> eligible,
      Set<Integer> live,
      Set<Integer> unproven,
      boolean unclean) {
    int leader = state.leader();
    List<Integer> isr = state.isr();
    Set<Integer> proven = new HashSet<>(eligible);
    proven.removeAll(unproven);
    if (leader >= 0 && proven.contains(leader)) {
      List<Integer> kept = keep(isr, proven, leader);
      return kept.equals(isr) ? null : next(state, leader, state.leaderEpoch(), kept);
    }
    for (int r : replicas) {
      if (isr.contains(r) && proven.contains(r)) {
        return next(state, r, state.leaderEpoch() + 1, keep(isr, proven, r));
      }
    }
    if (leader >= 0 && live.contains(leader)) {
      List<Integer> kept = keep(isr, proven, leader);
      if (unproven.contains(leader)) {
        // Back after a restart and the only in-sync replica left: it leads again, at a new epoch.
        return next(state, leader, state.leaderEpoch() + 1, kept);
      }
      // Shutting down but the only in-sync replica: moving would lose acknowledged data.
      return kept.equals(isr) ? null : next(state, leader, state.leaderEpoch(), kept);
    }
    for (int r : replicas) {
      if (isr.contains(r) && eligible.contains(r)) {
        // The leader is gone and every live in-sync replica restarted: the best there is.
        Set<Integer> trusted = new HashSet<>(proven);
        trusted.add(r);
        return next(state, r, state.leaderEpoch() + 1, keep(isr, trusted, r));
      }
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
