package dev.ferry.coordinator.transaction;

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
 * Moves transaction coordination with leadership of {@code __transaction_state}, as the offsets
 * topic listener does for groups: leading a partition at a new epoch loads it (the leader epoch is
 * the coordinator epoch markers carry), losing it unloads. Writes wait for the high watermark, so a
 * coordinator that takes over finds every decision that was acknowledged.
 */
public final class TransactionStateTopicListener implements MetadataListener {

  private static final Logger log = LoggerFactory.getLogger(TransactionStateTopicListener.class);
  private static final String TOPIC = TransactionCoordinator.TRANSACTION_STATE_TOPIC;

  private final int brokerId;
  private final TransactionCoordinator coordinator;
  private final ReplicaManager replicaManager;
  private final MetadataView store;
  private final Map<Integer, Integer> loadedEpochs = new HashMap<>();

  public TransactionStateTopicListener(
      int brokerId,
      TransactionCoordinator coordinator,
      ReplicaManager replicaManager,
      MetadataView store) {
    this.brokerId = brokerId;
    this.coordinator = coordinator;
    this.replicaManager = replicaManager;
    this.store = store;
  }

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
        coordinator.onResignCoordinator(p);
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
      log.info("Becoming transaction coordinator for {} at epoch {}", tp, state.leaderEpoch());
      coordinator.onBecomeCoordinator(
          p,
          state.leaderEpoch(),
          new PartitionCoordinatorLog(
              tp, partition, replicaManager, coordinator.config().writeTimeoutMs()));
    } else if (!leads && loadedAt != null) {
      loadedEpochs.remove(p);
      coordinator.onResignCoordinator(p);
    }
  }
}
