package dev.ferry.replication;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchRequestData.ForgottenTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchMetadata;

/**
 * A replica fetcher's side of a fetch session (KIP-227) with one leader: the first fetch is full at
 * epoch 0 and asks for a session; while the leader keeps one, each fetch names only the partitions
 * that are new or whose position, leader epoch or log start changed, and forgets those no longer
 * fetched. Any error, or a leader answering without a session, starts over with a full fetch. Not
 * thread-safe: one fetcher thread uses it.
 */
final class FollowerFetchSession {

  /** What the leader's session holds for a partition, as last sent. */
  private record Sent(long fetchOffset, int leaderEpoch, long logStartOffset, int maxBytes) {}

  private record Key(Uuid topicId, int partition) {}

  private final Map<Key, Sent> sent = new HashMap<>();
  private int sessionId = FetchMetadata.INVALID_SESSION_ID;
  private int epoch = FetchMetadata.INITIAL_EPOCH;
  private boolean lastWasFull;

  /**
   * Sets {@code request}'s session fields, topics and forgotten topics for fetching {@code wanted}
   * (every partition the fetcher wants now, grouped by topic).
   */
  void prepare(FetchRequestData request, Map<Uuid, List<FetchPartition>> wanted) {
    lastWasFull = epoch == FetchMetadata.INITIAL_EPOCH;
    request.setSessionId(sessionId).setSessionEpoch(epoch);
    List<FetchTopic> topics = new ArrayList<>(wanted.size());
    Map<Key, Sent> now = new HashMap<>();
    for (Map.Entry<Uuid, List<FetchPartition>> e : wanted.entrySet()) {
      List<FetchPartition> changed = new ArrayList<>();
      for (FetchPartition fp : e.getValue()) {
        Key key = new Key(e.getKey(), fp.partition());
        Sent s =
            new Sent(
                fp.fetchOffset(),
                fp.currentLeaderEpoch(),
                fp.logStartOffset(),
                fp.partitionMaxBytes());
        now.put(key, s);
        if (lastWasFull || !Objects.equals(sent.get(key), s)) {
          changed.add(fp);
        }
      }
      if (!changed.isEmpty()) {
        topics.add(new FetchTopic().setTopicId(e.getKey()).setPartitions(changed));
      }
    }
    request.setTopics(topics);
    List<ForgottenTopic> forgotten = new ArrayList<>();
    if (!lastWasFull) {
      Map<Uuid, List<Integer>> gone = new LinkedHashMap<>();
      for (Iterator<Key> it = sent.keySet().iterator(); it.hasNext(); ) {
        Key k = it.next();
        if (!now.containsKey(k)) {
          gone.computeIfAbsent(k.topicId(), id -> new ArrayList<>()).add(k.partition());
        }
      }
      gone.forEach(
          (id, partitions) ->
              forgotten.add(new ForgottenTopic().setTopicId(id).setPartitions(partitions)));
    }
    request.setForgottenTopicsData(forgotten);
    sent.clear();
    sent.putAll(now);
  }

  /** True if the request prepared last is a full fetch (every wanted partition named). */
  boolean lastWasFull() {
    return lastWasFull;
  }

  /** Takes the leader's answer to the request prepared last. */
  void onResponse(FetchResponseData response) {
    if (response.errorCode() != Errors.NONE.code()) {
      reset();
    } else if (lastWasFull) {
      sessionId = response.sessionId();
      epoch =
          sessionId == FetchMetadata.INVALID_SESSION_ID
              ? FetchMetadata.INITIAL_EPOCH
              : FetchMetadata.nextEpoch(FetchMetadata.INITIAL_EPOCH);
    } else {
      epoch = FetchMetadata.nextEpoch(epoch);
    }
  }

  /** The next fetch is full and asks for a new session (after an error or a lost connection). */
  void reset() {
    sessionId = FetchMetadata.INVALID_SESSION_ID;
    epoch = FetchMetadata.INITIAL_EPOCH;
    sent.clear();
  }

  int sessionId() {
    return sessionId;
  }
}
