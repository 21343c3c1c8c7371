package dev.ferry.server.cluster;

import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.TopicMetadata;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.message.MetadataResponseData.MetadataResponsePartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * The partitions part of a topic's Metadata answer, built once per metadata version and shared by
 * every request until the metadata changes.
 *
 * <p>A topic of 10,000 partitions answered from scratch costs 10,000 state look-ups, three lists
 * and one response object per partition, and a sort, on every Metadata request, although the answer
 * changes only when leadership, an ISR, the assignment or the set of live brokers does. The {@link
 * dev.ferry.metadata.MetadataView#version()} of the view says when that is: the lists built at one
 * version are reused while the version stays, and all of them are dropped when it moves (a
 * generation per version, so topics that were deleted do not linger). The shared lists are never
 * changed after they are built: handlers that adjust an answer (authorized operations, hidden
 * topics, listener addresses) change only the per-request topic and broker objects around them.
 */
final class PartitionDescriptions {

  /** The lists built for one metadata version, by topic name. */
  private record Generation(long version, Map<String, Built> byTopic) {}

  /** The partitions of {@code topic} (that exact object) as built. */
  private record Built(TopicMetadata topic, List<MetadataResponsePartition> partitions) {}

  private final ClusterView cluster;
  private final AtomicReference<Generation> current =
      new AtomicReference<>(new Generation(-1, new ConcurrentHashMap<>()));

  PartitionDescriptions(ClusterView cluster) {
    this.cluster = cluster;
  }

  /**
   * The partitions of {@code topic} as the Metadata answer lists them (by partition index), as of
   * {@code version}, which the caller read before it read {@code topic} and {@code live}. Do not
   * modify the list or its elements: they may be shared with other requests.
   */
  List<MetadataResponsePartition> of(TopicMetadata topic, Set<Integer> live, long version) {
    if (version < 0) {
      return build(topic, live);
    }
    Generation generation = generation(version);
    if (generation == null) {
      return build(topic, live); // a newer version is already cached: do not replace it
    }
    Built built = generation.byTopic().get(topic.name());
    if (built != null && built.topic() == topic) {
      return built.partitions();
    }
    List<MetadataResponsePartition> partitions = build(topic, live);
    generation.byTopic().put(topic.name(), new Built(topic, partitions));
    return partitions;
  }

  /** The generation of {@code version}, started if need be; null if a newer one exists. */
  private Generation generation(long version) {
    while (true) {
      Generation g = current.get();
      if (g.version() == version) {
        return g;
      }
      if (g.version() > version) {
        return null;
      }
      Generation next = new Generation(version, new ConcurrentHashMap<>());
      if (current.compareAndSet(g, next)) {
        return next;
      }
    }
  }

  private List<MetadataResponsePartition> build(TopicMetadata topic, Set<Integer> live) {
    List<MetadataResponsePartition> partitions = new ArrayList<>(topic.partitionCount());
    for (Map.Entry<Integer, List<Integer>> e : topic.replicaAssignment().entrySet()) {
      PartitionState state = cluster.partitionState(topic, e.getKey());
      boolean leaderLive = live.contains(state.leader());
      partitions.add(
          new MetadataResponsePartition()
              .setPartitionIndex(e.getKey())
              .setErrorCode(leaderLive ? Errors.NONE.code() : Errors.LEADER_NOT_AVAILABLE.code())
              .setLeaderId(leaderLive ? state.leader() : -1)
              .setLeaderEpoch(state.leaderEpoch())
              .setReplicaNodes(e.getValue())
              .setIsrNodes(state.isr())
              .setOfflineReplicas(ClusterView.offline(e.getValue(), live)));
    }
    partitions.sort((a, b) -> Integer.compare(a.partitionIndex(), b.partitionIndex()));
    return Collections.unmodifiableList(partitions);
  }
}
