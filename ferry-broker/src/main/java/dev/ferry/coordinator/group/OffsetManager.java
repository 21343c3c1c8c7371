package dev.ferry.coordinator.group;

import dev.ferry.storage.AppendResult;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Committed offsets: OffsetCommit, OffsetFetch, OffsetDelete, DeleteGroups and expiry. A commit is
 * answered only after its batch is in the log, and applied to memory only then, so a fetch never
 * returns an offset a restart would lose.
 */
final class OffsetManager {

  private static final Logger log = LoggerFactory.getLogger(OffsetManager.class);

  private final GroupCoordinatorConfig config;
  private final Time time;
  private final GroupRegistry registry;
  private final GroupWriter writer;
  private final MembershipManager membership;
  private final TransactionalOffsets transactional = new TransactionalOffsets();

  /** Consumer-protocol groups, whose offsets expire by their own rule; none until enabled. */
  private volatile ConsumerGroupOffsetOwners consumerGroups;

  OffsetManager(
      GroupCoordinatorConfig config,
      Time time,
      GroupRegistry registry,
      GroupWriter writer,
      MembershipManager membership) {
    this.config = config;
    this.time = time;
    this.registry = registry;
    this.writer = writer;
    this.membership = membership;
  }

  /** Offset expiry consults {@code owners} for groups that use the consumer protocol. */
  void setConsumerGroups(ConsumerGroupOffsetOwners owners) {
    this.consumerGroups = owners;
  }

  // ---------------------------------------------------------------- OffsetCommit

  CompletableFuture<Map<TopicPartition, Errors>> commit(
      String groupId,
      String memberId,
      String groupInstanceId,
      int generationId,
      Map<TopicPartition, OffsetAndMetadata> offsets) {
    if (groupId == null || groupId.isEmpty()) {
      return CompletableFuture.completedFuture(all(offsets, Errors.INVALID_GROUP_ID));
    }
    // Generation -1: a client that manages partitions itself (assign(), admin tools) and uses
    // the group only as an offset store.
    boolean standalone = generationId < 0;
    ClassicGroup g;
    try {
      g = registry.lock(groupId, standalone, time.milliseconds());
    } catch (ApiException e) {
      return CompletableFuture.completedFuture(all(offsets, Errors.forException(e)));
    }
    if (g == null) {
      // A member's commit (generation >= 0) to a group that does not exist. OffsetCommit v0-8
      // answer ILLEGAL_GENERATION instead, as Kafka does for those versions.
      return CompletableFuture.completedFuture(all(offsets, Errors.GROUP_ID_NOT_FOUND));
    }
    Map<TopicPartition, Errors> result = new LinkedHashMap<>();
    Map<TopicPartition, OffsetAndMetadata> toWrite = new LinkedHashMap<>();
    CompletableFuture<AppendResult> written;
    try {
      Errors check = validateCommit(g, memberId, groupInstanceId, generationId);
      if (check != Errors.NONE) {
        membership.retireIfUnused(g);
        return CompletableFuture.completedFuture(all(offsets, check));
      }
      splitByMetadataSize(offsets, time.milliseconds(), toWrite, result);
      if (toWrite.isEmpty()) {
        membership.retireIfUnused(g);
        return CompletableFuture.completedFuture(result);
      }
      g.offsetWriteStarted();
      try {
        written = writer.writeOffsets(registry.logFor(g), groupId, toWrite);
      } catch (ApiException e) {
        written = CompletableFuture.failedFuture(e);
      }
    } finally {
      g.lock().unlock();
    }
    return written.handle(
        (appended, err) -> {
          g.lock().lock();
          try {
            g.offsetWriteFinished();
            Errors outcome = Errors.NONE;
            if (err != null) {
              outcome = GroupWriter.appendError(err, true);
              log.warn("Offset commit for group {} not stored: {}", groupId, outcome, err);
            } else if (!g.is(GroupState.DEAD)) {
              long recordOffset = appended.lastOffset();
              for (Map.Entry<TopicPartition, OffsetAndMetadata> e : toWrite.entrySet()) {
                g.storeOffset(
                    e.getKey(), new ClassicGroup.StoredOffset(e.getValue(), recordOffset));
              }
            }
            for (TopicPartition tp : toWrite.keySet()) {
              result.put(tp, outcome);
            }
            return result;
          } finally {
            g.lock().unlock();
          }
        });
  }

