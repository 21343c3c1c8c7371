package dev.ferry.broker;

import dev.ferry.metadata.MetadataListener;
import dev.ferry.metadata.MetadataView;
import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.TopicMetadata;
import dev.ferry.replication.ReplicaManager;
import dev.ferry.storage.LogConfig;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the partitions hosted on this broker match the metadata in ZooKeeper: every partition with
 * a replica here is opened, as leader when its state names this broker, else as follower of the
 * leader it names; config changes are applied and logs of deleted topics removed. Idempotent, so it
 * is safe to call both from the metadata watch thread and right after an admin write (which makes a
 * topic usable as soon as CreateTopics returns).
 */
public final class PartitionHost implements MetadataListener {

  private static final Logger log = LoggerFactory.getLogger(PartitionHost.class);
  static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";

  private final int brokerId;
  private final MetadataView store;
  private final ReplicaManager replicaManager;
  private final LogConfig logDefaults;
  private final int defaultMinInsyncReplicas;

  public PartitionHost(
      int brokerId,
      MetadataView store,
      ReplicaManager replicaManager,
      LogConfig logDefaults,
      int defaultMinInsyncReplicas) {
    this.brokerId = brokerId;
    this.store = store;
    this.replicaManager = replicaManager;
    this.logDefaults = logDefaults;
    this.defaultMinInsyncReplicas = defaultMinInsyncReplicas;
  }

  /** Hosts every partition of every known topic that has a replica on this broker. */
  public void syncAll() {
    for (TopicMetadata topic : store.topics()) {
      onTopicChanged(topic);
    }
  }

  @Override
  public synchronized void onTopicChanged(TopicMetadata topic) {
    LogConfig config = logDefaults.with(topic.configs());
    for (Map.Entry<Integer, List<Integer>> e : topic.replicaAssignment().entrySet()) {
      int p = e.getKey();
      List<Integer> replicas = e.getValue();
      PartitionState state =
          store
              .partitionState(topic.name(), p)
              .orElse(new PartitionState(replicas.get(0), 0, replicas, 0, 0));
      apply(topic, p, state, config);
      replicaManager.updateConfig(new TopicPartition(topic.name(), p), config);
    }
  }

  @Override
  public synchronized void onPartitionStateChanged(
      TopicMetadata topic, int partition, PartitionState state) {
    // The listener's copy of the topic may be older than the cache's; use the newest.
    TopicMetadata current = store.topic(topic.name()).orElse(topic);
    if (!current.topicId().equals(topic.topicId())) {
      return;
    }
    apply(current, partition, state, logDefaults.with(current.configs()));
  }

  private void apply(TopicMetadata topic, int p, PartitionState state, LogConfig config) {
    List<Integer> replicas = topic.replicaAssignment().get(p);
    if (replicas == null || !replicas.contains(brokerId)) {
      return;
    }
    TopicPartition tp = new TopicPartition(topic.name(), p);
    int minIsr = minInsyncReplicas(topic);
    try {
      if (state.leader() == brokerId) {
        replicaManager.makeLeader(tp, topic.topicId(), config, state, replicas, minIsr);
      } else {
        replicaManager.makeFollower(tp, topic.topicId(), config, state, replicas, minIsr);
      }
    } catch (RuntimeException ex) {
      log.error("Could not host partition {} as {}", tp, state, ex);
    }
  }

  private int minInsyncReplicas(TopicMetadata topic) {
    String v = topic.configs().get(MIN_INSYNC_REPLICAS);
    if (v != null) {
      try {
        return Integer.parseInt(v.trim());
      } catch (NumberFormatException e) {
        log.warn("Topic {} has a bad {}: {}", topic.name(), MIN_INSYNC_REPLICAS, v);
      }
    }
    return defaultMinInsyncReplicas;
  }

  @Override
  public synchronized void onTopicDeleted(TopicMetadata topic) {
    log.info("Deleting local partitions of topic {}", topic.name());
    for (int p : topic.replicaAssignment().keySet()) {
      replicaManager.removePartition(new TopicPartition(topic.name(), p), true);
    }
  }
}
