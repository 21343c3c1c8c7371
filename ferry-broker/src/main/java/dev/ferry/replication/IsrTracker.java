package dev.ferry.replication;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.IntPredicate;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A leader's view of its followers and of the in-sync replica set: each follower's progress (from
 * its fetches), the ISR as last written, and at most one ISR change in flight. While a change is
 * being written the "maximal" ISR (old ∪ proposed) is what the high watermark is computed over,
 * which is safe whichever way the write ends (as Kafka's {@code PendingExpandIsr}).
 *
 * <p>It proposes changes and knows the smallest replicated log end offset; the owning {@link
 * Partition} turns proposals into partition states to write and owns the high watermark. All
 * methods are synchronized; the getters of the two sets are lock-free reads of volatiles.
 */
final class IsrTracker {

  private static final Logger logger = LoggerFactory.getLogger(IsrTracker.class);

  private final TopicPartition topicPartition;
  private final int localBrokerId;
  private final Map<Integer, FollowerState> followers = new HashMap<>();
  private volatile Set<Integer> isr = Set.of();
  private volatile Set<Integer> maximalIsr = Set.of();
  private boolean changeInFlight;

  IsrTracker(TopicPartition topicPartition, int localBrokerId) {
    this.topicPartition = topicPartition;
    this.localBrokerId = localBrokerId;
  }

  /** The in-sync replicas as last written to ZooKeeper. */
  Set<Integer> isr() {
    return isr;
  }

  /** Takes {@code written} as the ISR; whatever change was in flight is settled. */
  synchronized void adopt(Collection<Integer> written) {
    isr = Set.copyOf(written);
    settle();
  }

  /** The change in flight ended (written or lost): the ISR is the last written one again. */
  synchronized void settle() {
    maximalIsr = isr;
    changeInFlight = false;
  }

  /** A new leadership: every other replica of {@code assignment} starts a full lag period now. */
  synchronized void startTracking(Collection<Integer> assignment, long nowMs) {
    followers.clear();
    for (int r : assignment) {
      if (r != localBrokerId) {
        followers.put(r, new FollowerState(nowMs));
      }
    }
  }

  /**
   * A reassignment changes the replicas within a leader epoch: start tracking added followers, stop
   * tracking removed ones (unless still in the ISR, which the controller shrinks in the same step).
   */
  synchronized void reassigned(Collection<Integer> assignment, long nowMs) {
    for (int r : assignment) {
      if (r != localBrokerId) {
        followers.computeIfAbsent(r, id -> new FollowerState(nowMs));
      }
    }
    followers.keySet().removeIf(r -> !assignment.contains(r) && !maximalIsr.contains(r));
  }

  /** No longer leader: nothing to track. */
  synchronized void stopTracking() {
    followers.clear();
  }

  /**
   * Records a follower's fetch and, if it has caught up with the high watermark of this leadership
   * and may join, begins its expansion.
   *
   * @param leaderEpochStartOffset a follower must reach the start of this leadership to join
   * @return the proposed ISR to write, or null
   */
  synchronized Set<Integer> onFollowerFetch(
      int replicaId,
      long fetchOffset,
      long leaderLogEndOffset,
      long nowMs,
      long highWatermark,
      long leaderEpochStartOffset,
      IntPredicate isrEligible) {
    FollowerState f = followers.get(replicaId);
    if (f == null) {
      return null; // not a replica of this partition
    }
    f.onFetch(fetchOffset, leaderLogEndOffset, nowMs);
    if (changeInFlight
        || isr.contains(replicaId)
        || fetchOffset < highWatermark
        || fetchOffset < leaderEpochStartOffset
        || !isrEligible.test(replicaId)) {
      return null;
    }
    Set<Integer> proposed = new LinkedHashSet<>(isr);
    proposed.add(replicaId);
    return begin(proposed);
  }

  /**
   * Begins removing the followers that did not catch up within {@code maxLagMs}.
   *
   * @return the proposed ISR to write, or null if none is needed or a change is in flight
   */
  synchronized Set<Integer> shrink(long nowMs, long maxLagMs, long leaderLogEndOffset) {
    if (changeInFlight) {
      return null;
    }
    Set<Integer> proposed = new LinkedHashSet<>();
    for (int r : isr) {
      FollowerState f = followers.get(r);
      if (r == localBrokerId || (f != null && nowMs - f.lastCaughtUpTimeMs <= maxLagMs)) {
        proposed.add(r);
      } else if (f != null) {
        logger.info(
            "Removing replica {} of {} from the ISR: not caught up for {} ms (log end {},"
                + " leader's {})",
            r,
            topicPartition,
            nowMs - f.lastCaughtUpTimeMs,
            f.logEndOffset,
            leaderLogEndOffset);
      }
    }
    return proposed.size() == isr.size() ? null : begin(proposed);
  }

  private Set<Integer> begin(Set<Integer> proposed) {
    Set<Integer> union = new LinkedHashSet<>(isr);
    union.addAll(proposed);
    maximalIsr = Set.copyOf(union);
    changeInFlight = true;
    return proposed;
  }

  /**
   * The smallest log end offset over the maximal ISR, this leader's own included, or -1 while an
   * ISR member has not fetched yet (nothing is known to be replicated then).
   */
  synchronized long replicatedEndOffset(long leaderLogEndOffset) {
    long min = leaderLogEndOffset;
    for (int r : maximalIsr) {
      if (r == localBrokerId) {
        continue;
      }
      FollowerState f = followers.get(r);
      if (f == null || f.logEndOffset < 0) {
        return -1;
      }
      min = Math.min(min, f.logEndOffset);
    }
    return min;
  }

  /** The follower log end offsets this leader knows (diagnostics and tests). */
  synchronized Map<Integer, Long> followerLogEndOffsets() {
    Map<Integer, Long> out = new HashMap<>();
    followers.forEach((id, f) -> out.put(id, f.logEndOffset));
    return out;
  }
}
