package dev.ferry.server.cluster;

import dev.ferry.metadata.BrokerInfo;
import dev.ferry.metadata.MetadataView;
import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.TopicMetadata;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.Node;

/**
 * Read-only answers about the cluster for handlers: brokers, controller and partition leadership,
 * all served from the metadata cache (never a ZooKeeper round trip).
 */
public final class ClusterView {

  public static final String OFFSETS_TOPIC = "__consumer_offsets";
  public static final String TRANSACTION_STATE_TOPIC = "__transaction_state";
  public static final String SHARE_GROUP_STATE_TOPIC = "__share_group_state";

  private final MetadataView store;
  private final int localBrokerId;

  public ClusterView(MetadataView store, int localBrokerId) {
    this.store = store;
    this.localBrokerId = localBrokerId;
  }

  public MetadataView store() {
    return store;
  }

  public int localBrokerId() {
    return localBrokerId;
  }

  public String clusterId() {
    return store.clusterId();
  }

  public Collection<BrokerInfo> liveBrokers() {
    return store.liveBrokers();
  }

  public Set<Integer> liveBrokerIds() {
    Set<Integer> ids = new HashSet<>();
    for (BrokerInfo b : store.liveBrokers()) {
      ids.add(b.id());
    }
    return ids;
  }

  /** The controller id; until controller election exists, the lowest live broker id. */
  public int controllerId() {
    int min = Integer.MAX_VALUE;
    for (BrokerInfo b : store.liveBrokers()) {
      min = Math.min(min, b.id());
    }
    return min == Integer.MAX_VALUE ? localBrokerId : min;
  }

  public Optional<Node> node(int brokerId) {
    for (BrokerInfo b : store.liveBrokers()) {
      if (b.id() == brokerId) {
        return Optional.of(new Node(b.id(), b.host(), b.port(), b.rack()));
      }
    }
    return Optional.empty();
  }

  /** Leadership of a partition: from its ZooKeeper state, else the first replica at epoch 0. */
  public PartitionState partitionState(TopicMetadata topic, int partition) {
    List<Integer> replicas = topic.replicaAssignment().get(partition);
    return store
        .partitionState(topic.name(), partition)
        .orElseGet(() -> new PartitionState(replicas.get(0), 0, replicas, 0, 0));
  }

  /** The live broker leading {@code partition} of {@code topic}, if any. */
  public Optional<Node> leaderOf(String topic, int partition) {
    return store
        .topic(topic)
        .filter(t -> t.replicaAssignment().containsKey(partition))
        .flatMap(t -> node(partitionState(t, partition).leader()));
  }

  public static boolean isInternal(String topic) {
    return OFFSETS_TOPIC.equals(topic)
        || TRANSACTION_STATE_TOPIC.equals(topic)
        || SHARE_GROUP_STATE_TOPIC.equals(topic);
  }

  static List<Integer> offline(List<Integer> replicas, Set<Integer> live) {
    List<Integer> out = new ArrayList<>();
    for (int r : replicas) {
      if (!live.contains(r)) {
        out.add(r);
      }
    }
    return out;
  }
}
