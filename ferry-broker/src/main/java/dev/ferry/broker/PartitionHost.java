package dev.ferry.broker;

import dev.ferry.metadata.MetadataListener;
import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.TopicMetadata;
import dev.ferry.metadata.ZkMetadataStore;
import dev.ferry.replication.ReplicaManager;
import dev.ferry.storage.LogConfig;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the partitions hosted on this broker match the metadata in ZooKeeper: opens logs for
 * partitions this broker leads, applies config changes, and deletes logs of deleted topics.
 * Idempotent, so it is safe to call both from the metadata watch thread and right after an admin
 * write (which makes a topic usable as soon as CreateTopics returns).
 */
public final class PartitionHost implements MetadataListener {

  private static final Logger log = LoggerFactory.getLogger(PartitionHost.class);

  private final int brokerId;
  private final ZkMetadataStore store;
  private final ReplicaManager replicaManager;
  private final LogConfig logDefaults;

  public PartitionHost(
      int brokerId, ZkMetadataStore store, ReplicaManager replicaManager, LogConfig logDefaults) {
    this.brokerId = brokerId;
    this.store = store;
    this.replicaManager = replicaManager;
    this.logDefaults = logDefaults;
  }

  /** Hosts every partition of every known topic that this broker leads. */
  public void syncAll() {
    for (TopicMetadata topic : store.topics()) {
      onTopicChanged(topic);
    }
  }

  @Override
  public void onTopicChanged(TopicMetadata topic) {
    LogConfig config = logDefaults.with(topic.configs());
    for (Map.Entry<Integer, List<Integer>> e : topic.replicaAssignment().entrySet()) {
      int p = e.getKey();
      List<Integer> replicas = e.getValue();
      PartitionState state =
          store
              .partitionState(topic.name(), p)
              .orElse(new PartitionState(replicas.get(0), 0, replicas, 0, 0));
      if (state.leader() != brokerId) {
        continue;
      }
      TopicPartition tp = new TopicPartition(topic.name(), p);
      try {
        replicaManager.becomeLeader(tp, topic.topicId(), config, state.leaderEpoch(), replicas);
        replicaManager.updateConfig(tp, config);
      } catch (RuntimeException ex) {
        log.error("Could not host partition {}", tp, ex);
      }
    }
  }

  @Override
  public void onTopicDeleted(TopicMetadata topic) {
    log.info("Deleting local partitions of topic {}", topic.name());
    for (int p : topic.replicaAssignment().keySet()) {
      replicaManager.removePartition(new TopicPartition(topic.name(), p), true);
    }
  }
}
