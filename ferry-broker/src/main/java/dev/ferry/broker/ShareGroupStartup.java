package dev.ferry.broker;

import dev.ferry.coordinator.group.GroupCoordinator;
import dev.ferry.coordinator.share.FileShareStateStore;
import dev.ferry.coordinator.share.ShareGroupConfig;
import dev.ferry.coordinator.share.ShareGroupCoordinator;
import dev.ferry.coordinator.share.SharePartitionManager;
import dev.ferry.metadata.MetadataStore;
import dev.ferry.replication.ReplicaManager;
import dev.ferry.server.ApiHandler;
import dev.ferry.server.KafkaApis;
import dev.ferry.server.authz.AuthorizedOperations;
import dev.ferry.server.share.ShareApis;
import dev.ferry.server.share.ShareAwareListGroupsHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;

/**
 * Share groups (KIP-932): membership with the group coordinator's groups (the same coordinator
 * partition decides), share-partition state with the partition leaders, kept in files of the first
 * log directory. State loads on {@code ferry-admin} (it reads group configs); lock expiries, fetch
 * waits and session expiry run on {@code ferry-scheduler}.
 */
final class ShareGroupStartup {

  final ShareGroupCoordinator coordinator;
  final SharePartitionManager partitions;
  private final SharePartitionManager.LogLookup logs;

  ShareGroupStartup(
      BrokerConfig config,
      MetadataStore metadata,
      ReplicaManager replicaManager,
      GroupCoordinator groups,
      ExecutorService admin,
      ScheduledExecutorService scheduler) {
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
                groups.isLoaded(groups.partitionFor(group)) ? Errors.NONE : Errors.NOT_COORDINATOR);
    logs = ShareApis.logLookup(metadata, replicaManager);
    try {
      partitions =
          new SharePartitionManager(
              shareConfig,
              logs,
              metadata::groupConfigs,
              new FileShareStateStore(config.logDirs.get(0)),
              scheduler,
              admin);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open the share-group state directory", e);
    }
    replicaManager.addHighWatermarkListener(p -> partitions.onHighWatermarkChanged());
  }

  /** Registers the share APIs. */
  void register(KafkaApis apis, MetadataStore metadata) {
    for (ApiHandler<?> handler :
        ShareApis.handlers(
            coordinator, partitions, logs, metadata, AuthorizedOperations.allowAll())) {
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