  /**
   * The commit paths' per-partition check: an offset whose metadata exceeds {@code
   * offset.metadata.max.bytes} gets OFFSET_METADATA_TOO_LARGE in {@code result}; the others go to
   * {@code toWrite}, stamped with the commit time {@code now}.
   */
  private void splitByMetadataSize(
      Map<TopicPartition, OffsetAndMetadata> offsets,
      long now,
      Map<TopicPartition, OffsetAndMetadata> toWrite,
      Map<TopicPartition, Errors> result) {
    for (Map.Entry<TopicPartition, OffsetAndMetadata> e : offsets.entrySet()) {
      OffsetAndMetadata o = e.getValue();
      if (o.metadata() != null && o.metadata().length() > config.offsetMetadataMaxBytes()) {
        result.put(e.getKey(), Errors.OFFSET_METADATA_TOO_LARGE);
      } else {
        toWrite.put(
            e.getKey(), new OffsetAndMetadata(o.offset(), o.leaderEpoch(), o.metadata(), now));
      }
    }
  }

  // ---------------------------------------------------------------- TxnOffsetCommit

  /**
   * Offsets committed in a transaction: validated like a commit (a wrong generation gets
   * ILLEGAL_GENERATION and nothing is written), written in the producer's transactional batch,
   * applied only when the transaction commits ({@link #completeTransaction}).
   */
  CompletableFuture<Map<TopicPartition, Errors>> commitTransactional(
      String groupId,
      long producerId,
      short producerEpoch,
      String memberId,
      String groupInstanceId,
      int generationId,
      Map<TopicPartition, OffsetAndMetadata> offsets) {
    if (groupId == null || groupId.isEmpty()) {
      return CompletableFuture.completedFuture(all(offsets, Errors.INVALID_GROUP_ID));
    }
    ClassicGroup g;
    try {
      g = registry.lock(groupId, generationId < 0, time.milliseconds());
    } catch (ApiException e) {
      return CompletableFuture.completedFuture(all(offsets, Errors.forException(e)));
    }
    if (g == null) {
      return CompletableFuture.completedFuture(all(offsets, Errors.ILLEGAL_GENERATION));
    }
    Map<TopicPartition, Errors> result = new LinkedHashMap<>();
    Map<TopicPartition, OffsetAndMetadata> toWrite = new LinkedHashMap<>();
    CompletableFuture<AppendResult> written;
    try {
      Errors check = validateCommit(g, memberId, groupInstanceId, generationId);
      if (check != Errors.NONE) {
        membership.retireIfUnused(g);
        return CompletableFuture.completedFuture(all(offsets, check));
      }
      splitByMetadataSize(offsets, time.milliseconds(), toWrite, result);
      if (toWrite.isEmpty()) {
        return CompletableFuture.completedFuture(result);
      }
      try {
        written =
            writer.writeTransactionalOffsets(
                registry.logFor(g), groupId, producerId, producerEpoch, toWrite);
      } catch (ApiException e) {
        written = CompletableFuture.failedFuture(e);
      }
    } finally {
      g.lock().unlock();
    }
    return written.handle(
        (appended, err) -> {
          Errors outcome = Errors.NONE;
          if (err != null) {
            outcome = GroupWriter.appendError(err, true);
            log.warn("Transactional offsets of group {} not stored: {}", groupId, outcome, err);
          } else {
            Map<TopicPartition, ClassicGroup.StoredOffset> stored = new LinkedHashMap<>();
            toWrite.forEach(
                (tp, o) -> stored.put(tp, new ClassicGroup.StoredOffset(o, appended.lastOffset())));
            transactional.add(producerId, groupId, stored);
          }
          for (TopicPartition tp : toWrite.keySet()) {
            result.put(tp, outcome);
          }
          return result;
        });
  }

  /**
   * A transaction's marker reached {@code offsetsPartition}: its offsets there become the groups'
   * committed offsets (commit) or are dropped (abort).
   */
  void completeTransaction(int offsetsPartition, long producerId, boolean commit) {
    if (!commit) {
      // The committed offsets do not change: nothing for a stable fetch to miss.
      transactional.take(producerId, offsetsPartition, registry::partitionFor);
      return;
    }
    Map<String, Map<TopicPartition, ClassicGroup.StoredOffset>> decided =
        transactional.peek(producerId, offsetsPartition, registry::partitionFor);
    for (Map.Entry<String, Map<TopicPartition, ClassicGroup.StoredOffset>> e : decided.entrySet()) {
      ClassicGroup g;
      try {
        g = registry.lock(e.getKey(), true, time.milliseconds());
      } catch (ApiException ex) {
        transactional.remove(producerId, e.getKey(), e.getValue());
        continue; // moved away: the next owner replays the marker from the log
      }
      if (g == null) {
        transactional.remove(producerId, e.getKey(), e.getValue());
        continue;
      }
      try {
        e.getValue().forEach(g::storeOffset); // keeps a newer one (later in the log)
        // Cleared under the group lock: a stable fetch sees either pending or the new offsets.
        transactional.remove(producerId, e.getKey(), e.getValue());
      } finally {
        g.lock().unlock();
      }
    }
  }

