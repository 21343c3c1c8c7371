package dev.ferry.coordinator.group;

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
}
