package dev.ferry.coordinator.group;

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
 * Moves group coordination with leadership of {@code __consumer_offsets}: when this broker leads a
 * partition of it (at a new epoch), the coordinator loads that partition; when it stops leading,
 * the coordinator unloads it. Register it with the metadata store after the listener that opens led
 * partitions, and call {@link #syncAll()} once at start-up.
 *
 * <p>Appends go through the {@link ReplicaManager}, like acks=all produce requests: an append
 * completes only once the high watermark covers it (so a coordinator that takes over after a
 * failover finds every acknowledged commit in its replica), failing after {@code
 * offsets.commit.timeout.ms}.
 */
public final class OffsetsTopicListener implements MetadataListener {

  private static final Logger log = LoggerFactory.getLogger(OffsetsTopicListener.class);

  private final int brokerId;
  private final GroupCoordinator coordinator;
  private final ReplicaManager replicaManager;
  private final MetadataView store;
  private final long commitTimeoutMs;

  /** Offsets partitions coordinated here, with the leader epoch they were loaded at. */
  private final Map<Integer, Integer> loadedEpochs = new HashMap<>();

  public OffsetsTopicListener(
      int brokerId,
      GroupCoordinator coordinator,
      ReplicaManager replicaManager,
      MetadataView store) {
    this(brokerId, coordinator, replicaManager, store, DEFAULT_COMMIT_TIMEOUT_MS);
  }

  /** Kafka's default offsets.commit.timeout.ms. */
  public static final long DEFAULT_COMMIT_TIMEOUT_MS = 5_000;

  public OffsetsTopicListener(
      int brokerId,
      GroupCoordinator coordinator,
      ReplicaManager replicaManager,
      MetadataView store,
      long commitTimeoutMs) {
    this.commitTimeoutMs = commitTimeoutMs;
    this.brokerId = brokerId;
    this.coordinator = coordinator;
    this.replicaManager = replicaManager;
    this.store = store;
  }

  /** Catches up with the current metadata (start-up). */
  public void syncAll() {
    store.topic(GroupCoordinator.OFFSETS_TOPIC).ifPresent(this::onTopicChanged);
  }

  @Override
  public synchronized void onTopicChanged(TopicMetadata topic) {
    if (!GroupCoordinator.OFFSETS_TOPIC.equals(topic.name())) {
      return;
    }
    int n = coordinator.config().offsetsTopicNumPartitions();
    if (topic.partitionCount() != n) {
      log.warn(
          "{} has {} partitions but offsets.topic.num.partitions is {}; groups map to the first {}",
          topic.name(),
          topic.partitionCount(),
          n,
          n);
    }
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
    if (GroupCoordinator.OFFSETS_TOPIC.equals(topic.name())
        && partition < coordinator.config().offsetsTopicNumPartitions()) {
      update(partition, state);
    }
  }

  @Override
  public synchronized void onTopicDeleted(TopicMetadata topic) {
    if (GroupCoordinator.OFFSETS_TOPIC.equals(topic.name())) {
      for (int p : loadedEpochs.keySet()) {
        coordinator.onResignCoordinator(p);
      }
      loadedEpochs.clear();
    }
  }

  private void update(int p, PartitionState state) {
    TopicPartition tp = new TopicPartition(GroupCoordinator.OFFSETS_TOPIC, p);
    Partition partition = replicaManager.partition(tp);
    boolean leads = state.leader() == brokerId && partition != null && partition.isLeader();
    Integer loadedAt = loadedEpochs.get(p);
    if (leads && (loadedAt == null || loadedAt != state.leaderEpoch())) {
      loadedEpochs.put(p, state.leaderEpoch());
      log.info("Becoming group coordinator for {} at leader epoch {}", tp, state.leaderEpoch());
      coordinator.onBecomeCoordinator(
          p, new PartitionCoordinatorLog(tp, partition, replicaManager, commitTimeoutMs));
    } else if (!leads && loadedAt != null) {
      loadedEpochs.remove(p);
      coordinator.onResignCoordinator(p);
    }
  }
}