  /** Restores undecided transactional offsets read back at load. */
  void restorePending(Map<Long, Map<String, Map<TopicPartition, ClassicGroup.StoredOffset>>> p) {
    p.forEach((pid, byGroup) -> byGroup.forEach((group, o) -> transactional.add(pid, group, o)));
  }

  void unloadPending(int offsetsPartition) {
    transactional.dropPartition(offsetsPartition, registry::partitionFor);
  }

  boolean hasPendingTransactionalOffset(String groupId, TopicPartition tp) {
    return transactional.hasPending(groupId, tp);
  }

  private Errors validateCommit(
      ClassicGroup g, String memberId, String groupInstanceId, int generationId) {
    if (generationId < 0 && g.is(GroupState.EMPTY)) {
      return Errors.NONE;
    }
    if (g.isFenced(groupInstanceId, memberId)) {
      return Errors.FENCED_INSTANCE_ID;
    }
    GroupMember m = memberId == null ? null : g.member(memberId);
    if (m == null) {
      return Errors.UNKNOWN_MEMBER_ID;
    }
    if (generationId != g.generationId()) {
      return Errors.ILLEGAL_GENERATION;
    }
    if (g.is(GroupState.COMPLETING_REBALANCE)) {
      // The member has the new generation but not its assignment yet: it must sync first.
      return Errors.REBALANCE_IN_PROGRESS;
    }
    // PreparingRebalance is fine: members commit what they consumed before rejoining.
    membership.scheduleSessionCheck(g, m);
    return Errors.NONE;
  }

  private static Map<TopicPartition, Errors> all(
      Map<TopicPartition, OffsetAndMetadata> offsets, Errors e) {
    Map<TopicPartition, Errors> m = new LinkedHashMap<>();
    for (TopicPartition tp : offsets.keySet()) {
      m.put(tp, e);
    }
    return m;
  }

  // ---------------------------------------------------------------- OffsetFetch

  /**
   * The committed offsets of {@code partitions} (those never committed are absent from the map), or
   * of every partition when {@code partitions} is null. With {@code requireStable}, a partition an
   * undecided transaction holds an offset for is reported unstable instead: a read_committed
   * consumer must not start from an offset the transaction is about to replace. The check and the
   * read happen under the group lock, which {@link #completeTransaction} holds while it applies the
   * offsets and clears them from the pending set, so no fetch sees neither.
   */
  OffsetFetchResult fetch(String groupId, List<TopicPartition> partitions, boolean requireStable) {
    if (groupId == null) {
      return new OffsetFetchResult(Errors.INVALID_GROUP_ID, Map.of());
    }
    ClassicGroup g;
    try {
      g = registry.lock(groupId, false, time.milliseconds());
    } catch (ApiException e) {
      return new OffsetFetchResult(Errors.forException(e), Map.of());
    }
    if (g == null) {
      return new OffsetFetchResult(Errors.NONE, Map.of());
    }
    try {
      Map<TopicPartition, OffsetAndMetadata> out = new LinkedHashMap<>();
      Set<TopicPartition> unstable = new HashSet<>();
      Iterable<TopicPartition> wanted = partitions == null ? g.offsets().keySet() : partitions;
      for (TopicPartition tp : wanted) {
        if (requireStable && transactional.hasPending(groupId, tp)) {
          unstable.add(tp);
          continue;
        }
        ClassicGroup.StoredOffset s = g.offsets().get(tp);
        if (s != null) {
          out.put(tp, s.value());
        }
      }
      return new OffsetFetchResult(Errors.NONE, out, unstable);
    } finally {
      g.lock().unlock();
    }
  }

  // ---------------------------------------------------------------- OffsetDelete

