package dev.ferry.coordinator.share.state;

import dev.ferry.coordinator.group.PartitionCoordinatorLog;
import dev.ferry.metadata.MetadataListener;
import dev.ferry.metadata.MetadataView;
import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.TopicMetadata;
import dev.ferry.replication.Partition;
import dev.ferry.replication.ReplicaManager;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves the share coordinator with leadership of {@code __share_group_state}, as the offsets and
 * transaction-state listeners do for theirs: leading a partition at a new epoch loads it, losing it
 * unloads it. Appends go through {@link PartitionCoordinatorLog}, so a write completes only once
 * the high watermark covers it (failing after {@code share.coordinator.write.timeout.ms}).
 */
public final class ShareStateTopicListener implements MetadataListener {

  private static final Logger log = LoggerFactory.getLogger(ShareStateTopicListener.class);
  private static final String TOPIC = ShareStateTopicConfig.TOPIC;

  private final int brokerId;
  private final ShareStateCoordinator coordinator;
  private final ReplicaManager replicaManager;
  private final MetadataView store;
  private final Map<Integer, Integer> loadedEpochs = new HashMap<>();

  public ShareStateTopicListener(
      int brokerId,
      ShareStateCoordinator coordinator,
      ReplicaManager replicaManager,
      MetadataView store) {
    this.brokerId = brokerId;
    this.coordinator = coordinator;
    this.replicaManager = replicaManager;
    this.store = store;
  }

  /** Catches up with the current metadata (start-up). */
  public void syncAll() {
    store.topic(TOPIC).ifPresent(this::onTopicChanged);
  }

  @Override
  public synchronized void onTopicChanged(TopicMetadata topic) {
    if (!TOPIC.equals(topic.name())) {
      return;
    }
    int n = coordinator.config().numPartitions();
    for (Map.Entry<Integer, List<Integer>> e : topic.replicaAssignment().entrySet()) {
      if (e.getKey() < n) {
        PartitionState state =
            store
                .partitionState(topic.name(), e.getKey())
                .orElse(new PartitionState(e.getValue().get(0), 0, e.getValue(), 0, 0));
        update(e.getKey(), state);
      }
    }
  }

  @Override
  public synchronized void onPartitionStateChanged(
      TopicMetadata topic, int partition, PartitionState state) {
    if (TOPIC.equals(topic.name()) && partition < coordinator.config().numPartitions()) {
      update(partition, state);
    }
  }

  @Override
  public synchronized void onTopicDeleted(TopicMetadata topic) {
    if (TOPIC.equals(topic.name())) {
      for (int p : loadedEpochs.keySet()) {
        coordinator.onResign(p);
      }
      loadedEpochs.clear();
    }
  }

  private void update(int p, PartitionState state) {
    TopicPartition tp = new TopicPartition(TOPIC, p);
    Partition partition = replicaManager.partition(tp);
    boolean leads = state.leader() == brokerId && partition != null && partition.isLeader();
    Integer loadedAt = loadedEpochs.get(p);
    if (leads && (loadedAt == null || loadedAt != state.leaderEpoch())) {
      loadedEpochs.put(p, state.leaderEpoch());
      log.info("Becoming share coordinator for {} at leader epoch {}", tp, state.leaderEpoch());
      coordinator.onBecomeLeader(
          p,
          new PartitionCoordinatorLog(
              tp, partition, replicaManager, coordinator.config().writeTimeoutMs()));
    } else if (!leads && loadedAt != null) {
      loadedEpochs.remove(p);
      coordinator.onResign(p);
    }
  }
}
