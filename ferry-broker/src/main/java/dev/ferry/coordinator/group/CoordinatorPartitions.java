package dev.ferry.coordinator.group;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which {@code __consumer_offsets} partitions the coordinator serves: taking one over (its records
 * replayed on the loader thread into classic and consumer-protocol groups, their members' sessions
 * restarted) and giving one up (groups dropped, parked requests answered NOT_COORDINATOR).
 */
final class CoordinatorPartitions {

  private static final Logger log = LoggerFactory.getLogger(CoordinatorPartitions.class);

  private static final String OFFSETS_TOPIC = GroupCoordinator.OFFSETS_TOPIC;

  private final Time time;
  private final ExecutorService loader;
  private final GroupRegistry registry;
  private final MembershipManager membership;
  private final OffsetManager offsets;
  private final Supplier<ConsumerGroupManager> consumerGroups;
  private final Supplier<HostedGroups> shareGroups;

  CoordinatorPartitions(
      Time time,
      ExecutorService loader,
      GroupRegistry registry,
      MembershipManager membership,
      OffsetManager offsets,
      Supplier<ConsumerGroupManager> consumerGroups,
      Supplier<HostedGroups> shareGroups) {
    this.time = time;
    this.loader = loader;
    this.registry = registry;
    this.membership = membership;
    this.offsets = offsets;
    this.consumerGroups = consumerGroups;
    this.shareGroups = shareGroups;
  }

  /**
   * Takes over the groups of {@code offsetsPartition}, whose records are in {@code log}. Returns at
   * once; the partition's records are replayed on the loader thread and the returned future
   * completes when its groups are served. Calling it again for the same partition (e.g. a new
   * leader epoch) unloads and reloads.
   */
  CompletableFuture<Void> onBecomeCoordinator(int offsetsPartition, CoordinatorLog log) {
    checkPartition(offsetsPartition);
    GroupRegistry.OwnedPartition p = new GroupRegistry.OwnedPartition(offsetsPartition, log);
    GroupRegistry.OwnedPartition previous = registry.startOwning(p);
    if (previous != null) {
      unloadGroups(offsetsPartition);
    }
    CompletableFuture<Void> loaded = new CompletableFuture<>();
    try {
      loader.execute(() -> load(p, loaded));
    } catch (RuntimeException e) {
      registry.stopOwning(p);
      loaded.completeExceptionally(e);
    }
    return loaded;
  }

  /**
   * Stops serving the groups of {@code offsetsPartition}: they are dropped from memory (their
   * records stay in the log for the next coordinator) and parked requests get NOT_COORDINATOR.
   */
  void onResignCoordinator(int offsetsPartition) {
    checkPartition(offsetsPartition);
    if (registry.stopOwning(offsetsPartition) != null) {
      int n = unloadGroups(offsetsPartition);
      log.info("Resigned as coordinator of {}-{} ({} groups)", OFFSETS_TOPIC, offsetsPartition, n);
    }
  }

  /** Whether the partition is owned and fully loaded. */
  boolean isLoaded(int offsetsPartition) {
    GroupRegistry.OwnedPartition p = registry.owned(offsetsPartition);
    return p != null && p.loaded;
  }

  private void checkPartition(int partition) {
    if (partition < 0 || partition >= registry.numPartitions()) {
      throw new IllegalArgumentException(
          "No partition " + partition + " in " + OFFSETS_TOPIC + " of " + registry.numPartitions());
    }
  }

