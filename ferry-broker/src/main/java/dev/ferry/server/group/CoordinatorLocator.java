package dev.ferry.server.group;

import java.util.Optional;
import org.apache.kafka.common.Node;

/**
 * Finds the broker that coordinates the groups of one {@code __consumer_offsets} partition: the
 * partition's leader. Backed by cluster metadata; an implementation may also create the offsets
 * topic on first use, as Kafka does.
 */
@FunctionalInterface
public interface CoordinatorLocator {

  /** The leader of the partition, or empty if there is none yet (COORDINATOR_NOT_AVAILABLE). */
  Optional<Node> coordinatorFor(int offsetsPartition);
}
