package dev.ferry.metadata;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

/**
 * The broker's in-memory view of cluster metadata, so that Metadata, Produce and Fetch requests
 * never wait for ZooKeeper.
 *
 * <p>Fed znode by znode (from watches and from the results of this broker's own writes), it
 * composes {@link TopicMetadata} from a topic's znode and its config znode, and publishes it in
 * concurrent maps by name and by topic id (Produce v13 and Fetch v13+ carry only ids). Updates are
 * serialised by this object's lock and ordered by zxid ({@link ZxidOrderedMap}); readers take no
 * lock. Every published change is handed to the {@link ListenerNotifier}.
 */
public final class MetadataCache {

  private final ListenerNotifier notifier;

  // The raw znode values, guarded by "this".
  private final ZxidOrderedMap<String, TopicAssignment> topicNodes = new ZxidOrderedMap<>();
  private final ZxidOrderedMap<String, Map<String, String>> configNodes = new ZxidOrderedMap<>();
  private final ZxidOrderedMap<TopicPartition, PartitionState> stateNodes = new ZxidOrderedMap<>();
  private final ZxidOrderedMap<Integer, BrokerInfo> brokerNodes = new ZxidOrderedMap<>();

  // The published view, read without locks.
  private final Map<String, TopicMetadata> topicsByName = new ConcurrentHashMap<>();
  private final Map<Uuid, TopicMetadata> topicsById = new ConcurrentHashMap<>();
  private final Map<TopicPartition, VersionedPartitionState> partitionStates =
      new ConcurrentHashMap<>();
  private final Map<Integer, BrokerInfo> brokers = new ConcurrentHashMap<>();
  private final Map<Integer, Long> brokerEpochs = new ConcurrentHashMap<>();

  /** Raised after each change of the published view (see {@link MetadataView#version()}). */
  private final AtomicLong version = new AtomicLong();

  public MetadataCache(ListenerNotifier notifier) {
    this.notifier = notifier;
  }

  // ---- reads (any thread, no lock)

  /** See {@link MetadataView#version()}: read it before the metadata it stands for. */
  public long version() {
    return version.get();
  }

  public TopicMetadata topic(String name) {
    return topicsByName.get(name);
  }

  public TopicMetadata topic(Uuid topicId) {
    return topicsById.get(topicId);
  }

  public List<TopicMetadata> topics() {
    return List.copyOf(topicsByName.values());
  }

  public PartitionState partitionState(String topic, int partition) {
    VersionedPartitionState v = partitionStates.get(new TopicPartition(topic, partition));
    return v == null ? null : v.state();
  }

  /** The state with the zxid that wrote it (its znode's mzxid), or null. */
  public VersionedPartitionState versionedPartitionState(String topic, int partition) {
    return partitionStates.get(new TopicPartition(topic, partition));
  }

  public BrokerInfo broker(int brokerId) {
    return brokers.get(brokerId);
  }

  /**
   * The broker epoch of a live broker, Kafka's term for the zxid that created its current
   * registration znode (czxid): a broker that restarted, or whose session expired, registers again
   * with a larger one. -1 if the broker is not live.
   */
  public long brokerEpoch(int brokerId) {
    Long epoch = brokerEpochs.get(brokerId);
    return epoch == null ? -1 : epoch;
  }

  /** Live brokers by ascending id. */
  public List<BrokerInfo> liveBrokers() {
    List<BrokerInfo> result = new ArrayList<>(brokers.values());
    result.sort(Comparator.comparingInt(BrokerInfo::id));
    return List.copyOf(result);
  }

  // ---- updates: czxid/mzxid of the znode; deletedUpTo as in ZxidOrderedMap.remove

  public synchronized void putTopic(
      String name, TopicAssignment assignment, long czxid, long mzxid) {
    if (topicNodes.put(name, assignment, czxid, mzxid)) {
      republish(name);
    }
  }

  public synchronized void removeTopic(String name, long deletedUpTo) {
    if (topicNodes.remove(name, deletedUpTo)) {
      republish(name);
    }
  }

  public synchronized void putTopicConfig(
      String name, Map<String, String> configs, long czxid, long mzxid) {
    if (configNodes.put(name, configs, czxid, mzxid)) {
      republish(name);
    }
  }

  public synchronized void removeTopicConfig(String name, long deletedUpTo) {
    if (configNodes.remove(name, deletedUpTo)) {
      republish(name);
    }
  }

  public synchronized void putPartitionState(
      String topic, int partition, PartitionState state, long czxid, long mzxid) {
    TopicPartition tp = new TopicPartition(topic, partition);
    if (stateNodes.put(tp, state, czxid, mzxid)) {
      partitionStates.put(tp, new VersionedPartitionState(state, mzxid));
      version.incrementAndGet();
      TopicMetadata published = topicsByName.get(topic);
      // Partitions not yet in the published assignment are reported when it catches up.
      if (published != null && published.replicaAssignment().containsKey(partition)) {
        notifier.partitionStateChanged(published, partition, state);
      }
    }
  }

  public synchronized void removePartitionState(String topic, int partition, long deletedUpTo) {
    TopicPartition tp = new TopicPartition(topic, partition);
    if (stateNodes.remove(tp, deletedUpTo)) {
      partitionStates.remove(tp);
      version.incrementAndGet();
    }
  }

  public synchronized void putBroker(BrokerInfo broker, long czxid, long mzxid) {
    if (brokerNodes.put(broker.id(), broker, czxid, mzxid)) {
      brokerEpochs.put(broker.id(), czxid);
      brokers.put(broker.id(), broker);
      version.incrementAndGet();
      notifier.brokersChanged(liveBrokers());
    }
  }

  public synchronized void removeBroker(int brokerId, long deletedUpTo) {
    if (brokerNodes.remove(brokerId, deletedUpTo)) {
      brokers.remove(brokerId);
      brokerEpochs.remove(brokerId);
      version.incrementAndGet();
      notifier.brokersChanged(liveBrokers());
    }
  }

  /** Recomputes the published metadata of one topic from its znodes and reports any change. */
  private void republish(String name) {
    TopicAssignment assignment = topicNodes.get(name);
    TopicMetadata previous = topicsByName.get(name);
    if (assignment == null) {
      if (previous != null) {
        topicsByName.remove(name);
        topicsById.remove(previous.topicId());
        version.incrementAndGet();
        notifier.topicDeleted(previous);
      }
      return;
    }
    Map<String, String> configs = configNodes.get(name);
    TopicMetadata current =
        new TopicMetadata(
            name,
            assignment.topicId(),
            assignment.partitions(),
            configs == null ? Map.of() : configs,
            assignment.reassignments());
    if (current.equals(previous)) {
      return;
    }
    if (previous != null && !previous.topicId().equals(current.topicId())) {
      // Deleted and re-created under the same name while we were not looking.
      topicsById.remove(previous.topicId());
      notifier.topicDeleted(previous);
      previous = null;
    }
    topicsById.put(current.topicId(), current);
    topicsByName.put(name, current);
    version.incrementAndGet();
    notifier.topicChanged(current);
    for (Integer partition : current.replicaAssignment().keySet()) {
      if (previous == null || !previous.replicaAssignment().containsKey(partition)) {
        PartitionState state = stateNodes.get(new TopicPartition(name, partition));
        if (state != null) {
          notifier.partitionStateChanged(current, partition, state);
        }
      }
    }
  }
}
