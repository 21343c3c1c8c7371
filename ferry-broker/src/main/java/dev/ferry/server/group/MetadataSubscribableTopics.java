package dev.ferry.server.group;

import dev.ferry.coordinator.group.SubscribableTopics;
import dev.ferry.metadata.MetadataView;
import dev.ferry.metadata.TopicMetadata;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/** The topics consumer-protocol groups can subscribe to, from the metadata cache. */
public final class MetadataSubscribableTopics implements SubscribableTopics {

  /** Internal topics no subscription names or matches (as Kafka excludes them from regexes). */
  private static final Set<String> INTERNAL = Set.of("__consumer_offsets", "__transaction_state");

  private final MetadataView store;

  public MetadataSubscribableTopics(MetadataView store) {
    this.store = store;
  }

  @Override
  public Map<String, Topic> topics() {
    Map<String, Topic> out = new HashMap<>();
    for (TopicMetadata t : store.topics()) {
      if (!INTERNAL.contains(t.name())) {
        out.put(t.name(), new Topic(t.topicId(), t.partitionCount()));
      }
    }
    return out;
  }
}
