package dev.ferry.coordinator.group;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;

/**
 * The topics consumer-protocol groups may subscribe to, as the coordinator needs them: by name,
 * with their id and partition count. Read from the broker's metadata cache; must not block.
 */
public interface SubscribableTopics {

  /**
   * A topic's id, current partition count and, when brokers have {@code broker.rack}, the racks of
   * each partition's replicas (index = partition; empty when racks are unknown).
   */
  record Topic(Uuid id, int partitions, List<Set<String>> partitionRacks) {
    public Topic {
      partitionRacks = List.copyOf(partitionRacks);
    }

    /** A topic without rack information. */
    public Topic(Uuid id, int partitions) {
      this(id, partitions, List.of());
    }

    /** Racks holding a replica of {@code partition}; empty when unknown. */
    public Set<String> racksOf(int partition) {
      return partition < partitionRacks.size() ? partitionRacks.get(partition) : Set.of();
    }
  }

  /** Every topic a subscription can name or match (internal topics excluded), by name. */
  Map<String, Topic> topics();

  /** Topic names by id, from one {@link #topics()} snapshot. */
  default Map<Uuid, String> namesById() {
    Map<Uuid, String> out = new HashMap<>();
    for (Map.Entry<String, Topic> e : topics().entrySet()) {
      out.put(e.getValue().id(), e.getKey());
    }
    return out;
  }
}
