package dev.ferry.metadata;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Conditional writes of partition leadership and ISR, as the controller and partition leaders (ISR
 * shrink and expand) make them. Blocking: never call on a network thread.
 */
public interface PartitionStateStore extends MetadataView {

  /**
   * Compare-and-set of a partition's leadership: writes {@code next} (its partitionEpoch is
   * replaced by {@code expectedPartitionEpoch + 1}, and with a {@code fence} its controllerEpoch by
   * the fence's epoch) only if the state is still at {@code expectedPartitionEpoch}. Controllers
   * pass their {@link ControllerEpoch}; a partition leader changing its ISR passes null.
   *
   * @return the state now stored, or empty if it changed meanwhile (re-read and decide again)
   * @throws org.apache.kafka.common.errors.ControllerMovedException if the fence is stale
   */
  Optional<PartitionState> compareAndSetPartitionState(
      String topic,
      int partition,
      int expectedPartitionEpoch,
      PartitionState next,
      ControllerEpoch fence);

  /** One compare-and-set of {@link #compareAndSetPartitionStates}. */
  record StateWrite(String topic, int partition, int expectedPartitionEpoch, PartitionState next) {}

  /**
   * Many {@link #compareAndSetPartitionState} writes of one controller decision pass (an election
   * after a broker change moves every partition the broker led). Each write succeeds or fails on
   * its own partition epoch, as if made alone; a store may group them into fewer round trips.
   *
   * @return for each write, in order, the state now stored, or empty if that partition changed
   *     meanwhile
   * @throws org.apache.kafka.common.errors.ControllerMovedException if the fence is stale
   */
  default List<Optional<PartitionState>> compareAndSetPartitionStates(
      List<StateWrite> writes, ControllerEpoch fence) {
    List<Optional<PartitionState>> results = new ArrayList<>(writes.size());
    for (StateWrite w : writes) {
      results.add(
          compareAndSetPartitionState(
              w.topic(), w.partition(), w.expectedPartitionEpoch(), w.next(), fence));
    }
    return results;
  }

  /** The partition's state read from the store itself (the cached view is refreshed with it). */
  Optional<PartitionState> readPartitionState(String topic, int partition);
}