  private void load(GroupRegistry.OwnedPartition p, CompletableFuture<Void> loaded) {
    long t0 = System.nanoTime();
    try {
      GroupLoader.Loaded result = GroupLoader.load(p.log, () -> registry.owned(p.partition) != p);
      if (registry.owned(p.partition) != p) {
        loaded.completeExceptionally(Errors.NOT_COORDINATOR.exception("Unloaded while loading"));
        return;
      }
      long now = time.milliseconds();
      ConsumerGroupManager consumer = consumerGroups.get();
      HostedGroups share = shareGroups.get();
      for (Map.Entry<String, GroupLoader.LoadedGroup> e : result.groups().entrySet()) {
        GroupLoader.LoadedGroup loadedGroup = e.getValue();
        // A share group alone leaves no classic group behind (it would list as a classic one).
        if (loadedGroup.hasClassicOrConsumerState()) {
          registry.putLoaded(rebuild(e.getKey(), p.partition, loadedGroup, now));
        }
        if (loadedGroup.consumerGroup != null && consumer != null) {
          consumer.restore(e.getKey(), p.partition, loadedGroup.consumerGroup);
        }
        if (loadedGroup.shareGroup != null && share != null) {
          share.restore(p.partition, e.getKey(), loadedGroup.shareGroup);
        }
      }
      offsets.restorePending(result.pendingTransactional());
      p.loaded = true;
      if (registry.owned(p.partition) != p) {
        // Resigned while the groups were installed: the resign sweep may have missed some.
        unloadGroups(p.partition);
      }
      log.info(
          "Loaded {} groups from {}-{} ({} records up to offset {}) in {} ms",
          result.groups().size(),
          OFFSETS_TOPIC,
          p.partition,
          result.records(),
          result.endOffset(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
      loaded.complete(null);
    } catch (RuntimeException e) {
      log.error("Failed to load {}-{}", OFFSETS_TOPIC, p.partition, e);
      registry.stopOwning(p);
      unloadGroups(p.partition);
      loaded.completeExceptionally(e);
    }
  }

  /**
   * A group as the log describes it. Members come back Stable with their assignment: they keep
   * heartbeating to the new coordinator and the session timeout removes those that do not.
   */
  private ClassicGroup rebuild(
      String groupId, int partition, GroupLoader.LoadedGroup loaded, long now) {
    ClassicGroup g = new ClassicGroup(groupId, partition, now);
    g.lock().lock();
    try {
      for (Map.Entry<TopicPartition, ClassicGroup.StoredOffset> e : loaded.offsets.entrySet()) {
        g.storeOffset(e.getKey(), e.getValue());
      }
      GroupMetadataValue v = loaded.metadata;
      if (v != null) {
        for (GroupMetadataValue.Member pm : v.members()) {
          GroupMember m =
              new GroupMember(
                  pm.memberId(),
                  pm.groupInstanceId(),
                  pm.clientId(),
                  pm.clientHost(),
                  pm.rebalanceTimeoutMs(),
                  pm.sessionTimeoutMs(),
                  GroupLoader.protocolsOf(v, pm));
          m.assignment = pm.assignment();
          m.synced = true;
          g.addMember(m);
          membership.scheduleSessionCheck(g, m);
        }
        g.restore(
            v.protocolType(),
            v.generationId(),
            v.protocolName(),
            v.leaderId(),
            v.stateTimestampMs());
      }
    } finally {
      g.lock().unlock();
    }
    return g;
  }

  int unloadGroups(int partition) {
    ConsumerGroupManager consumer = consumerGroups.get();
    if (consumer != null) {
      consumer.unload(partition);
    }
    HostedGroups share = shareGroups.get();
    if (share != null) {
      share.unload(partition);
    }
    offsets.unloadPending(partition);
    int n = 0;
    for (ClassicGroup g : registry.groups(partition)) {
      Deferred d = new Deferred();
      g.lock().lock();
      try {
        if (g.is(GroupState.DEAD)) {
          continue;
        }
        g.cancelJoinTimer();
        for (GroupMember m : g.members()) {
          m.cancelSessionCheck();
          if (m.awaitingJoin != null) {
            d.complete(
                m.awaitingJoin, MembershipManager.joinError(m.memberId, Errors.NOT_COORDINATOR));
            m.awaitingJoin = null;
          }
          if (m.awaitingSync != null) {
            d.complete(m.awaitingSync, MembershipManager.syncError(Errors.NOT_COORDINATOR));
            m.awaitingSync = null;
          }
        }
        g.clearPendingMembers();
        g.transitionTo(GroupState.DEAD, time.milliseconds());
        registry.remove(g);
        n++;
      } finally {
        g.lock().unlock();
      }
      d.flush();
    }
    return n;
  }
}
