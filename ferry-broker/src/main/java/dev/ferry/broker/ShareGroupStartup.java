package dev.ferry.broker;

import dev.ferry.controller.TopicAdmin;
import dev.ferry.coordinator.CoordinatorTopicListener;
import dev.ferry.coordinator.group.GroupCoordinator;
import dev.ferry.coordinator.group.PartitionCoordinatorLog;
import dev.ferry.coordinator.share.ShareGroupConfig;
import dev.ferry.coordinator.share.ShareGroupCoordinator;
import dev.ferry.coordinator.share.ShareGroupStore;
import dev.ferry.coordinator.share.SharePartitionManager;
import dev.ferry.coordinator.share.state.ShareStateCoordinator;
import dev.ferry.coordinator.share.state.ShareStateTopicConfig;
import dev.ferry.coordinator.transaction.InterBrokerClient;
import dev.ferry.metadata.MetadataStore;
import dev.ferry.replication.ReplicaManager;
import dev.ferry.server.ApiHandler;
import dev.ferry.server.KafkaApis;
import dev.ferry.server.authz.AuthorizedOperations;
import dev.ferry.server.cluster.ClusterView;
import dev.ferry.server.share.ReplicatedShareStateStore;
import dev.ferry.server.share.ShareApis;
import dev.ferry.server.share.ShareAwareListGroupsHandler;
import java.util.Deque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;

/**
 * Share groups (KIP-932): membership with the group coordinator's groups (the same coordinator
 * partition decides, and keeps the groups' snapshots in {@code __consumer_offsets}),
 * share-partition state with the partition leaders, kept durably by the share coordinator in the
 * replicated {@code __share_group_state} topic. Two threads of their own: {@code
 * ferry-share-coordinator} replays state partitions this broker comes to lead, {@code
 * ferry-share-state} loads share-partitions (waiting for their state, possibly from another broker)
 * and runs the offset admin APIs; lock expiries, fetch waits and session expiry run on {@code
 * ferry-scheduler}.
 */
final class ShareGroupStartup {

  final ShareGroupCoordinator coordinator;
  final SharePartitionManager partitions;
  private final SharePartitionManager.LogLookup logs;
  private final ShareStateCoordinator stateCoordinator;
  private final ExecutorService stateThread;

  ShareGroupStartup(
      BrokerConfig config,
      MetadataStore metadata,
      ReplicaManager replicaManager,
      GroupCoordinator groups,
      ClusterView cluster,
      TopicAdmin topics,
      InterBrokerClient interBroker,
      ScheduledExecutorService scheduler,
      Deque<AutoCloseable> started) {
    ShareGroupConfig shareConfig = ShareGroupConfig.from(config.originals());
    coordinator =
        new ShareGroupCoordinator(
            shareConfig,
            Time.SYSTEM,
            scheduler,
            name ->
                metadata
                    .topic(name)
                    .map(
                        t ->
                            new ShareGroupCoordinator.TopicInfo(
                                t.name(), t.topicId(), t.partitionCount())),
            group ->
                groups.isLoaded(groups.partitionFor(group)) ? Errors.NONE : Errors.NOT_COORDINATOR,
            new ShareGroupStore() {
              @Override
              public int partitionFor(String groupId) {
                return groups.partitionFor(groupId);
              }

              @Override
              public CompletableFuture<Errors> store(String groupId, byte[] snapshot) {
                return groups.storeShareGroup(groupId, snapshot);
              }
            });
    // Share-group membership is kept and loaded with the offsets partitions that coordinate it.
    groups.hostShareGroups(coordinator);
    ExecutorService coordinatorThread = thread("ferry-share-coordinator");
    started.push(coordinatorThread::shutdownNow);
    stateThread = thread("ferry-share-state");
    started.push(stateThread::shutdownNow);
    stateCoordinator =
        new ShareStateCoordinator(
            ShareStateTopicConfig.from(config.originals()), coordinatorThread, Time.SYSTEM);
    ShareStateCoordinator coordinator = stateCoordinator;
    CoordinatorTopicListener listener =
        new CoordinatorTopicListener(
            "share coordinator",
            ShareStateTopicConfig.TOPIC,
            coordinator.config().numPartitions(),
            coordinator.config().writeTimeoutMs(),
            config.brokerId,
            new CoordinatorTopicListener.Coordinated() {
              @Override
              public void load(int partition, int leaderEpoch, PartitionCoordinatorLog log) {
                coordinator.onBecomeLeader(partition, log);
              }

              @Override
              public void unload(int partition) {
                coordinator.onResign(partition);
              }
            },
            replicaManager,
            metadata);
    metadata.addListener(listener);
    listener.syncAll();
    logs = ShareApis.logLookup(metadata, replicaManager);
    partitions =
        new SharePartitionManager(
            shareConfig,
            logs,
            metadata::groupConfigs,
            new ReplicatedShareStateStore(stateCoordinator, cluster, topics, interBroker),
            scheduler,
            stateThread);
    replicaManager.addHighWatermarkListener(p -> partitions.onHighWatermarkChanged());
  }

  private static ExecutorService thread(String name) {
    return Executors.newSingleThreadExecutor(
        r -> {
          Thread t = new Thread(r, name);
          t.setDaemon(true);
          return t;
        });
  }

  /** Registers the share APIs, and the share coordinator's inter-broker ones. */
  void register(KafkaApis apis, MetadataStore metadata) {
    for (ApiHandler<?> handler :
        ShareApis.handlers(
            coordinator,
            partitions,
            logs,
            metadata,
            AuthorizedOperations.allowAll(),
            stateCoordinator,
            stateThread)) {
      apis.register(handler);
    }
  }

  /** {@code handler}, or for ListGroups the same answer with the share groups added. */
  ApiHandler<?> withShareGroups(ApiHandler<?> handler) {
    return handler.apiKey() == ApiKeys.LIST_GROUPS
        ? new ShareAwareListGroupsHandler(handler, coordinator)
        : handler;
  }
}
