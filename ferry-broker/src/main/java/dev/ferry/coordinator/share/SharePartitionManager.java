package dev.ferry.coordinator.share;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.errors.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The share-partitions this broker leads: created on the first ShareFetch of a group for a
 * partition, loaded from the {@link ShareStateStore} (or started at {@code
 * share.auto.offset.reset}) on the loader executor, and replaced when the partition's leader epoch
 * changes. Lock expiries run on the broker's scheduler. Fetches that found nothing wait in {@link
 * ShareFetchWaiters}, woken when records are released or the high watermark moves.
 */
public final class SharePartitionManager {

  private static final Logger log = LoggerFactory.getLogger(SharePartitionManager.class);

  /** Finds the leader's log of a partition. */
  public interface LogLookup {
    /**
     * @throws ApiException NOT_LEADER_OR_FOLLOWER or UNKNOWN_TOPIC_OR_PARTITION
     */
    ShareLog logFor(TopicIdPartition partition);
  }

  /** A group's configs (blocking: called on the loader executor). */
  public interface GroupConfigs {
    Map<String, String> configs(String groupId);
  }

  private final ShareGroupConfig config;
  private final LogLookup logs;
  private final GroupConfigs groupConfigs;
  private final ShareStateStore store;
  private final ScheduledExecutorService scheduler;
  private final Executor loader;
  private final ShareFetchWaiters waiters = new ShareFetchWaiters();
  private final Map<SharePartitionKey, CompletableFuture<SharePartition>> partitions =
      new ConcurrentHashMap<>();

  public SharePartitionManager(
      ShareGroupConfig config,
      LogLookup logs,
      GroupConfigs groupConfigs,
      ShareStateStore store,
      ScheduledExecutorService scheduler,
      Executor loader) {
    this.config = config;
    this.logs = logs;
    this.groupConfigs = groupConfigs;
    this.store = store;
    this.scheduler = scheduler;
    this.loader = loader;
  }

  public ShareGroupConfig config() {
    return config;
  }

  public ShareFetchWaiters waiters() {
    return waiters;
  }

  /**
   * The share-partition of {@code groupId} for {@code partition}, once loaded; fails with the log's
   * error when this broker does not lead the partition.
   */
  public CompletableFuture<SharePartition> partition(String groupId, TopicIdPartition partition) {
    ShareLog shareLog;
    try {
      shareLog = logs.logFor(partition);
    } catch (ApiException e) {
      return CompletableFuture.failedFuture(e);
    }
    SharePartitionKey key = new SharePartitionKey(groupId, partition);
    while (true) {
      CompletableFuture<SharePartition> existing = partitions.get(key);
      if (existing != null) {
        SharePartition loaded = existing.getNow(null);
        boolean stale =
            (loaded != null && loaded.leaderEpoch() != shareLog.leaderEpoch())
                || existing.isCompletedExceptionally();
        if (!stale) {
          return existing;
        }
        partitions.remove(key, existing); // a new leadership term (or a failed load): reload
        continue;
      }
      CompletableFuture<SharePartition> created = new CompletableFuture<>();
      if (partitions.putIfAbsent(key, created) != null) {
        continue;
      }
      try {
        loader.execute(() -> load(key, shareLog, created));
      } catch (RuntimeException e) {
        partitions.remove(key, created);
        created.completeExceptionally(e);
      }
      return created;
    }
  }

  /** A loaded share-partition, if there is one (describe, tests). */
  public Optional<SharePartition> loaded(String groupId, TopicIdPartition partition) {
    CompletableFuture<SharePartition> f = partitions.get(new SharePartitionKey(groupId, partition));
    return f == null ? Optional.empty() : Optional.ofNullable(f.getNow(null));
  }

  /** The loaded share-partitions of {@code groupId}. */
  public Set<SharePartition> loadedOf(String groupId) {
    Set<SharePartition> out = ConcurrentHashMap.newKeySet();
    partitions.forEach(
        (k, f) -> {
          SharePartition p = f.getNow(null);
          if (p != null && k.groupId().equals(groupId)) {
            out.add(p);
          }
        });
    return out;
  }

  /**
   * Replaces the state of a share-partition with {@code state}, or forgets it when {@code state} is
   * null (AlterShareGroupOffsets, DeleteShareGroupOffsets, for an empty group). A loaded
   * share-partition is retired first, so nothing it still does writes the old state back; the next
   * fetch loads the new state (or starts afresh at {@code share.auto.offset.reset}).
   */
  public void replaceState(SharePartitionKey key, ShareStateSnapshot state) throws IOException {
    // Blocks (a load finishing, the store's write): callers run it off the network threads.
    CompletableFuture<SharePartition> existing = partitions.remove(key);
    if (existing != null) {
      SharePartition p;
      try {
        p = existing.get(LOAD_WAIT_MS, TimeUnit.MILLISECONDS); // a load under way finishes first
      } catch (ExecutionException e) {
        p = null; // the failed load left nothing behind
      } catch (InterruptedException | TimeoutException e) {
        throw new IOException("The share-partition " + key + " is still loading", e);
      }
      if (p != null) {
        p.retire();
      }
    }
    if (state == null) {
      store.delete(key);
    } else {
      try {
        store.write(key, -1, state).get(LOAD_WAIT_MS, TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException e) {
        throw new IOException("Cannot write the state of " + key, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("Interrupted writing the state of " + key, e);
      }
    }
    log.info("Share-partition {} state replaced: {}", key, state == null ? "deleted" : state);
  }

  /** The persisted state of a share-partition not loaded here, if any. */
  public Optional<ShareStateSnapshot> stored(SharePartitionKey key) throws IOException {
    return store.read(key);
  }

  /** The share-partitions of {@code groupId} with persisted state (topic names left empty). */
  public List<SharePartitionKey> storedKeys(String groupId) throws IOException {
    return store.keys(groupId);
  }

  private static final long LOAD_WAIT_MS = 10_000;

  private void load(
      SharePartitionKey key, ShareLog shareLog, CompletableFuture<SharePartition> out) {
    try {
      ShareGroupSettings settings =
          ShareGroupSettings.of(config, groupConfigs.configs(key.groupId()));
      ShareStateSnapshot persisted = store.read(key).orElse(null);
      SharePartition p =
          new SharePartition(
              key, shareLog, settings, store, scheduler::schedule, waiters::wakeAll, persisted);
      log.info(
          "Loaded share-partition {} at start offset {} ({})",
          key,
          p.startOffset(),
          persisted == null ? "new" : "persisted state");
      out.complete(p);
    } catch (Exception e) {
      log.error("Could not load share-partition {}", key, e);
      out.completeExceptionally(e);
    }
  }

  /**
   * Called when a partition's high watermark moves: fetches waiting for records retry, on the
   * scheduler. Never inline: the high watermark moves inside appends, and a share-partition appends
   * its state (to {@code __share_group_state}, led here) while holding its own lock, whereas a
   * waiting fetch's retry holds the fetch's lock and then takes share-partitions' locks; run
   * inline, the two threads deadlocked (seen with four consumers on one partition, which hung the
   * network threads).
   */
  public void onHighWatermarkChanged() {
    if (waiters.size() > 0) {
      scheduler.execute(waiters::wakeAll);
    }
  }

  /** For lock timers scheduled by callers (tests). */
  ScheduledExecutorService scheduler() {
    return scheduler;
  }

  /** Schedules {@code task} after {@code delayMs} on the broker's scheduler. */
  public void schedule(Runnable task, long delayMs) {
    scheduler.schedule(task, delayMs, TimeUnit.MILLISECONDS);
  }
}
