package dev.ferry.metadata;

import java.util.Collection;
import java.util.Optional;
import org.apache.kafka.common.Uuid;

/**
 * The read side every {@link MetadataStore} shares: reads answer from one {@link MetadataCache},
 * and listeners hear of its changes through one {@link ListenerNotifier}. The stores differ only in
 * where the cache's contents come from (ZooKeeper watches, or an in-JVM cluster that applies each
 * write to every session) and in how writes are made, so that is all a subclass implements.
 */
public abstract class CachedMetadataStore implements MetadataStore {

  /** Runs listeners on the store's "ferry-metadata-events" thread; closed by the subclass. */
  protected final ListenerNotifier notifier = new ListenerNotifier();

  /** Fed by the subclass; read by every method of {@link MetadataView}. */
  protected final MetadataCache cache = new MetadataCache(notifier);

  /** Live brokers by ascending id. */
  @Override
  public Collection<BrokerInfo> liveBrokers() {
    return cache.liveBrokers();
  }

  @Override
  public Optional<BrokerInfo> liveBroker(int brokerId) {
    return Optional.ofNullable(cache.broker(brokerId));
  }

  @Override
  public Optional<TopicMetadata> topic(String name) {
    return Optional.ofNullable(cache.topic(name));
  }

  /** O(1): Produce v13 and Fetch v13+ name topics only by id. */
  @Override
  public Optional<TopicMetadata> topic(Uuid topicId) {
    return Optional.ofNullable(cache.topic(topicId));
  }

  @Override
  public Collection<TopicMetadata> topics() {
    return cache.topics();
  }

  @Override
  public long version() {
    return cache.version();
  }

  @Override
  public Optional<PartitionState> partitionState(String topic, int partition) {
    return Optional.ofNullable(cache.partitionState(topic, partition));
  }

  @Override
  public Optional<VersionedPartitionState> versionedPartitionState(String topic, int partition) {
    return Optional.ofNullable(cache.versionedPartitionState(topic, partition));
  }

  @Override
  public long brokerEpoch(int brokerId) {
    return cache.brokerEpoch(brokerId);
  }

  /** Listeners hear of changes from now on; read {@link #topics()} for the current state. */
  @Override
  public void addListener(MetadataListener listener) {
    notifier.addListener(listener);
  }
}
