package dev.ferry.metadata;

import java.util.Collection;
import java.util.Optional;
import org.apache.kafka.common.Uuid;

/**
 * Read-only cluster metadata: what request handlers, partition hosting and replication may see.
 * Every method answers from memory and never blocks, so it is safe on a network thread. After a
 * write through the same store returns, these reads already reflect it.
 *
 * <p>Writes are deliberately not reachable from this type: request handlers hold a view and send
 * writes through {@link dev.ferry.controller.TopicAdmin}, which runs them on the admin thread.
 */
public interface MetadataView {

  /** The cluster id, created on the first start of the cluster and stable afterwards. */
  String clusterId();

  /** Live brokers by ascending id. */
  Collection<BrokerInfo> liveBrokers();

  Optional<BrokerInfo> liveBroker(int brokerId);

  Optional<TopicMetadata> topic(String name);

  /** O(1): Produce v13 and Fetch v13+ name topics only by id. */
  Optional<TopicMetadata> topic(Uuid topicId);

  Collection<TopicMetadata> topics();

  Optional<PartitionState> partitionState(String topic, int partition);

  /**
   * Listeners hear of changes from now on, on the store's "ferry-metadata-events" thread; read
   * {@link #topics()} for the current state.
   */
  void addListener(MetadataListener listener);
}
