package dev.ferry.server.share;

import dev.ferry.coordinator.share.ShareGroupCoordinator;
import dev.ferry.coordinator.share.SharePartition;
import dev.ferry.coordinator.share.SharePartitionManager;
import dev.ferry.coordinator.share.ShareSessions;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ShareAcknowledgeRequestData;
import org.apache.kafka.common.message.ShareAcknowledgeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ShareAcknowledgeRequest;
import org.apache.kafka.common.requests.ShareAcknowledgeResponse;

/**
 * ShareAcknowledge v1-2 (KIP-932): acknowledgements outside a fetch (commitSync/commitAsync, and
 * the final one on close, epoch -1, which also releases what the member still holds and closes its
 * share session). It needs an open session: epoch 0 is INVALID_SHARE_SESSION_EPOCH.
 */
public final class ShareAcknowledgeHandler extends ApiHandler<ShareAcknowledgeRequest> {

  private final SharePartitionManager partitions;
  private final ShareSessions sessions;
  private final SharePartitionResolver resolver;

  public ShareAcknowledgeHandler(
      SharePartitionManager partitions, ShareSessions sessions, SharePartitionResolver resolver) {
    super(ApiKeys.SHARE_ACKNOWLEDGE, ShareAcknowledgeRequest.class, 1, 2);
    this.partitions = partitions;
    this.sessions = sessions;
    this.resolver = resolver;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, ShareAcknowledgeRequest body) {
    ShareAcknowledgeRequestData data = body.data();
    if (data.groupId() == null
        || data.groupId().isEmpty()
        || data.memberId() == null
        || !ShareGroupCoordinator.isUuid(data.memberId())) {
      return done(topLevel(Errors.INVALID_REQUEST));
    }
    ShareSessions.Update session =
        sessions.acknowledge(
            request.connectionId(), data.groupId(), data.memberId(), data.shareSessionEpoch());
    if (session.error() != Errors.NONE) {
      return done(topLevel(session.error()));
    }
    Map<TopicIdPartition, List<SharePartition.AckBatch>> acks = new LinkedHashMap<>();
    for (ShareAcknowledgeRequestData.AcknowledgeTopic t : data.topics()) {
      for (ShareAcknowledgeRequestData.AcknowledgePartition p : t.partitions()) {
        List<SharePartition.AckBatch> batches = new ArrayList<>();
        for (ShareAcknowledgeRequestData.AcknowledgementBatch b : p.acknowledgementBatches()) {
          batches.add(
              new SharePartition.AckBatch(b.firstOffset(), b.lastOffset(), b.acknowledgeTypes()));
        }
        acks.put(resolver.partition(t.topicId(), p.partitionIndex()), batches);
      }
    }
    ShareAcknowledgements step =
        new ShareAcknowledgements(partitions, resolver, data.groupId(), data.memberId());
    CompletableFuture<Map<TopicIdPartition, Errors>> acked = step.apply(acks);
    if (data.shareSessionEpoch() == ShareSessions.FINAL_EPOCH) {
      acked = acked.thenCompose(r -> step.releaseAll(session.partitions()).thenApply(x -> r));
    }
    return acked.thenApply(this::response);
  }

  private AbstractResponse response(Map<TopicIdPartition, Errors> results) {
    ShareAcknowledgeResponseData data = new ShareAcknowledgeResponseData();
    Map<Uuid, ShareAcknowledgeResponseData.ShareAcknowledgeTopicResponse> byTopic =
        new LinkedHashMap<>();
    results.forEach(
        (tp, e) -> {
          ShareAcknowledgeResponseData.PartitionData pd =
              new ShareAcknowledgeResponseData.PartitionData()
                  .setPartitionIndex(tp.partition())
                  .setErrorCode(e.code());
          if (e == Errors.NOT_LEADER_OR_FOLLOWER || e == Errors.FENCED_LEADER_EPOCH) {
            int[] leader = resolver.leader(tp);
            pd.setCurrentLeader(
                new ShareAcknowledgeResponseData.LeaderIdAndEpoch()
                    .setLeaderId(leader[0])
                    .setLeaderEpoch(leader[1]));
          }
          byTopic
              .computeIfAbsent(
                  tp.topicId(),
                  id ->
                      new ShareAcknowledgeResponseData.ShareAcknowledgeTopicResponse()
                          .setTopicId(id))
              .partitions()
              .add(pd);
        });
    byTopic.values().forEach(t -> data.responses().add(t));
    return new ShareAcknowledgeResponse(data);
  }

  private static AbstractResponse topLevel(Errors error) {
    return new ShareAcknowledgeResponse(
        new ShareAcknowledgeResponseData().setErrorCode(error.code()));
  }

  private static CompletableFuture<AbstractResponse> done(AbstractResponse r) {
    return CompletableFuture.completedFuture(r);
  }
}
