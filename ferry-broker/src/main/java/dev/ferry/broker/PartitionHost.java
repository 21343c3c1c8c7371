package dev.ferry.broker;

import dev.ferry.metadata.MetadataListener;
import dev.ferry.metadata.MetadataView;
import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.TopicMetadata;
import dev.ferry.metadata.VersionedPartitionState;
import dev.ferry.replication.ReplicaManager;
import dev.ferry.storage.LogConfig;
import dev.ferry.storage.OpenFiles;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the partitions hosted on this broker match the metadata in ZooKeeper: every partition with
 * a replica here is opened, as leader when its state names this broker, else as follower of the
 * leader it names; config changes are applied and logs of deleted topics removed. Idempotent, so it
 * is safe to call both from the metadata watch thread and right after an admin write (which makes a
 * topic usable as soon as CreateTopics returns).
 *
 * <p>A state naming this broker leader is obeyed only if it was written after this broker's current
 * registration (its zxid above our broker epoch). A state from before was decided about an earlier
 * incarnation: one that may have held records this process does not have, if it restarted after a
 * crash or a power loss. Leading on it would make the followers truncate acknowledged records to
 * our shorter log (seed 39850102277049 of ClusterFaultInjectionTest did exactly that). Until the
 * controller decides again — it re-elects every partition whose leader registered after the
 * decision — such a partition is hosted as a follower without a leader: it neither takes produce
 * requests nor answers followers as their leader.
 */
public final class PartitionHost implements MetadataListener {

  private static final Logger log = LoggerFactory.getLogger(PartitionHost.class);
  static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";

  private final int brokerId;
  private final MetadataView store;
  private final ReplicaManager replicaManager;
  private final LogConfig logDefaults;
  private final int defaultMinInsyncReplicas;
  private final OpenFiles openFiles;

  /** Topics with a partition that could not be hosted for lack of file descriptors. */
  private final Set<String> awaitingDescriptors = new HashSet<>();

  public PartitionHost(
      int brokerId,
      MetadataView store,
      ReplicaManager replicaManager,
      LogConfig logDefaults,
      int defaultMinInsyncReplicas) {
    this(
        brokerId, store, replicaManager, logDefaults, defaultMinInsyncReplicas, OpenFiles.system());
  }

  /**
   * @param openFiles the descriptor accounting: new partitions are admitted against it, and
   *     partitions that could not be created are retried when it reports free descriptors
   */
  public PartitionHost(
      int brokerId,
      MetadataView store,
      ReplicaManager replicaManager,
      LogConfig logDefaults,
      int defaultMinInsyncReplicas,
      OpenFiles openFiles) {
    this.brokerId = brokerId;
    this.store = store;
    this.replicaManager = replicaManager;
    this.logDefaults = logDefaults;
    this.defaultMinInsyncReplicas = defaultMinInsyncReplicas;
    this.openFiles = openFiles;
    openFiles.onHeadroom(this::retryAwaitingDescriptors);
  }

  /**
   * Refuses a topic or partition creation whose replicas here would not fit under the open-files
   * limit (one descriptor per new segment), so the client gets a clear error instead of partitions
   * that never come online.
   *
   * @throws org.apache.kafka.common.errors.KafkaStorageException not enough descriptors left
   */
  public void checkCanHost(String topic, Map<Integer, List<Integer>> replicas) {
    int here = 0;
    for (List<Integer> r : replicas.values()) {
      if (r.contains(brokerId)) {
        here++;
      }
    }
    if (here > 0) {
      openFiles.requireRoomFor(
          here, "host " + here + " new partition(s) of topic " + topic + " on broker " + brokerId);
    }
  }

  /** Hosts again the partitions that failed for lack of descriptors (called once some are free). */
  synchronized void retryAwaitingDescriptors() {
    List<String> topics = List.copyOf(awaitingDescriptors);
    awaitingDescriptors.clear();
    for (String name : topics) {
      store.topic(name).ifPresent(this::onTopicChanged);
    }
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
    // The new logs in one batch first (one directory fsync for all), then the roles one by one.
    Map<TopicPartition, LogConfig> here = new LinkedHashMap<>();
    for (Map.Entry<Integer, List<Integer>> e : topic.replicaAssignment().entrySet()) {
      if (e.getValue().contains(brokerId)) {
        here.put(new TopicPartition(topic.name(), e.getKey()), config);
      }
    }
    replicaManager.createLogs(here);
    for (Map.Entry<Integer, List<Integer>> e : topic.replicaAssignment().entrySet()) {
      int p = e.getKey();
      apply(topic, p, config);
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
    // The newest state with the zxid that wrote it (the listener's copy may be older).
    apply(current, partition, logDefaults.with(current.configs()));
  }

  private void apply(TopicMetadata topic, int p, LogConfig config) {
    VersionedPartitionState written = store.versionedPartitionState(topic.name(), p).orElse(null);
    PartitionState state;
    if (written == null) {
      // Not known yet (a topic whose state znodes have not arrived): wait for it, leading nothing.
      List<Integer> replicas = topic.replicaAssignment().get(p);
      state = new PartitionState(-1, 0, replicas, 0, 0);
    } else {
      state = written.state();
      long ourEpoch = store.ownBrokerEpoch();
      if (state.leader() == brokerId && (ourEpoch < 0 || !written.writtenAfter(ourEpoch))) {
        log.info(
            "{}-{}: not leading at epoch {}: it was decided before this broker registered (broker"
                + " epoch {}, state written at zxid 0x{}); waiting for the controller",
            topic.name(),
            p,
            state.leaderEpoch(),
            ourEpoch,
            Long.toHexString(written.zxid()));
        state =
            new PartitionState(
                -1,
                state.leaderEpoch(),
                state.isr(),
                state.controllerEpoch(),
                state.partitionEpoch());
      }
    }
    apply(topic, p, state, config);
  }

  private void apply(TopicMetadata topic, int p, PartitionState state, LogConfig config) {
    List<Integer> replicas = topic.replicaAssignment().get(p);
    TopicPartition tp = new TopicPartition(topic.name(), p);
    if (replicas == null || !replicas.contains(brokerId)) {
      if (replicas != null && replicaManager.partition(tp) != null) {
        // A completed or cancelled reassignment moved the replica away: stop and delete it.
        log.info("{} has no replica on broker {} any more; deleting it here", tp, brokerId);
        replicaManager.removePartition(tp, true);
      }
      return;
    }
    int minIsr = minInsyncReplicas(topic);
    try {
      if (state.leader() == brokerId) {
        replicaManager.makeLeader(tp, topic.topicId(), config, state, replicas, minIsr);
      } else {
        replicaManager.makeFollower(tp, topic.topicId(), config, state, replicas, minIsr);
      }
    } catch (RuntimeException ex) {
      if (OpenFiles.isExhaustion(ex)) {
        // Logged once by OpenFiles; retried when descriptors are freed.
        awaitingDescriptors.add(topic.name());
        log.debug("Could not host partition {} for lack of file descriptors", tp);
      } else {
        log.error("Could not host partition {} as {}", tp, state, ex);
      }
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
    awaitingDescriptors.remove(topic.name());
    for (int p : topic.replicaAssignment().keySet()) {
      replicaManager.removePartition(new TopicPartition(topic.name(), p), true);
    }
  }
}