  CompletableFuture<OffsetDeleteResult> deleteOffsets(
      String groupId, List<TopicPartition> partitions) {
    if (groupId == null || groupId.isEmpty()) {
      return CompletableFuture.completedFuture(
          new OffsetDeleteResult(Errors.INVALID_GROUP_ID, Map.of()));
    }
    ClassicGroup g;
    try {
      g = registry.lock(groupId, false, time.milliseconds());
    } catch (ApiException e) {
      return CompletableFuture.completedFuture(
          new OffsetDeleteResult(Errors.forException(e), Map.of()));
    }
    if (g == null) {
      return CompletableFuture.completedFuture(
          new OffsetDeleteResult(Errors.GROUP_ID_NOT_FOUND, Map.of()));
    }
    Map<TopicPartition, Errors> result = new LinkedHashMap<>();
    List<TopicPartition> doomed = new ArrayList<>();
    CompletableFuture<AppendResult> written;
    try {
      Optional<Set<String>> subscribed = Optional.of(Set.of());
      if (!g.is(GroupState.EMPTY)) {
        subscribed = g.subscribedTopics();
        if (subscribed.isEmpty()) {
          // Active group of a protocol whose subscriptions the broker cannot read.
          return CompletableFuture.completedFuture(
              new OffsetDeleteResult(Errors.NON_EMPTY_GROUP, Map.of()));
        }
      }
      for (TopicPartition tp : partitions) {
        if (subscribed.get().contains(tp.topic())) {
          result.put(tp, Errors.GROUP_SUBSCRIBED_TO_TOPIC);
        } else {
          result.put(tp, Errors.NONE);
          if (g.offsets().containsKey(tp)) {
            doomed.add(tp);
          }
        }
      }
      if (doomed.isEmpty()) {
        return CompletableFuture.completedFuture(new OffsetDeleteResult(Errors.NONE, result));
      }
      try {
        written = writer.writeTombstones(registry.logFor(g), groupId, doomed, false);
      } catch (ApiException e) {
        written = CompletableFuture.failedFuture(e);
      }
    } finally {
      g.lock().unlock();
    }
    return written.handle(
        (appended, err) -> {
          if (err != null) {
            Errors e = GroupWriter.appendError(err, false);
            log.warn("Offset deletion for group {} not stored: {}", groupId, e, err);
            return new OffsetDeleteResult(e, Map.of());
          }
          g.lock().lock();
          try {
            for (TopicPartition tp : doomed) {
              ClassicGroup.StoredOffset s = g.offsets().get(tp);
              if (s != null && s.recordOffset() < appended.firstOffset()) {
                g.removeOffset(tp);
              }
            }
          } finally {
            g.lock().unlock();
          }
          return new OffsetDeleteResult(Errors.NONE, result);
        });
  }

  // ---------------------------------------------------------------- DeleteGroups

  CompletableFuture<Map<String, Errors>> deleteGroups(List<String> groupIds) {
    Map<String, CompletableFuture<Errors>> pending = new LinkedHashMap<>();
    for (String id : groupIds) {
      pending.put(id, deleteGroup(id));
    }
    return CompletableFuture.allOf(pending.values().toArray(new CompletableFuture<?>[0]))
        .thenApply(
            v -> {
              Map<String, Errors> out = new LinkedHashMap<>();
              pending.forEach((id, f) -> out.put(id, f.join()));
              return out;
            });
  }

  private CompletableFuture<Errors> deleteGroup(String groupId) {
    if (groupId == null || groupId.isEmpty()) {
      return CompletableFuture.completedFuture(Errors.INVALID_GROUP_ID);
    }
    ClassicGroup g;
    try {
      g = registry.lock(groupId, false, time.milliseconds());
    } catch (ApiException e) {
      return CompletableFuture.completedFuture(Errors.forException(e));
    }
    if (g == null) {
      return CompletableFuture.completedFuture(Errors.GROUP_ID_NOT_FOUND);
    }
    CompletableFuture<AppendResult> written;
    try {
      if (!g.is(GroupState.EMPTY) || !(g.pendingMemberCount() == 0)) {
        return CompletableFuture.completedFuture(Errors.NON_EMPTY_GROUP);
      }
      List<TopicPartition> offsets = new ArrayList<>(g.offsets().keySet());
      CoordinatorLog target = registry.logFor(g);
      retire(g);
      written = writer.writeTombstones(target, groupId, offsets, true);
      log.info("Deleted group {} and its {} committed offsets", groupId, offsets.size());
    } catch (ApiException e) {
      return CompletableFuture.completedFuture(Errors.forException(e));
    } finally {
      g.lock().unlock();
    }
    return written.handle(
        (ok, err) -> {
          if (err == null) {
            return Errors.NONE;
          }
          Errors e = GroupWriter.appendError(err, false);
          log.warn("Tombstones for deleted group {} not stored: {}", groupId, e, err);
          return e;
        });
  }

