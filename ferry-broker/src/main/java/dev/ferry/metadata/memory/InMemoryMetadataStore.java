package dev.ferry.metadata.memory;

import dev.ferry.metadata.BrokerInfo;
import dev.ferry.metadata.CachedMetadataStore;
import dev.ferry.metadata.ControllerElection;
import dev.ferry.metadata.ControllerEpoch;
import dev.ferry.metadata.MetadataCache;
import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.ProducerIdBlock;
import dev.ferry.metadata.TopicMetadata;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.TopicPartition;

/**
 * One broker's session with an {@link InMemoryMetadataCluster}: the in-JVM counterpart of {@link
 * dev.ferry.metadata.zk.ZkMetadataStore}, with the same contract. Reads come from this session's
 * own {@link MetadataCache}; writes go to the cluster, which applies them to every session before
 * returning. Listeners run on this session's "ferry-metadata-events" thread. Closing the session
 * drops its registration, controlled-shutdown request and controller candidacy at once.
 */
public final class InMemoryMetadataStore extends CachedMetadataStore {

  private final InMemoryMetadataCluster cluster;
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile long ownEpoch = -1;

  InMemoryMetadataStore(InMemoryMetadataCluster cluster) {
    this.cluster = cluster;
  }

  /** A single broker's store: a session of a cluster of its own. */
  public static InMemoryMetadataStore standalone() {
    return new InMemoryMetadataCluster().connect();
  }

  MetadataCache cache() {
    return cache;
  }

  @Override
  public String clusterId() {
    return cluster.clusterId();
  }

  @Override
  public TopicMetadata createTopic(
      String name, Map<Integer, List<Integer>> replicaAssignment, Map<String, String> configs) {
    return cluster.createTopic(name, replicaAssignment, configs);
  }

  @Override
  public void deleteTopic(String name) {
    cluster.deleteTopic(name);
  }

  @Override
  public TopicMetadata addPartitions(String name, Map<Integer, List<Integer>> newPartitions) {
    return cluster.addPartitions(name, newPartitions);
  }

  @Override
  public TopicMetadata setTopicConfigs(String name, Map<String, String> configs) {
    return cluster.setTopicConfigs(name, configs);
  }

  @Override
  public Map<String, String> groupConfigs(String groupId) {
    return cluster.groupConfigs(groupId);
  }

  @Override
  public java.util.Set<String> groupIdsWithConfigs() {
    return cluster.groupIdsWithConfigs();
  }

  @Override
  public void setGroupConfigs(String groupId, Map<String, String> configs) {
    cluster.setGroupConfigs(groupId, configs);
  }

  @Override
  public ProducerIdBlock allocateProducerIdBlock(int brokerId, int blockSize) {
    return cluster.allocateProducerIdBlock(brokerId, blockSize);
  }

  @Override
  public Optional<PartitionState> compareAndSetPartitionState(
      String topic,
      int partition,
      int expectedPartitionEpoch,
      PartitionState next,
      ControllerEpoch fence) {
    return cluster.compareAndSetPartitionState(
        topic, partition, expectedPartitionEpoch, next, fence);
  }

  @Override
  public boolean compareAndSetReplicas(
      String topic,
      int partition,
      dev.ferry.metadata.PartitionReplicas expected,
      dev.ferry.metadata.PartitionReplicas next,
      StateChange stateChange,
      ControllerEpoch fence) {
    return cluster.compareAndSetReplicas(topic, partition, expected, next, stateChange, fence);
  }

  @Override
  public Optional<PartitionState> readPartitionState(String topic, int partition) {
    return cluster.readPartitionState(topic, partition);
  }

  @Override
  public ControllerEpoch claimControllerEpoch() {
    return cluster.claimControllerEpoch();
  }

  @Override
  public ControllerElection controllerElection(
      int brokerId, ControllerElection.Listener listener, Executor executor) {
    return cluster.election().candidate(this, brokerId, listener, executor);
  }

  @Override
  public Set<Integer> shutdownRequests(Runnable onChange) {
    return cluster.shutdownRequests(onChange);
  }

  @Override
  public void registerBroker(BrokerInfo broker, long staleSessionWaitMs) {
    // A closed session's registration is gone at once, so there is never a stale one to wait for.
    ownEpoch = cluster.registerBroker(broker, this);
  }

  @Override
  public long ownBrokerEpoch() {
    return ownEpoch;
  }

  @Override
  public int sessionTimeoutMs() {
    return 0;
  }

  @Override
  public void requestControlledShutdown(int brokerId) {
    cluster.requestControlledShutdown(brokerId, this);
  }

  @Override
  public void reportOfflineReplicas(int brokerId, Set<TopicPartition> partitions) {
    cluster.reportOfflineReplicas(brokerId, partitions, this);
  }

  @Override
  public Map<Integer, Set<TopicPartition>> offlineReplicas(Runnable onChange) {
    return cluster.offlineReplicas(onChange);
  }

  @Override
  public void close() {
    if (closed.compareAndSet(false, true)) {
      cluster.disconnect(this);
      notifier.close();
    }
  }

  @Override
  public Map<String, String> entityConfigs(String type, String name) {
    return cluster.entityConfigs(type, name);
  }

  @Override
  public void setEntityConfigs(String type, String name, Map<String, String> configs) {
    cluster.setEntityConfigs(type, name, configs);
  }

  @Override
  public Map<String, Map<String, String>> allEntityConfigs(String type) {
    return cluster.allEntityConfigs(type);
  }

  @Override
  public void watchEntityConfigs(
      String type, java.util.function.Consumer<Map<String, Map<String, String>>> listener) {
    cluster.watchEntityConfigs(type, listener);
  }
}
