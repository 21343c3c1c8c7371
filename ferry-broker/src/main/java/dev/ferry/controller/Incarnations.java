package dev.ferry.controller;

import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.VersionedPartitionState;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Which incarnation of each live broker the controller has seen, by broker epoch (the zxid that
 * created its registration, as Kafka's ZooKeeper-mode controller uses it), to tell which replicas
 * of a partition are unproven: live, but holding their place in the partition's state (leader or
 * ISR member) from an earlier incarnation.
 *
 * <p>A broker that restarts, after a SIGKILL or a power loss that cut its log back to its last
 * fsync, may register again before the controller ever saw it gone: its old ZooKeeper session
 * expires and the new one registers within a tenth of a second, and a level-triggered pass that
 * runs after both sees the same broker id live as before. Its place in the ISR then stands for
 * records the new process may not have. Two checks catch it:
 *
 * <ul>
 *   <li>its broker epoch is newer than the write of the partition's state: whatever that state says
 *       of it was decided about an earlier incarnation. This needs no memory, so it also holds for
 *       a controller elected after the restart, and it is the rule brokers apply to themselves
 *       before leading ({@code PartitionHost});
 *   <li>its broker epoch differs from the one this controller saw in its last complete pass
 *       (Kafka's "bounced broker"): this also catches a state rewritten since the restart by a
 *       leader that did not know of it yet.
 * </ul>
 *
 * Controller thread only.
 */
final class Incarnations {

  private final Map<Integer, Long> seen = new HashMap<>();

  /**
   * The live replicas whose leadership or ISR membership in {@code written} predates their current
   * registration.
   *
   * @param epochs broker epoch of every live broker
   */
  Set<Integer> unproven(VersionedPartitionState written, Map<Integer, Long> epochs) {
    PartitionState state = written.state();
    Set<Integer> out = new HashSet<>();
    for (int r : state.isr()) {
      check(r, written, epochs, out);
    }
    if (state.leader() >= 0) {
      check(state.leader(), written, epochs, out);
    }
    return out;
  }

  private void check(
      int replica, VersionedPartitionState written, Map<Integer, Long> epochs, Set<Integer> out) {
    Long epoch = epochs.get(replica);
    if (epoch == null) {
      return; // not live: handled as a dead broker
    }
    Long known = seen.get(replica);
    if (!written.writtenAfter(epoch) || (known != null && known.longValue() != epoch)) {
      out.add(replica);
    }
  }

  /**
   * Records the incarnations of a pass whose every decision was written: from now on they are the
   * ones the partition states speak of. Brokers no longer live are forgotten (their death was
   * handled; a new incarnation is caught by the first check).
   */
  void passCompleted(Map<Integer, Long> epochs) {
    seen.clear();
    seen.putAll(epochs);
  }

  /** A new controller knows nothing of earlier incarnations but what the states tell. */
  void forget() {
    seen.clear();
  }
}
