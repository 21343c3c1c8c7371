package dev.ferry.server.fetch;

import dev.ferry.replication.FetchIsolation;
import dev.ferry.replication.Partition;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchRequestData.ForgottenTopic;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;

/**
 * One incremental fetch session (KIP-227): the partitions a client fetches, each with its fetch
 * position and what the client was last told of it (high watermark, last stable offset, log start
 * offset). An incremental request names only the partitions whose position changed; the answer
 * holds only the partitions with something new.
 *
 * <p>The partitions are kept as one {@link FetchRequestData} that every read of the session reads
 * as it reads a full request, so a session adds no per-partition work to the read itself; what the
 * client was told is kept per partition object, compared and updated in the same order as the
 * response lists them. Callers hold the session's monitor while they update, read and filter.
 */
final class FetchSession {

  private static final int HIGH_WATERMARK = 0;
  private static final int LAST_STABLE_OFFSET = 1;
  private static final int LOG_START_OFFSET = 2;

  private final int id;
  private final boolean privileged;
  private final boolean byTopicId;
  private final FetchRequestData view;
  private final Map<Object, FetchTopic> topics = new HashMap<>();
  // By identity: a FetchTopic's hash follows its contents, which change.
  private final Map<FetchTopic, Map<Integer, FetchPartition>> partitions = new IdentityHashMap<>();
  private final IdentityHashMap<FetchPartition, long[]> told = new IdentityHashMap<>();
  private int size;
  private int epoch = 1;
  private long lastUsedMs;

  /**
   * A session over the partitions of a full request ({@code request} is kept, not copied: the
   * request is done with once it created the session) and the answer it got.
   */
  FetchSession(
      int id,
      boolean privileged,
      boolean byTopicId,
      FetchRequestData request,
      FetchResponseData answered,
      long nowMs) {
    this.id = id;
    this.privileged = privileged;
    this.byTopicId = byTopicId;
    this.lastUsedMs = nowMs;
    this.view =
        new FetchRequestData()
            .setTopics(new ArrayList<>(request.topics().size()))
            .setMaxBytes(request.maxBytes())
            .setMinBytes(request.minBytes())
            .setMaxWaitMs(request.maxWaitMs())
            .setIsolationLevel(request.isolationLevel())
            .setRackId(request.rackId());
    for (FetchTopic ft : request.topics()) {
      FetchTopic mine = topic(ft);
      for (FetchPartition fp : ft.partitions()) {
        addOrUpdate(mine, fp);
      }
    }
    remember(answered, false);
  }

  int id() {
    return id;
  }

  /** A follower's session: followers may evict consumers' sessions when the cache is full. */
  boolean privileged() {
    return privileged;
  }

  /** The epoch the client's next incremental request must carry. */
  int epoch() {
    return epoch;
  }

  long lastUsedMs() {
    return lastUsedMs;
  }

  /** How many partitions the session holds. */
  int size() {
    return size;
  }

  boolean byTopicId() {
    return byTopicId;
  }

  /**
   * Applies an incremental request: its partitions are added or take their new positions, its
   * forgotten ones leave; the epoch moves on (wrapping to 1, as Kafka's does).
   */
  void update(FetchRequestData request, long nowMs) {
    for (FetchTopic ft : request.topics()) {
      FetchTopic mine = topic(ft);
      for (FetchPartition fp : ft.partitions()) {
        addOrUpdate(mine, fp);
      }
    }
    for (ForgottenTopic forgotten : request.forgottenTopicsData()) {
      Object key = byTopicId ? forgotten.topicId() : forgotten.topic();
      FetchTopic mine = topics.get(key);
      if (mine == null) {
        continue;
      }
      Map<Integer, FetchPartition> byIndex = partitions.get(mine);
      for (Integer index : forgotten.partitions()) {
        FetchPartition gone = byIndex.remove(index);
        if (gone != null) {
          mine.partitions().remove(gone);
          told.remove(gone);
          size--;
        }
      }
      if (byIndex.isEmpty()) {
        topics.remove(key);
        partitions.remove(mine);
        view.topics().remove(mine);
      }
    }
    view.setMaxBytes(request.maxBytes())
        .setMinBytes(request.minBytes())
        .setMaxWaitMs(request.maxWaitMs())
        .setIsolationLevel(request.isolationLevel())
        .setRackId(request.rackId());
    epoch = epoch == Integer.MAX_VALUE ? 1 : epoch + 1;
    lastUsedMs = nowMs;
  }

  /** Every partition of the session, as a request to read (shared: read it under the monitor). */
  FetchRequestData view() {
    return view;
  }

  /**
   * Turns the answer to a read of {@link #view} into the incremental answer: only partitions with
   * records, an error, or a high watermark, last stable offset or log start offset the client was
   * not told yet stay, and what they say is remembered.
   */
  FetchResponseData filter(FetchResponseData read) {
    remember(read, true);
    return read.setSessionId(id);
  }

