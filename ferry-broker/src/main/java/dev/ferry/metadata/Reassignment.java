package dev.ferry.metadata;

import java.util.ArrayList;
import java.util.List;

/**
 * A replica move in progress on one partition, kept as Kafka keeps it: the replicas being added and
 * the replicas being removed. While it runs, the partition's replica list is the target replicas
 * followed by the ones leaving, so that both old and new replicas are hosted and replicate.
 *
 * @param adding replicas that are new to the partition (in the target, not in the original)
 * @param removing replicas that leave when the move completes (in the original, not in the target)
 */
public record Reassignment(List<Integer> adding, List<Integer> removing) {

  public Reassignment {
    adding = List.copyOf(adding);
    removing = List.copyOf(removing);
  }

  /**
   * The move from {@code current} replicas to {@code target}, with the replica list to keep while
   * it runs (target first, then the leaving replicas in their current order).
   */
  public static PartitionReplicas start(List<Integer> current, List<Integer> target) {
    List<Integer> adding = new ArrayList<>();
    for (int r : target) {
      if (!current.contains(r)) {
        adding.add(r);
      }
    }
    List<Integer> removing = new ArrayList<>();
    List<Integer> during = new ArrayList<>(target);
    for (int r : current) {
      if (!target.contains(r)) {
        removing.add(r);
        during.add(r);
      }
    }
    if (adding.isEmpty() && removing.isEmpty()) {
      // Only the order changes: no data has to move, the new list applies at once.
      return new PartitionReplicas(target, null);
    }
    return new PartitionReplicas(during, new Reassignment(adding, removing));
  }

  /** The replicas at the end of the move: {@code replicas} without those being removed. */
  public List<Integer> target(List<Integer> replicas) {
    return without(replicas, removing);
  }

  /** The replicas before the move, which a cancellation restores. */
  public List<Integer> original(List<Integer> replicas) {
    return without(replicas, adding);
  }

  private static List<Integer> without(List<Integer> replicas, List<Integer> drop) {
    List<Integer> out = new ArrayList<>(replicas.size());
    for (int r : replicas) {
      if (!drop.contains(r)) {
        out.add(r);
      }
    }
    return List.copyOf(out);
  }
}