  private void retire(ClassicGroup g) {
    g.cancelJoinTimer();
    g.transitionTo(GroupState.DEAD, time.milliseconds());
    g.clearOffsets();
    registry.remove(g);
  }

  // ---------------------------------------------------------------- expiry

  /**
   * Drops offsets past {@code offsets.retention.minutes} and groups left with nothing, writing
   * tombstones for both. An empty consumer group's offsets expire together, counted from when it
   * became empty; a standalone group's (no protocol type) expire one by one from their commit time;
   * an active consumer group loses only offsets of topics it no longer subscribes to. A
   * consumer-protocol group's offsets (kept in the empty classic entry of its id) expire from their
   * commit time unless the group subscribes to their topic. Returns the number of offsets removed.
   */
  int expireOffsets() {
    int removed = 0;
    for (GroupRegistry.OwnedPartition p : registry.ownedPartitions()) {
      if (!p.loaded) {
        continue;
      }
      for (ClassicGroup g : registry.groups(p.partition)) {
        try {
          removed += expire(g, p.log);
        } catch (RuntimeException e) {
          log.warn("Offset expiry failed for group {}", g.groupId(), e);
        }
      }
    }
    return removed;
  }

  private int expire(ClassicGroup g, CoordinatorLog target) {
    long now = time.milliseconds();
    long retention = config.offsetsRetentionMs();
    List<TopicPartition> expired = new ArrayList<>();
    boolean groupGone = false;
    // Asked before taking the classic lock: a downgrade holds the consumer group's lock while it
    // takes the classic one, so the other order here could deadlock.
    ConsumerGroupOffsetOwners owners = consumerGroups;
    Optional<ConsumerGroupOffsetOwners.Owner> consumer =
        owners == null ? Optional.empty() : owners.owner(g.groupId());
    g.lock().lock();
    try {
      if (g.is(GroupState.DEAD) || g.hasPendingOffsetWrites()) {
        return 0;
      }
      if (consumer.isPresent() && g.is(GroupState.EMPTY)) {
        collectOldOffsets(g, now, retention, consumer.get().subscribedTopics(), expired);
      } else if (g.is(GroupState.EMPTY)) {
        if (g.protocolType() != null) {
          if (now - g.stateTimestampMs() >= retention) {
            expired.addAll(g.offsets().keySet());
          }
        } else {
          collectOldOffsets(g, now, retention, null, expired);
        }
      } else {
        Optional<Set<String>> subscribed = g.subscribedTopics();
        if (subscribed.isPresent()) {
          collectOldOffsets(g, now, retention, subscribed.get(), expired);
        }
      }
      for (TopicPartition tp : expired) {
        g.removeOffset(tp);
      }
      boolean consumerMembers = consumer.isPresent() && consumer.get().hasMembers();
      if (g.is(GroupState.EMPTY)
          && g.offsets().isEmpty()
          && g.pendingMemberCount() == 0
          && !consumerMembers) {
        retire(g);
        groupGone = true;
      }
    } finally {
      g.lock().unlock();
    }
    if (groupGone && consumer.isPresent()) {
      owners.forgetIfEmpty(g.groupId());
    }
    if (!expired.isEmpty() || groupGone) {
      log.info(
          "Expired {} offsets of group {}{}",
          expired.size(),
          g.groupId(),
          groupGone ? " and removed the empty group" : "");
      writer
          .writeTombstones(target, g.groupId(), expired, groupGone)
          .whenComplete(
              (ok, err) -> {
                if (err != null) {
                  log.warn("Expiry tombstones for group {} not stored", g.groupId(), err);
                }
              });
    }
    return expired.size();
  }

  private static void collectOldOffsets(
      ClassicGroup g, long now, long retention, Set<String> keepTopics, List<TopicPartition> out) {
    for (Map.Entry<TopicPartition, ClassicGroup.StoredOffset> e : g.offsets().entrySet()) {
      boolean inUse = keepTopics != null && keepTopics.contains(e.getKey().topic());
      if (!inUse && now - e.getValue().value().commitTimestampMs() >= retention) {
        out.add(e.getKey());
      }
    }
  }
}