  /**
   * Whether a consumer's partition has nothing the client was not told: this broker leads it at the
   * epoch the client knows, the client is at its fetchable end, and the high watermark, last stable
   * offset and log start are as last answered. Such a partition is not read at all.
   */
  boolean quiet(FetchPartition fp, Partition p, FetchIsolation isolation) {
    long[] was = told.get(fp);
    return was != null
        && was[HIGH_WATERMARK] == p.highWatermark()
        && was[LAST_STABLE_OFFSET] == p.lastStableOffset()
        && was[LOG_START_OFFSET] == p.logStartOffset()
        && fp.fetchOffset() == p.fetchableEndOffset(isolation)
        && p.isLeader()
        && (fp.currentLeaderEpoch() < 0 || fp.currentLeaderEpoch() == p.leaderEpoch());
  }

  private FetchTopic topic(FetchTopic requested) {
    Object key = byTopicId ? requested.topicId() : requested.topic();
    FetchTopic mine = topics.get(key);
    if (mine == null) {
      mine = new FetchTopic().setPartitions(new ArrayList<>());
      if (byTopicId) {
        mine.setTopicId((Uuid) key);
      } else {
        mine.setTopic((String) key);
      }
      topics.put(key, mine);
      partitions.put(mine, new HashMap<>());
      view.topics().add(mine);
    }
    return mine;
  }

  private void addOrUpdate(FetchTopic mine, FetchPartition fp) {
    Map<Integer, FetchPartition> byIndex = partitions.get(mine);
    FetchPartition current = byIndex.get(fp.partition());
    if (current == null) {
      byIndex.put(fp.partition(), fp);
      mine.partitions().add(fp);
      // Nothing told yet: the first answer includes it whatever it holds.
      told.put(fp, new long[] {-1, -1, -1});
      size++;
    } else {
      current
          .setFetchOffset(fp.fetchOffset())
          .setPartitionMaxBytes(fp.partitionMaxBytes())
          .setCurrentLeaderEpoch(fp.currentLeaderEpoch())
          .setLastFetchedEpoch(fp.lastFetchedEpoch())
          .setLogStartOffset(fp.logStartOffset())
          .setReplicaDirectoryId(fp.replicaDirectoryId());
    }
  }

  /**
   * Walks {@code answer} alongside {@link #view} (the reader answers the topics and partitions of a
   * request in its order) and records what each partition tells; with {@code dropUnchanged} the
   * partitions with nothing new leave the answer.
   */
  private void remember(FetchResponseData answer, boolean dropUnchanged) {
    List<FetchTopic> viewTopics = view.topics();
    List<FetchableTopicResponse> answered = answer.responses();
    int keptTopics = 0;
    for (int t = 0; t < answered.size(); t++) {
      FetchableTopicResponse tr = answered.get(t);
      List<PartitionData> parts = tr.partitions();
      if (t >= viewTopics.size() || viewTopics.get(t).partitions().size() < parts.size()) {
        // Not the session's shape (a request naming a topic twice): keep all, remember nothing.
        answered.set(keptTopics++, tr);
        continue;
      }
      List<FetchPartition> viewPartitions = viewTopics.get(t).partitions();
      int kept = 0;
      int v = 0;
      for (int p = 0; p < parts.size(); p++) {
        PartitionData pd = parts.get(p);
        // The answer lists the session's partitions in order, quiet ones left out.
        while (v < viewPartitions.size()
            && viewPartitions.get(v).partition() != pd.partitionIndex()) {
          v++;
        }
        long[] was = v < viewPartitions.size() ? told.get(viewPartitions.get(v++)) : null;
        if (was == null || changed(was, pd) || !dropUnchanged) {
          parts.set(kept++, pd);
        }
      }
      if (kept < parts.size()) {
        parts.subList(kept, parts.size()).clear();
      }
      if (kept > 0 || !dropUnchanged) {
        answered.set(keptTopics++, tr);
      }
    }
    if (keptTopics < answered.size()) {
      answered.subList(keptTopics, answered.size()).clear();
    }
  }

  /** Whether the client must hear of the partition; updates what it was told. */
  private static boolean changed(long[] told, PartitionData pd) {
    boolean changed = pd.records() != null && pd.records().sizeInBytes() > 0;
    if (pd.errorCode() != Errors.NONE.code()) {
      // Told again next time too, until the error clears (as Kafka forgets the high watermark).
      told[HIGH_WATERMARK] = -1;
      return true;
    }
    if (told[HIGH_WATERMARK] != pd.highWatermark()) {
      told[HIGH_WATERMARK] = pd.highWatermark();
      changed = true;
    }
    if (told[LAST_STABLE_OFFSET] != pd.lastStableOffset()) {
      told[LAST_STABLE_OFFSET] = pd.lastStableOffset();
      changed = true;
    }
    if (told[LOG_START_OFFSET] != pd.logStartOffset()) {
      told[LOG_START_OFFSET] = pd.logStartOffset();
      changed = true;
    }
    return changed || pd.divergingEpoch().epoch() >= 0 || pd.preferredReadReplica() >= 0;
  }

  /** Partitions in name order, for diagnostics. */
  @Override
  public String toString() {
    Map<Object, Integer> counts = new LinkedHashMap<>();
    for (FetchTopic ft : view.topics()) {
      counts.put(byTopicId ? ft.topicId() : ft.topic(), ft.partitions().size());
    }
    return "FetchSession(id=" + id + ", epoch=" + epoch + ", partitions=" + counts + ")";
  }
}
