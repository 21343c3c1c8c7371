package dev.ferry.server.cluster;

import dev.ferry.metadata.BrokerInfo;
import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.TopicMetadata;
import dev.ferry.metadata.TopicTableMetadataView;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.Uuid;

/**
 * Metadata for the cluster handlers' unit tests: even partitions on brokers 3 and 1, odd ones on 1
 * and 2, each led by the replica at {@code leaderReplica}; brokers 1 and 2 live. Every change
 * through its methods raises the version ({@code versioned = false} answers -1, a view that keeps
 * none). Tests may also change {@link #states} directly, without a new version.
 */
final class FakeMetadataView extends TopicTableMetadataView {

  final Map<String, PartitionState> states = new HashMap<>();
  final TreeSet<Integer> live = new TreeSet<>(List.of(1, 2));
  private final int leaderReplica;
  private long version;
  boolean versioned = true;

  /** {@code leaderReplica}: 0 or 1, the index in each partition's replicas of its leader. */
  FakeMetadataView(int leaderReplica) {
    this.leaderReplica = leaderReplica;
  }

  void topic(String name, int partitions) {
    Map<Integer, List<Integer>> assignment = new TreeMap<>();
    // Inserted in descending order: an answer must still list them by index.
    for (int p = partitions - 1; p >= 0; p--) {
      assignment.put(p, p % 2 == 0 ? List.of(3, 1) : List.of(1, 2));
    }
    byName.put(name, new TopicMetadata(name, Uuid.randomUuid(), assignment, Map.of()));
    for (int p = 0; p < partitions; p++) {
      List<Integer> replicas = assignment.get(p);
      states.put(
          name + "-" + p, new PartitionState(replicas.get(leaderReplica), 0, replicas, 0, 0));
    }
    version++;
  }

  void setState(String topic, int partition, PartitionState state) {
    states.put(topic + "-" + partition, state);
    version++;
  }

  void setLive(Integer... ids) {
    live.clear();
    live.addAll(List.of(ids));
    version++;
  }

  @Override
  public long version() {
    return versioned ? version : -1;
  }

  @Override
  public String clusterId() {
    return "fake";
  }

  @Override
  public Collection<BrokerInfo> liveBrokers() {
    List<BrokerInfo> out = new ArrayList<>();
    for (int id : live) {
      out.add(new BrokerInfo(id, "127.0.0.1", id, null));
    }
    return out;
  }

  @Override
  public Optional<BrokerInfo> liveBroker(int brokerId) {
    return liveBrokers().stream().filter(b -> b.id() == brokerId).findFirst();
  }

  @Override
  public Optional<PartitionState> partitionState(String topic, int partition) {
    return Optional.ofNullable(states.get(topic + "-" + partition));
  }
}
