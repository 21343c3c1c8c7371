package dev.ferry.coordinator;

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
 * Moves a coordinator with leadership of its internal topic ({@code __transaction_state}, {@code
 * __share_group_state}): leading a partition at a new leader epoch loads it, losing it unloads it.
 * The coordinator writes through {@link PartitionCoordinatorLog}, so a write completes only once
 * the high watermark covers it, and a coordinator that takes over finds every acknowledged write.
 */
public final class CoordinatorTopicListener implements MetadataListener {

  /** The coordinator side: what it does when this broker starts or stops leading a partition. */
  public interface Coordinated {

    /** This broker leads {@code partition} at {@code leaderEpoch}: load it from {@code log}. */
    void load(int partition, int leaderEpoch, PartitionCoordinatorLog log);

    /** This broker no longer leads {@code partition}. */
    void unload(int partition);
  }

  private static final Logger log = LoggerFactory.getLogger(CoordinatorTopicListener.class);

  private final String role;
  private final String topic;
  private final int numPartitions;
  private final long writeTimeoutMs;
  private final int brokerId;
  private final Coordinated coordinator;
  private final ReplicaManager replicaManager;
  private final MetadataView store;
  private final Map<Integer, Integer> loadedEpochs = new HashMap<>();

  /**
   * @param role what the log lines call the coordinator, e.g. "transaction coordinator"
   * @param numPartitions partitions of {@code topic} the coordinator uses (the first ones)
   */
  public CoordinatorTopicListener(
      String role,
      String topic,
      int numPartitions,
      long writeTimeoutMs,
      int brokerId,
      Coordinated coordinator,
      ReplicaManager replicaManager,
      MetadataView store) {
    this.role = role;
    this.topic = topic;
    this.numPartitions = numPartitions;
    this.writeTimeoutMs = writeTimeoutMs;
    this.brokerId = brokerId;
    this.coordinator = coordinator;
    this.replicaManager = replicaManager;
    this.store = store;
  }

  /** Catches up with the current metadata (start-up). */
  public void syncAll() {
    store.topic(topic).ifPresent(this::onTopicChanged);
  }

  @Override
  public synchronized void onTopicChanged(TopicMetadata changed) {
    if (!topic.equals(changed.name())) {
      return;
    }
    for (Map.Entry<Integer, List<Integer>> e : changed.replicaAssignment().entrySet()) {
      if (e.getKey() < numPartitions) {
        PartitionState state =
            store
                .partitionState(changed.name(), e.getKey())
                .orElse(new PartitionState(e.getValue().get(0), 0, e.getValue(), 0, 0));
        update(e.getKey(), state);
      }
    }
  }

  @Override
  public synchronized void onPartitionStateChanged(
      TopicMetadata changed, int partition, PartitionState state) {
    if (topic.equals(changed.name()) && partition < numPartitions) {
      update(partition, state);
    }
  }

  @Override
  public synchronized void onTopicDeleted(TopicMetadata deleted) {
    if (topic.equals(deleted.name())) {
      for (int p : loadedEpochs.keySet()) {
        coordinator.unload(p);
      }
      loadedEpochs.clear();
    }
  }

  private void update(int p, PartitionState state) {
    TopicPartition tp = new TopicPartition(topic, p);
    Partition partition = replicaManager.partition(tp);
    boolean leads = state.leader() == brokerId && partition != null && partition.isLeader();
    Integer loadedAt = loadedEpochs.get(p);
    if (leads && (loadedAt == null || loadedAt != state.leaderEpoch())) {
      loadedEpochs.put(p, state.leaderEpoch());
      log.info("Becoming {} for {} at leader epoch {}", role, tp, state.leaderEpoch());
      coordinator.load(
          p,
          state.leaderEpoch(),
          new PartitionCoordinatorLog(tp, partition, replicaManager, writeTimeoutMs));
    } else if (!leads && loadedAt != null) {
      loadedEpochs.remove(p);
      coordinator.unload(p);
    }
  }
}
