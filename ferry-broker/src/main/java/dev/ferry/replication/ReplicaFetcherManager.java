package dev.ferry.replication;

import java.io.Closeable;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.IntFunction;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;

/**
 * One {@link ReplicaFetcherThread} per source broker (the leader a follower partition fetches
 * from), started on demand and stopped when it has nothing left to fetch. Calls come from the
 * metadata thread; all are synchronized.
 */
final class ReplicaFetcherManager implements Closeable {

  private final ReplicationConfig config;
  private final IntFunction<LeaderEndpoint> endpoints;
  private final Time time;
  private final ReplicationThrottle throttle;
  private final Map<Integer, ReplicaFetcherThread> fetchers = new HashMap<>();
  private final Map<TopicPartition, Integer> sourceOf = new HashMap<>();
  private boolean closed;

  /**
   * @param endpoints the connection to a leader broker, by its id
   */
  ReplicaFetcherManager(
      ReplicationConfig config,
      IntFunction<LeaderEndpoint> endpoints,
      Time time,
      ReplicationThrottle throttle) {
    this.config = config;
    this.endpoints = endpoints;
    this.time = time;
    this.throttle = throttle;
  }

  /** Starts (or restarts, with truncation first) fetching {@code partition} from {@code leader}. */
  synchronized void addPartition(Partition partition, int leader, int leaderEpoch) {
    if (closed) {
      return;
    }
    removePartition(partition.topicPartition());
    ReplicaFetcherThread fetcher =
        fetchers.computeIfAbsent(
            leader,
            id -> {
              ReplicaFetcherThread t =
                  new ReplicaFetcherThread(id, config, endpoints.apply(id), time, throttle);
              t.start();
              return t;
            });
    fetcher.addPartition(partition, leaderEpoch);
    sourceOf.put(partition.topicPartition(), leader);
  }

  /** Stops fetching {@code tp}; on return no fetcher writes to its log any more. */
  synchronized void removePartition(TopicPartition tp) {
    Integer source = sourceOf.remove(tp);
    if (source == null) {
      return;
    }
    ReplicaFetcherThread fetcher = fetchers.get(source);
    if (fetcher != null) {
      fetcher.removePartition(tp);
    }
  }

  /** Stops threads left without partitions. */
  synchronized void shutdownIdleFetchers() {
    Iterator<Map.Entry<Integer, ReplicaFetcherThread>> it = fetchers.entrySet().iterator();
    while (it.hasNext()) {
      ReplicaFetcherThread t = it.next().getValue();
      if (t.isIdle()) {
        t.shutdown();
        it.remove();
      }
    }
  }

  synchronized int fetcherCount() {
    return fetchers.size();
  }

  @Override
  public synchronized void close() {
    closed = true;
    for (ReplicaFetcherThread t : fetchers.values()) {
      t.shutdown();
    }
    fetchers.clear();
    sourceOf.clear();
  }
}
