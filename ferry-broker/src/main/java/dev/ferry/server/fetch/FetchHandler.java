package dev.ferry.server.fetch;

import dev.ferry.metadata.MetadataView;
import dev.ferry.metadata.TopicMetadata;
import dev.ferry.network.NetworkRequest;
import dev.ferry.replication.FetchParams;
import dev.ferry.replication.ReplicaManager;
import dev.ferry.replication.ReplicationThrottle;
import dev.ferry.runtime.DelayedOperationPurgatory;
import dev.ferry.server.ApiHandler;
import dev.ferry.server.LeaderHints;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.LeaderIdAndEpoch;
import org.apache.kafka.common.message.FetchResponseData.NodeEndpoint;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;

/**
 * Fetch with long polling. Sessions are declined (session id 0), so clients send full fetches; a
 * request is answered at once when it finds min_bytes or an error, otherwise it waits as a {@link
 * DelayedFetch} in this handler's purgatory until data arrives ({@link FetchWakeUps}) or
 * max_wait_ms passes (on the injected scheduler).
 */
public final class FetchHandler extends ApiHandler<FetchRequest> {

  private final FetchReader reader;
  private final MetadataView metadata;
  private final DelayedOperationPurgatory<DelayedFetch> purgatory;
  private final LeaderHints leaderHints;

  /**
   * @param scheduler expires parked fetches at their max wait
   */
  public FetchHandler(
      MetadataView metadata, ReplicaManager replicaManager, ScheduledExecutorService scheduler) {
    this(metadata, replicaManager, scheduler, ReplicationThrottle.NONE);
  }

  /**
   * @param leaderThrottle holds back data for throttled followers out of the ISR (replication
   *     quotas of partition reassignment)
   */
  public FetchHandler(
      MetadataView metadata,
      ReplicaManager replicaManager,
      ScheduledExecutorService scheduler,
      ReplicationThrottle leaderThrottle) {
    super(ApiKeys.FETCH, FetchRequest.class);
    this.reader = new FetchReader(metadata, replicaManager, leaderThrottle);
    this.metadata = metadata;
    this.leaderHints = new LeaderHints(metadata);
    this.purgatory = new DelayedOperationPurgatory<>("long-poll fetches", scheduler);
    FetchWakeUps wakeUps = new FetchWakeUps(purgatory);
    replicaManager.addAppendListener(wakeUps);
    replicaManager.addHighWatermarkListener(wakeUps);
  }

  /** Fetches parked now (for tests and diagnostics). */
  public int parkedFetches() {
    return purgatory.watched();
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(NetworkRequest request, FetchRequest req) {
    FetchRequestData data = req.data();
    short version = req.version();
    if (data.sessionId() != 0) {
      // We never hand out sessions, so a client naming one is confused: make it start over.
      return CompletableFuture.completedFuture(
          FetchResponse.of(
              new FetchResponseData()
                  .setErrorCode(Errors.FETCH_SESSION_ID_NOT_FOUND.code())
                  .setSessionId(0)));
    }
    FetchParams params = FetchParams.of(req.replicaId(), data.isolationLevel());
    FetchReader.Result first = reader.read(data, version, params);
    if (first.anyError()) {
      return CompletableFuture.completedFuture(
          FetchResponse.of(withLeaderHints(first.response(), version, request.listenerName())));
    }
    if (data.maxWaitMs() <= 0 || first.bytes() >= data.minBytes() || data.topics().isEmpty()) {
      return CompletableFuture.completedFuture(FetchResponse.of(first.response()));
    }
    CompletableFuture<AbstractResponse> future = new CompletableFuture<>();
    DelayedFetch delayed =
        new DelayedFetch(
            partitionsOf(data, version, params),
            data.minBytes(),
            params.fromFollower(),
            () -> reader.read(data, version, params),
            future);
    List<TopicPartition> keys = delayed.partitions();
    purgatory.watch(delayed, keys, data.maxWaitMs());
    // An append that landed between the first read and the watch would never wake us. (When the
    // first read found some bytes, a missed wake-up only costs waiting out max_wait_ms.)
    if (first.bytes() == 0 && reader.hasNewData(data, version, params)) {
      delayed.completeWithRead();
      purgatory.unwatch(delayed);
    }
    return future;
  }

  /**
   * KIP-951: partitions refused as not led here (or with a stale epoch) name the current leader
   * (v12+), and the response carries the endpoints of the leaders it names (v16+).
   */
  private FetchResponseData withLeaderHints(
      FetchResponseData response, short version, String listenerName) {
    if (version < 12) {
      return response;
    }
    for (FetchableTopicResponse t : response.responses()) {
      Optional<TopicMetadata> topic =
          version >= 13 ? metadata.topic(t.topicId()) : metadata.topic(t.topic());
      if (topic.isEmpty()) {
        continue;
      }
      for (PartitionData p : t.partitions()) {
        if (p.errorCode() != Errors.NOT_LEADER_OR_FOLLOWER.code()
            && p.errorCode() != Errors.FENCED_LEADER_EPOCH.code()) {
          continue;
        }
        leaderHints
            .leader(topic.get().name(), p.partitionIndex())
            .ifPresent(
                s -> {
                  p.setCurrentLeader(
                      new LeaderIdAndEpoch()
                          .setLeaderId(s.leader())
                          .setLeaderEpoch(s.leaderEpoch()));
                  if (version >= 16 && response.nodeEndpoints().find(s.leader()) == null) {
                    leaderHints
                        .endpoint(s.leader(), listenerName)
                        .ifPresent(
                            e ->
                                response
                                    .nodeEndpoints()
                                    .add(
                                        new NodeEndpoint()
                                            .setNodeId(e.nodeId())
                                            .setHost(e.host())
                                            .setPort(e.port())
                                            .setRack(e.rack())));
                  }
                });
      }
    }
    return response;
  }

  /**
   * The partitions whose appends may complete the parked fetch: a follower is not woken by
   * partitions it is throttled on (it would only get an empty answer and ask again at once).
   */
  private List<TopicPartition> partitionsOf(
      FetchRequestData data, short version, FetchParams params) {
    List<TopicPartition> out = new ArrayList<>();
    for (FetchTopic ft : data.topics()) {
      Optional<TopicMetadata> topic =
          version >= 13 ? metadata.topic(ft.topicId()) : metadata.topic(ft.topic());
      if (topic.isEmpty()) {
        continue;
      }
      for (FetchPartition fp : ft.partitions()) {
        TopicPartition tp = new TopicPartition(topic.get().name(), fp.partition());
        if (!reader.leaderThrottled(tp, params)) {
          out.add(tp);
        }
      }
    }
    return out;
  }
}
