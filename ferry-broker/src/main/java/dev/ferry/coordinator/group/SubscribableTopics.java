package dev.ferry.coordinator.group;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.Uuid;

/**
 * The topics consumer-protocol groups may subscribe to, as the coordinator needs them: by name,
 * with their id and partition count. Read from the broker's metadata cache; must not block.
 */
public interface SubscribableTopics {

  /** A topic's id and current partition count. */
  record Topic(Uuid id, int partitions) {}

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
