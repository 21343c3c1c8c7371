package dev.ferry.metadata;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.kafka.common.Uuid;

/**
 * The topic half of a test's {@link MetadataView}: topics kept by name (listed in name order),
 * found by name or id. Subclasses say which brokers live and what state each partition is in;
 * nobody is told of changes.
 */
public abstract class TopicTableMetadataView implements MetadataView {

  /** Topics by name; tests add to it directly or through their fake's own methods. */
  public final Map<String, TopicMetadata> byName = new ConcurrentSkipListMap<>();

  @Override
  public Optional<TopicMetadata> topic(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  @Override
  public Optional<TopicMetadata> topic(Uuid topicId) {
    return byName.values().stream().filter(t -> t.topicId().equals(topicId)).findFirst();
  }

  @Override
  public Collection<TopicMetadata> topics() {
    return List.copyOf(byName.values());
  }

  @Override
  public void addListener(MetadataListener listener) {}
}
