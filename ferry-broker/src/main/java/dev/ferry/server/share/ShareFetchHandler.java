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
import org.apache.kafka.common.message.ShareFetchRequestData;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ShareFetchRequest;
import org.apache.kafka.common.requests.ShareFetchResponse;

/**
 * ShareFetch v1-2 (KIP-932): moves the member's share session on, applies the acknowledgements it
 * carries, then acquires records for the member from the session's partitions (waiting up to {@code
 * max_wait_ms} when there are none). The final epoch (-1) closes the session: acknowledgements are
 * applied and what the member still holds is released, nothing is fetched. A session also ends when
 * its connection closes: what the member held is released at once, as a dead client's records
 * should not wait out their acquisition lock.
 */
public final class ShareFetchHandler extends ApiHandler<ShareFetchRequest> {

  private final SharePartitionManager partitions;
  private final ShareSessions sessions;
  private final SharePartitionResolver resolver;

  public ShareFetchHandler(
      SharePartitionManager partitions, ShareSessions sessions, SharePartitionResolver resolver) {
    super(ApiKeys.SHARE_FETCH, ShareFetchRequest.class, 1, 2);
    this.partitions = partitions;
    this.sessions = sessions;
    this.resolver = resolver;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, ShareFetchRequest body) {
    ShareFetchRequestData data = body.data();
    int lockMs = partitions.config().recordLockDurationMs();
    if (data.groupId() == null
        || data.groupId().isEmpty()
        || data.memberId() == null
        || !ShareGroupCoordinator.isUuid(data.memberId())) {
      return done(topLevel(Errors.INVALID_REQUEST, lockMs));
    }
    List<TopicIdPartition> added = new ArrayList<>();
    Map<TopicIdPartition, List<SharePartition.AckBatch>> acks = new LinkedHashMap<>();
    for (ShareFetchRequestData.FetchTopic t : data.topics()) {
      for (ShareFetchRequestData.FetchPartition p : t.partitions()) {
        TopicIdPartition tp = resolver.partition(t.topicId(), p.partitionIndex());
        added.add(tp);
        if (!p.acknowledgementBatches().isEmpty()) {
          List<SharePartition.AckBatch> batches = new ArrayList<>();
          for (ShareFetchRequestData.AcknowledgementBatch b : p.acknowledgementBatches()) {
            batches.add(
                new SharePartition.AckBatch(b.firstOffset(), b.lastOffset(), b.acknowledgeTypes()));
          }
          acks.put(tp, batches);
        }
      }
    }
    List<TopicIdPartition> forgotten = new ArrayList<>();
    for (ShareFetchRequestData.ForgottenTopic t : data.forgottenTopicsData()) {
      for (Integer p : t.partitions()) {
        forgotten.add(resolver.partition(t.topicId(), p));
      }
    }
    int epoch = data.shareSessionEpoch();
    if (epoch == ShareSessions.FINAL_EPOCH && !added.isEmpty() && acks.size() < added.size()) {
      // The final request may only acknowledge.
      return done(topLevel(Errors.INVALID_REQUEST, lockMs));
    }
    ShareSessions.Update session =
        sessions.fetch(
            request.connectionId(), data.groupId(), data.memberId(), epoch, added, forgotten);
    if (session.error() != Errors.NONE) {
      return done(topLevel(session.error(), lockMs));
    }
    ShareAcknowledgements ackStep =
        new ShareAcknowledgements(partitions, resolver, data.groupId(), data.memberId());
    CompletableFuture<Map<TopicIdPartition, Errors>> acked = ackStep.apply(acks);
    if (epoch == ShareSessions.FINAL_EPOCH) {
      return acked
          .thenCompose(
              results -> ackStep.releaseAll(session.partitions()).thenApply(ignored -> results))
          .thenApply(results -> response(ackOnly(results), lockMs));
    }
    boolean full = epoch == ShareSessions.INITIAL_EPOCH;
    return acked.thenCompose(
        results -> {
          PendingShareFetch pending =
              new PendingShareFetch(
                  partitions,
                  resolver,
                  data,
                  session.partitions(),
                  results,
                  full,
                  () -> sessions.isOpen(data.groupId(), data.memberId()));
          return pending.start().thenApply(topics -> response(topics, lockMs));
        });
  }

  /** Ends the connection's sessions and gives back every record their members held. */
  @Override
  public void connectionClosed(String connectionId) {
    for (ShareSessions.Closed closed : sessions.closeConnection(connectionId)) {
      new ShareAcknowledgements(partitions, resolver, closed.groupId(), closed.memberId())
          .releaseAll(closed.partitions());
    }
  }

  private static Map<TopicIdPartition, ShareFetchResponseData.PartitionData> ackOnly(
      Map<TopicIdPartition, Errors> results) {
    Map<TopicIdPartition, ShareFetchResponseData.PartitionData> out = new LinkedHashMap<>();
    results.forEach(
        (tp, e) ->
            out.put(
                tp,
                new ShareFetchResponseData.PartitionData()
                    .setPartitionIndex(tp.partition())
                    .setAcknowledgeErrorCode(e.code())));
    return out;
  }

  private static AbstractResponse response(
      Map<TopicIdPartition, ShareFetchResponseData.PartitionData> parts, int lockMs) {
    return ShareFetchResponse.of(Errors.NONE, 0, new LinkedHashMap<>(parts), List.of(), lockMs);
  }

  private static AbstractResponse topLevel(Errors error, int lockMs) {
    // Kafka reports no lock timeout with a request-level error.
    return ShareFetchResponse.of(error, 0, new LinkedHashMap<>(), List.of(), 0);
  }

  private static CompletableFuture<AbstractResponse> done(AbstractResponse r) {
    return CompletableFuture.completedFuture(r);
  }
}
