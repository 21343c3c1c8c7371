package dev.ferry.server.fetch;

import dev.ferry.replication.AppendListener;
import dev.ferry.replication.HighWatermarkListener;
import dev.ferry.replication.Partition;
import java.io.Closeable;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;

/**
 * Where long-poll fetches wait. Appends wake the follower fetches watching that partition, high
 * watermark moves the consumer fetches; one timer thread expires the rest. Waiting costs no thread.
 */
public final class FetchPurgatory implements AppendListener, HighWatermarkListener, Closeable {

  private final ConcurrentHashMap<TopicPartition, Set<DelayedFetch>> watchers =
      new ConcurrentHashMap<>();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "ferry-fetch-purgatory");
            t.setDaemon(true);
            return t;
          });

  /** Parks {@code fetch} for at most {@code maxWaitMs}. */
  void watch(DelayedFetch fetch, long maxWaitMs) {
    for (TopicPartition tp : fetch.partitions()) {
      watchers.computeIfAbsent(tp, k -> ConcurrentHashMap.newKeySet()).add(fetch);
    }
    fetch.setTimeout(
        timer.schedule(
            () -> {
              fetch.complete();
              unwatch(fetch);
            },
            maxWaitMs,
            TimeUnit.MILLISECONDS));
  }

  void unwatch(DelayedFetch fetch) {
    for (TopicPartition tp : fetch.partitions()) {
      Set<DelayedFetch> set = watchers.get(tp);
      if (set != null) {
        set.remove(fetch);
      }
    }
  }

  @Override
  public void onAppend(TopicPartition partition, int bytes) {
    Set<DelayedFetch> set = watchers.get(partition);
    if (set == null || set.isEmpty()) {
      return;
    }
    for (DelayedFetch fetch : set) {
      if (!fetch.fromFollower()) {
        continue;
      }
      if (fetch.onAppend(bytes) || fetch.isCompleted()) {
        unwatch(fetch);
      }
    }
  }

  @Override
  public void onHighWatermarkChanged(Partition partition) {
    Set<DelayedFetch> set = watchers.get(partition.topicPartition());
    if (set == null || set.isEmpty()) {
      return;
    }
    boolean stillLeader = partition.isLeader();
    for (DelayedFetch fetch : set) {
      if (fetch.fromFollower() && stillLeader) {
        continue;
      }
      if (fetch.onHighWatermark()) {
        unwatch(fetch);
      }
    }
  }

  /** Number of fetches currently parked (for metrics and tests). */
  public int parked() {
    int n = 0;
    for (Set<DelayedFetch> s : watchers.values()) {
      n += s.size();
    }
    return n;
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
