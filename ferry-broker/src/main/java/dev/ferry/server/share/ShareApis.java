package dev.ferry.server.share;

import dev.ferry.coordinator.share.ShareGroupCoordinator;
import dev.ferry.coordinator.share.SharePartitionManager;
import dev.ferry.coordinator.share.ShareSessions;
import dev.ferry.coordinator.share.state.ShareStateCoordinator;
import dev.ferry.metadata.MetadataView;
import dev.ferry.replication.Partition;
import dev.ferry.replication.ReplicaManager;
import dev.ferry.server.ApiHandler;
import dev.ferry.server.authz.AuthorizedOperations;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.utils.Time;

/** The share-group (KIP-932) handlers and the partition lookup their state needs. */
public final class ShareApis {

  private ShareApis() {}

  /** Share-partitions read the leader's log of their partition through this. */
  public static SharePartitionManager.LogLookup logLookup(
      MetadataView metadata, ReplicaManager replicaManager) {
    return tp -> {
      Partition p = replicaManager.partition(new TopicPartition(tp.topic(), tp.partition()));
      if (p == null || !p.isLeader()) {
        if (metadata.topic(tp.topicId()).isEmpty()) {
          throw new UnknownTopicOrPartitionException("Unknown partition " + tp);
        }
        throw new NotLeaderOrFollowerException("Not the leader of " + tp);
      }
      return new PartitionShareLog(p);
    };
  }

  public static List<ApiHandler<?>> handlers(
      ShareGroupCoordinator coordinator,
      SharePartitionManager partitions,
      SharePartitionManager.LogLookup logs,
      MetadataView metadata,
      AuthorizedOperations authorizedOperations,
      ShareStateCoordinator stateCoordinator,
      Executor blocking) {
    ShareSessions sessions =
        new ShareSessions(
            partitions.config().maxShareSessions(),
            partitions.config().sessionTimeoutMs(),
            Time.SYSTEM);
    SharePartitionResolver resolver = new SharePartitionResolver(metadata);
    List<ApiHandler<?>> out = new ArrayList<>();
    out.add(new ShareGroupHeartbeatHandler(coordinator));
    out.add(new ShareGroupDescribeHandler(coordinator, authorizedOperations));
    out.add(new ShareFetchHandler(partitions, sessions, resolver));
    out.add(new ShareAcknowledgeHandler(partitions, sessions, resolver));
    out.addAll(
        ShareGroupOffsetsHandlers.of(
            new ShareGroupOffsets(coordinator, partitions, logs, metadata), blocking));
    out.addAll(ShareStateHandlers.of(stateCoordinator));
    return List.copyOf(out);
  }
}
