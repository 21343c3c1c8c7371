package dev.ferry.metadata;

import java.io.Closeable;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.Uuid;

/**
 * Cluster metadata in ZooKeeper through Curator: cluster id, live brokers, topics with their
 * assignment, configs and partition state, and producer-id blocks. Reads come from an in-memory
 * cache kept current by watches; writes are blocking calls (never call them on a network thread).
 */
public final class ZkMetadataStore implements Closeable {

  /** Connects to {@code connectString} (may carry a chroot) and waits for the session. */
  public static ZkMetadataStore connect(String connectString, int sessionTimeoutMs) {
    throw new UnsupportedOperationException("TODO");
  }

  /** The cluster id, created on first start of the cluster and stable afterwards. */
  public String clusterId() {
    throw new UnsupportedOperationException("TODO");
  }

  /** Registers this broker as live (ephemeral node); fails if the id is taken by a live broker. */
  public void registerBroker(BrokerInfo broker) {
    throw new UnsupportedOperationException("TODO");
  }

  public Collection<BrokerInfo> liveBrokers() {
    throw new UnsupportedOperationException("TODO");
  }

  /**
   * @throws org.apache.kafka.common.errors.TopicExistsException if the name is taken
   */
  public TopicMetadata createTopic(
      String name, Map<Integer, List<Integer>> replicaAssignment, Map<String, String> configs) {
    throw new UnsupportedOperationException("TODO");
  }

  /**
   * @throws org.apache.kafka.common.errors.UnknownTopicOrPartitionException if absent
   */
  public void deleteTopic(String name) {
    throw new UnsupportedOperationException("TODO");
  }

  /** Adds partitions; {@code newPartitions} maps each new partition number to its replicas. */
  public TopicMetadata addPartitions(String name, Map<Integer, List<Integer>> newPartitions) {
    throw new UnsupportedOperationException("TODO");
  }

  /** Replaces the topic's config overrides with {@code configs}. */
  public TopicMetadata setTopicConfigs(String name, Map<String, String> configs) {
    throw new UnsupportedOperationException("TODO");
  }

  public Optional<TopicMetadata> topic(String name) {
    throw new UnsupportedOperationException("TODO");
  }

  public Optional<TopicMetadata> topic(Uuid topicId) {
    throw new UnsupportedOperationException("TODO");
  }

  public Collection<TopicMetadata> topics() {
    throw new UnsupportedOperationException("TODO");
  }

  public Optional<PartitionState> partitionState(String topic, int partition) {
    throw new UnsupportedOperationException("TODO");
  }

  public void addListener(MetadataListener listener) {
    throw new UnsupportedOperationException("TODO");
  }

  /** Reserves the next block of producer ids for {@code brokerId}, durably. */
  public ProducerIdBlock allocateProducerIdBlock(int brokerId, int blockSize) {
    throw new UnsupportedOperationException("TODO");
  }

  @Override
  public void close() {
    throw new UnsupportedOperationException("TODO");
  }
}
