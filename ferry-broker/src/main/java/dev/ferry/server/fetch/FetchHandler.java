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
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
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
import org.apache.kafka.common.requests.FetchMetadata;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.utils.Time;

/**
 * Fetch with long polling and incremental fetch sessions (KIP-227, {@link FetchSessionCache}): a
 * full fetch at epoch 0 gets a session if there is room, and later requests name only the
 * partitions whose position changed and are answered with only the partitions that have news. A
 * request is answered at once when it finds min_bytes or an error, otherwise it waits as a {@link
 * DelayedFetch} in this handler's purgatory until data arrives ({@link FetchWakeUps}) or
 * max_wait_ms passes (on the injected scheduler).
 */
public final class FetchHandler extends ApiHandler<FetchRequest> {

  private final FetchReader reader;
  private final MetadataView metadata;
  private final DelayedOperationPurgatory<DelayedFetch> purgatory;
  private final LeaderHints leaderHints;
  private final FetchSessionCache sessions;
  private volatile ConsumerBytesListener consumerBytes = ConsumerBytesListener.NONE;

  /** Kafka's default {@code max.incremental.fetch.session.cache.slots}. */
  public static final int DEFAULT_SESSION_SLOTS = 1000;

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
    this(
        metadata,
        replicaManager,
        scheduler,
        leaderThrottle,
        new FetchSessionCache(DEFAULT_SESSION_SLOTS, Time.SYSTEM));
  }

  /**
   * @param sessions the incremental fetch sessions ({@code
   *     max.incremental.fetch.session.cache.slots})
   */
  public FetchHandler(
      MetadataView metadata,
      ReplicaManager replicaManager,
      ScheduledExecutorService scheduler,
      ReplicationThrottle leaderThrottle,
      FetchSessionCache sessions) {
    super(ApiKeys.FETCH, FetchRequest.class);
    this.sessions = sessions;
    this.reader = new FetchReader(metadata, replicaManager, leaderThrottle);
    this.metadata = metadata;
    this.leaderHints = new LeaderHints(metadata);
    this.purgatory = new DelayedOperationPurgatory<>("long-poll fetches", scheduler);
    FetchWakeUps wakeUps = new FetchWakeUps(purgatory);
    replicaManager.addAppendListener(wakeUps);
    replicaManager.addHighWatermarkListener(wakeUps);
  }

  /**
   * Counts the record bytes of consumer fetch responses per topic (the web console's bytes out).
   */
  public void setConsumerBytesListener(ConsumerBytesListener listener) {
    this.consumerBytes = listener;
  }

  /** Fetches parked now (for tests and diagnostics). */
  public int parkedFetches() {
    return purgatory.watched();
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(NetworkRequest request, FetchRequest req) {
    FetchRequestData data = req.data();
    short version = req.version();
    FetchParams params = FetchParams.of(req.replicaId(), data.isolationLevel());
    int epoch = data.sessionEpoch();
    if (epoch == FetchMetadata.INITIAL_EPOCH || epoch == FetchMetadata.FINAL_EPOCH) {
      // A full fetch: it closes the session it names; epoch 0 asks for a new one.
      if (data.sessionId() != FetchMetadata.INVALID_SESSION_ID) {
        sessions.remove(data.sessionId());
      }
      sessions.countFull();
      UnaryOperator<FetchResponseData> finish =
          epoch == FetchMetadata.INITIAL_EPOCH
              ? read -> withNewSession(read, data, version, params)
              : UnaryOperator.identity();
      return fetch(request, data, data, data, version, params, null, finish);
    }
    FetchSession session = sessions.get(data.sessionId());
    if (session == null) {
      return sessionError(Errors.FETCH_SESSION_ID_NOT_FOUND);
    }
    synchronized (session) {
      if (session.epoch() != epoch) {
        return sessionError(Errors.INVALID_FETCH_SESSION_EPOCH);
      }
      if (session.byTopicId() != (version >= 13)) {
        return sessionError(Errors.FETCH_SESSION_TOPIC_ID_ERROR);
      }
      int before = session.size();
      session.update(data, sessions.nowMs());
      sessions.resized(session.size() - before);
      if (session.size() == 0) {
        // Every partition forgotten: the session ends, answered as a full fetch of nothing.
        sessions.remove(session.id());
        return fetch(request, data, data, data, version, params, null, UnaryOperator.identity());
      }
    }
    sessions.countIncremental();
    // A consumer's caught-up, unchanged partitions are not even read (a follower's are: each
    // fetch records its progress).
    FetchReader.QuietCheck quiet =
        params.fromFollower() ? null : (fp, p) -> session.quiet(fp, p, params.isolation());
    return fetch(request, data, session.view(), session, version, params, quiet, session::filter);
  }

  /**
   * Reads {@code toRead} (the request, or a session's partitions) holding {@code lock} (the
   * session; a full request's own data otherwise), answers at once or parks the fetch until
   * min_bytes or max_wait_ms; {@code finish} turns the last read into the answer.
   */
  private CompletableFuture<AbstractResponse> fetch(
      NetworkRequest request,
      FetchRequestData data,
      FetchRequestData toRead,
      Object lock,
      short version,
      FetchParams params,
      FetchReader.QuietCheck quiet,
      UnaryOperator<FetchResponseData> finish) {
    UnaryOperator<FetchResponseData> locked =
        read -> {
          FetchResponseData answer;
          synchronized (lock) {
            answer = finish.apply(read);
          }
          if (!params.fromFollower()) {
            countConsumerBytes(answer, version);
          }
          return answer;
        };
    Supplier<FetchReader.Result> read =
        () -> {
          synchronized (lock) {
            return reader.read(toRead, version, params, quiet);
          }
        };
    FetchReader.Result first = read.get();
    if (first.anyError()) {
      return CompletableFuture.completedFuture(
          FetchResponse.of(
              withLeaderHints(locked.apply(first.response()), version, request.listenerName())));
    }
    List<TopicPartition> keys;
    synchronized (lock) {
      if (data.maxWaitMs() <= 0 || first.bytes() >= data.minBytes() || toRead.topics().isEmpty()) {
        return CompletableFuture.completedFuture(FetchResponse.of(locked.apply(first.response())));
      }
      keys = partitionsOf(toRead, version, params);
    }
    CompletableFuture<AbstractResponse> future = new CompletableFuture<>();
    DelayedFetch delayed =
        new DelayedFetch(keys, data.minBytes(), params.fromFollower(), read, locked, future);
    purgatory.watch(delayed, keys, data.maxWaitMs());
    // An append that landed between the first read and the watch would never wake us. (When the
    // first read found some bytes, a missed wake-up only costs waiting out max_wait_ms.)
    boolean newData;
    synchronized (lock) {
      newData = first.bytes() == 0 && reader.hasNewData(toRead, version, params);
    }
    if (newData) {
      delayed.completeWithRead();
      purgatory.unwatch(delayed);
    }
    return future;
  }

  /** Reports each topic's record bytes in a consumer's answer (topics without data cost a sum). */
  private void countConsumerBytes(FetchResponseData answer, short version) {
    ConsumerBytesListener listener = consumerBytes;
    if (listener == ConsumerBytesListener.NONE) {
      return;
    }
    for (FetchableTopicResponse topic : answer.responses()) {
      long bytes = 0;
      for (PartitionData p : topic.partitions()) {
        if (p.records() != null) {
          bytes += p.records().sizeInBytes();
        }
      }
      if (bytes == 0) {
        continue;
      }
      String name =
          version >= 13
              ? metadata.topic(topic.topicId()).map(TopicMetadata::name).orElse(null)
              : topic.topic();
      if (name != null) {
        listener.onConsumerBytes(name, bytes);
      }
    }
  }

  /** The answer to a full fetch at epoch 0: with a new session's id if the cache has room. */
  private FetchResponseData withNewSession(
      FetchResponseData read, FetchRequestData data, short version, FetchParams params) {
    FetchSession session =
        version >= 7
            ? sessions.maybeCreate(params.fromFollower(), version >= 13, data, read)
            : null;
    return read.setSessionId(session == null ? FetchMetadata.INVALID_SESSION_ID : session.id());
  }

  private CompletableFuture<AbstractResponse> sessionError(Errors error) {
    sessions.countError();
    return CompletableFuture.completedFuture(
        FetchResponse.of(
            new FetchResponseData()
                .setErrorCode(error.code())
                .setSessionId(FetchMetadata.INVALID_SESSION_ID)));
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
