package dev.ferry.coordinator.group;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Utils;

/**
 * Which offsets partitions this coordinator owns (loading or loaded), and the groups of those
 * partitions. Thread-safe: lookups are lock-free; a group is only used under its own lock.
 */
final class GroupRegistry {

  /** An offsets partition this coordinator leads. */
  static final class OwnedPartition {
    final int partition;
    final CoordinatorLog log;
    volatile boolean loaded;

    OwnedPartition(int partition, CoordinatorLog log) {
      this.partition = partition;
      this.log = log;
    }
  }

  private final int numPartitions;
  private final ConcurrentHashMap<Integer, OwnedPartition> partitions = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, ClassicGroup> groups = new ConcurrentHashMap<>();

  GroupRegistry(int numPartitions) {
    this.numPartitions = numPartitions;
  }

  /** The {@code __consumer_offsets} partition holding {@code groupId}'s records. */
  int partitionFor(String groupId) {
    return Utils.abs(groupId.hashCode()) % numPartitions;
  }

  int numPartitions() {
    return numPartitions;
  }

  /** NONE, NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS for requests about {@code groupId}. */
  Errors ownership(String groupId) {
    OwnedPartition p = partitions.get(partitionFor(groupId));
    if (p == null) {
      return Errors.NOT_COORDINATOR;
    }
    return p.loaded ? Errors.NONE : Errors.COORDINATOR_LOAD_IN_PROGRESS;
  }

  OwnedPartition owned(int partition) {
    return partitions.get(partition);
  }

  List<OwnedPartition> ownedPartitions() {
    return new ArrayList<>(partitions.values());
  }

  boolean anyLoading() {
    for (OwnedPartition p : partitions.values()) {
      if (!p.loaded) {
        return true;
      }
    }
    return false;
  }

  /** Registers a partition as loading; returns the previous owner record, if any. */
  OwnedPartition startOwning(OwnedPartition p) {
    return partitions.put(p.partition, p);
  }

  /** Stops owning the partition if {@code p} is still the current owner record. */
  boolean stopOwning(OwnedPartition p) {
    return partitions.remove(p.partition, p);
  }

  OwnedPartition stopOwning(int partition) {
    return partitions.remove(partition);
  }

  /** The log of an owned offsets partition, or throws NOT_COORDINATOR if no longer owned. */
  CoordinatorLog logFor(int offsetsPartition) {
    OwnedPartition p = partitions.get(offsetsPartition);
    if (p == null) {
      throw Errors.NOT_COORDINATOR.exception();
    }
    return p.log;
  }

  /** The log of the group's partition, or throws NOT_COORDINATOR if no longer owned. */
  CoordinatorLog logFor(ClassicGroup group) {
    OwnedPartition p = partitions.get(group.offsetsPartition());
    if (p == null) {
      throw Errors.NOT_COORDINATOR.exception();
    }
    return p.log;
  }

  /**
   * Returns the group locked by the caller's thread, creating it if asked; null if it does not
   * exist. Throws NOT_COORDINATOR / COORDINATOR_LOAD_IN_PROGRESS if the group is not served here. A
   * group found Dead (deleted or unloaded concurrently) is skipped, so callers never see one.
   */
  ClassicGroup lock(String groupId, boolean create, long nowMs) throws ApiException {
    for (int attempt = 0; attempt < 100; attempt++) {
      Errors owned = ownership(groupId);
      if (owned != Errors.NONE) {
        throw owned.exception();
      }
      ClassicGroup g =
          create
              ? groups.computeIfAbsent(groupId, id -> new ClassicGroup(id, partitionFor(id), nowMs))
              : groups.get(groupId);
      if (g == null) {
        return null;
      }
      g.lock().lock();
      if (g.state() != GroupState.DEAD) {
        if (partitions.containsKey(g.offsetsPartition())) {
          return g;
        }
        // The partition was unloaded between the check and the lock; the unload sweep may
        // already be done, so retire this group here.
        g.transitionTo(GroupState.DEAD, nowMs);
      }
      g.lock().unlock();
      groups.remove(groupId, g);
    }
    throw Errors.COORDINATOR_NOT_AVAILABLE.exception();
  }

  /** Adds a group rebuilt from the log (the partition is loading, so nobody else sees it yet). */
  void putLoaded(ClassicGroup g) {
    groups.put(g.groupId(), g);
  }

  /** Forgets a group that its caller has just marked Dead. */
  void remove(ClassicGroup g) {
    groups.remove(g.groupId(), g);
  }

  /** A snapshot of the groups in one partition (or all when {@code partition} is -1). */
  List<ClassicGroup> groups(int partition) {
    List<ClassicGroup> out = new ArrayList<>();
    for (ClassicGroup g : groups.values()) {
      if (partition < 0 || g.offsetsPartition() == partition) {
        out.add(g);
      }
    }
    return out;
  }
}
