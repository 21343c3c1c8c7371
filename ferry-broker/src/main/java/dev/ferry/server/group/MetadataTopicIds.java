package dev.ferry.server.group;

import dev.ferry.metadata.MetadataView;
import dev.ferry.metadata.TopicMetadata;
import java.util.Optional;
import org.apache.kafka.common.Uuid;

/** Topic ids from the cluster metadata cache. */
public final class MetadataTopicIds implements TopicIdResolver {

  private final MetadataView store;

  public MetadataTopicIds(MetadataView store) {
    this.store = store;
  }

  @Override
  public Optional<Uuid> topicId(String topicName) {
    return store.topic(topicName).map(TopicMetadata::topicId);
  }

  @Override
  public Optional<String> topicName(Uuid topicId) {
    return store.topic(topicId).map(TopicMetadata::name);
  }
}
