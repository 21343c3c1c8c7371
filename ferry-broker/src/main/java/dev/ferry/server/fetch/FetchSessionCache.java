package dev.ferry.server.fetch;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.utils.Time;

/**
 * The broker's incremental fetch sessions, at most {@code
 * max.incremental.fetch.session.cache.slots} of them. When the cache is full a new session takes
 * the slot of one unused for the eviction time (Kafka's 120 s); failing that a follower's session
 * takes the smallest consumer session's slot, and a consumer's session the smallest consumer
 * session's with fewer partitions than it has. Otherwise the client is answered without a session
 * (id 0) and keeps sending full fetches.
 */
public final class FetchSessionCache {

  /** Kafka's {@code min.incremental.fetch.session.eviction.ms} (an internal setting there). */
  static final long EVICTION_MS = 120_000;

  private final int maxSessions;
  private final long evictionMs;
  private final Time time;
  private final Map<Integer, FetchSession> sessions = new HashMap<>();
  private final LongAdder evictions = new LongAdder();
  private final LongAdder incrementalFetches = new LongAdder();
  private final LongAdder fullFetches = new LongAdder();
  private final LongAdder sessionErrors = new LongAdder();
  private int partitions;

  public FetchSessionCache(int maxSessions, Time time) {
    this(maxSessions, EVICTION_MS, time);
  }

  FetchSessionCache(int maxSessions, long evictionMs, Time time) {
    this.maxSessions = maxSessions;
    this.evictionMs = evictionMs;
    this.time = time;
  }

  long nowMs() {
    return time.milliseconds();
  }

  /**
   * A new session over a full request's partitions and its answer, or null when there is no slot
   * for it (nor for an empty request: there is nothing to fetch incrementally).
   */
  synchronized FetchSession maybeCreate(
      boolean privileged, boolean byTopicId, FetchRequestData request, FetchResponseData answer) {
    int size = 0;
    for (FetchRequestData.FetchTopic ft : request.topics()) {
      size += ft.partitions().size();
    }
    if (size == 0 || maxSessions <= 0) {
      return null;
    }
    long now = time.milliseconds();
    if (sessions.size() >= maxSessions && !evictFor(privileged, size, now)) {
      return null;
    }
    int id;
    do {
      id = ThreadLocalRandom.current().nextInt(1, Integer.MAX_VALUE);
    } while (sessions.containsKey(id));
    FetchSession session = new FetchSession(id, privileged, byTopicId, request, answer, now);
    sessions.put(id, session);
    partitions += session.size();
    return session;
  }

  /** The session {@code id}, or null. */
  synchronized FetchSession get(int id) {
    return sessions.get(id);
  }

  /** Closes session {@code id} (a full fetch naming it, or one left with no partitions). */
  synchronized void remove(int id) {
    FetchSession gone = sessions.remove(id);
    if (gone != null) {
      partitions -= gone.size();
    }
  }

  /** A session's size changed by {@code delta} partitions (an incremental update). */
  synchronized void resized(int delta) {
    partitions += delta;
  }

  private boolean evictFor(boolean privileged, int size, long now) {
    FetchSession stalest = null;
    FetchSession smallestConsumer = null;
    for (FetchSession s : sessions.values()) {
      if (now - s.lastUsedMs() >= evictionMs
          && (stalest == null || s.lastUsedMs() < stalest.lastUsedMs())) {
        stalest = s;
      }
      if (!s.privileged() && (smallestConsumer == null || s.size() < smallestConsumer.size())) {
        smallestConsumer = s;
      }
    }
    FetchSession victim = stalest;
    if (victim == null && smallestConsumer != null) {
      if (privileged || smallestConsumer.size() < size) {
        victim = smallestConsumer;
      }
    }
    if (victim == null) {
      return false;
    }
    remove(victim.id());
    evictions.increment();
    return true;
  }

  /** Sessions held now. */
  public synchronized int sessions() {
    return sessions.size();
  }

  /** Partitions held by all sessions. */
  public synchronized int partitions() {
    return partitions;
  }

  /** Sessions evicted to make room since start. */
  public long evictions() {
    return evictions.sum();
  }

  /** Incremental fetches answered since start. */
  public long incrementalFetches() {
    return incrementalFetches.sum();
  }

  /** Full fetches answered since start (with or without a session). */
  public long fullFetches() {
    return fullFetches.sum();
  }

  /** Fetches refused for an unknown session or a wrong epoch since start. */
  public long sessionErrors() {
    return sessionErrors.sum();
  }

  void countIncremental() {
    incrementalFetches.increment();
  }

  void countFull() {
    fullFetches.increment();
  }

  void countError() {
    sessionErrors.increment();
  }
}
