package dev.ferry.replication;

import dev.ferry.runtime.LoopThread;
import dev.ferry.storage.segment.LocalLog;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.ReplicaState;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.FetchResponseData.FetchableTopicResponse;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.EpochEndOffset;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replicates every partition that one source broker leads for us, through its {@link
 * LeaderEndpoint}: first OffsetForLeaderEpoch to find where our log diverges from the leader's and
 * truncate there, then Fetch requests (with our replica id) that the leader holds up to {@code
 * fetchMaxWaitMs}. Fetched batches are appended as they are ({@code appendAsFollower}); the high
 * watermark and the log start offset follow the leader's.
 *
 * <p>Each round ({@link #runOnce}) never sleeps: a partition that met an error is delayed until a
 * time on the injected clock, and the thread's loop waits until one is due (or a partition is
 * added). Network I/O runs without the lock; truncation and appends run under it, and {@link
 * #removePartition} takes it too, so once removal returns this thread no longer writes to that
 * partition's log (the partition may then become leader safely).
 */
final class ReplicaFetcherThread extends LoopThread {

  private static final Logger log = LoggerFactory.getLogger(ReplicaFetcherThread.class);

  private enum Status {
    TRUNCATING,
    FETCHING
  }

  private static final class FetchState {
    final Partition partition;
    final int leaderEpoch;
    Status status = Status.TRUNCATING;
    long delayedUntilMs;

    /** The leader said our fetch offset is out of range: compare its log end first. */
    boolean outOfRange;

    FetchState(Partition partition, int leaderEpoch) {
      this.partition = partition;
      this.leaderEpoch = leaderEpoch;
    }
  }

  private final int sourceBrokerId;
  private final ReplicationConfig config;
  private final LeaderEndpoint leader;
  private final Time time;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final Map<TopicPartition, FetchState> states = new LinkedHashMap<>();
  private final ReplicationThrottle throttle;
  private final FollowerFetchSession session = new FollowerFetchSession();

  /** How long a partition held back by the follower throttle waits before it is asked again. */
  private static final long THROTTLE_RECHECK_MS = 100;

  ReplicaFetcherThread(
      int sourceBrokerId, ReplicationConfig config, LeaderEndpoint leader, Time time) {
    this(sourceBrokerId, config, leader, time, ReplicationThrottle.NONE);
  }

  ReplicaFetcherThread(
      int sourceBrokerId,
      ReplicationConfig config,
      LeaderEndpoint leader,
      Time time,
      ReplicationThrottle throttle) {
    super("ferry-replica-fetcher-" + config.brokerId() + "-from-" + sourceBrokerId);
    this.sourceBrokerId = sourceBrokerId;
    this.config = config;
    this.leader = leader;
    this.time = time;
    this.throttle = throttle;
  }

  void addPartition(Partition partition, int leaderEpoch) {
    lock.lock();
    try {
      states.put(partition.topicPartition(), new FetchState(partition, leaderEpoch));
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Stops replicating {@code tp}; on return no write of this thread to it is in progress. */
  void removePartition(TopicPartition tp) {
    lock.lock();
    try {
      states.remove(tp);
    } finally {
      lock.unlock();
    }
  }

  boolean isIdle() {
    lock.lock();
    try {
      return states.isEmpty();
    } finally {
      lock.unlock();
    }
  }

  /** Stops the thread and waits (bounded) for it; its connection is closed. */
  void shutdown() {
    shutdown(5_000);
  }

  @Override
  protected void wakeUp() {
    interrupt();
    leader.disconnect(); // ends a blocking read on the connection
  }

  @Override
  protected void onStop() {
    leader.close();
  }

  @Override
  protected void doWork() throws InterruptedException {
    if (awaitWork()) {
      runOnce();
    }
  }

  /**
   * One round: truncation for the partitions that need it, then one fetch for those that are
   * fetching, each only if due. A failed request delays every partition by the fetch backoff.
   */
  void runOnce() {
    try {
      truncate();
      fetch();
    } catch (IOException e) {
      if (isRunning()) {
        log.info("Connection to leader {} failed: {}", sourceBrokerId, e.toString());
        leader.disconnect();
        backOffAll();
      }
    } catch (RuntimeException e) {
      log.error("Replica fetcher for leader {} failed; retrying", sourceBrokerId, e);
      leader.disconnect();
      backOffAll();
    } catch (InternalError e) {
      if (!LocalLog.isMappedFileFault(e)) {
        throw e;
      }
      // A fault on a memory-mapped page this thread wrote (an index page on a full disk), thrown
      // at one of its later native calls, outside the append that caused it. Which of its logs
      // it was is unknown: the dirs of all of them fail (with one log dir, the broker halts).
      // Left uncaught it would end this thread, and with it the replication of every partition
      // it follows.
      lock.lock();
      try {
        for (FetchState s : states.values()) {
          s.partition.log().mappedFileFault("replicate to", e);
        }
      } finally {
        lock.unlock();
      }
      backOffAll();
    }
  }

  /** Waits until some partition is ready to work on; false if woken without one. */
  private boolean awaitWork() throws InterruptedException {
    lock.lock();
    try {
      long now = time.milliseconds();
      long nextDue = Long.MAX_VALUE;
      for (FetchState s : states.values()) {
        if (s.delayedUntilMs <= now) {
          return true;
        }
        nextDue = Math.min(nextDue, s.delayedUntilMs);
      }
      long waitMs = nextDue == Long.MAX_VALUE ? 1_000 : Math.max(1, nextDue - now);
      changed.await(waitMs, TimeUnit.MILLISECONDS);
      return false;
    } finally {
      lock.unlock();
    }
  }

  private void backOffAll() {
    lock.lock();
    try {
      long until = time.milliseconds() + config.fetchBackoffMs();
      for (FetchState s : states.values()) {
        s.delayedUntilMs = Math.max(s.delayedUntilMs, until);
      }
    } finally {
      lock.unlock();
    }
  }

  private List<FetchState> ready(Status status) {
    lock.lock();
    try {
      long now = time.milliseconds();
      List<FetchState> out = new ArrayList<>();
      for (FetchState s : states.values()) {
        if (s.status == status && s.delayedUntilMs <= now) {
          out.add(s);
        }
      }
      return out;
    } finally {
      lock.unlock();
    }
  }

  /** True if {@code s} is still what this thread should act on (not removed or replaced). */
  private boolean current(FetchState s) {
    return states.get(s.partition.topicPartition()) == s;
  }

  // ---- truncation

  private void truncate() throws IOException {
    List<FetchState> todo = ready(Status.TRUNCATING);
    if (todo.isEmpty()) {
      return;
    }
    todo = truncateAboveLeadersEnd(todo);
    OffsetForLeaderTopicCollection topics = new OffsetForLeaderTopicCollection();
    List<FetchState> asked = new ArrayList<>();
    for (FetchState s : todo) {
      int latest = s.partition.asFollower().latestEpoch();
      if (latest < 0) {
        // No epoch known locally: an empty log needs no truncation; older data is cut to the
        // high watermark, which is replicated.
        lock.lock();
        try {
          if (current(s)) {
            if (s.partition.logEndOffset() > s.partition.highWatermark()) {
              s.partition.asFollower().truncateTo(s.partition.highWatermark());
            }
            s.status = Status.FETCHING;
          }
        } finally {
          lock.unlock();
        }
        continue;
      }
      TopicPartition tp = s.partition.topicPartition();
      OffsetForLeaderTopic topic = topics.find(tp.topic());
      if (topic == null) {
        topic = new OffsetForLeaderTopic().setTopic(tp.topic());
        topics.add(topic);
      }
      topic
          .partitions()
          .add(
              new OffsetForLeaderPartition()
                  .setPartition(tp.partition())
                  .setCurrentLeaderEpoch(s.leaderEpoch)
                  .setLeaderEpoch(latest));
      asked.add(s);
    }
    if (asked.isEmpty()) {
      return;
    }
    OffsetForLeaderEpochResponseData response =
        leader.offsetsForLeaderEpoch(
            new OffsetForLeaderEpochRequestData()
                .setReplicaId(config.brokerId())
                .setTopics(topics));
    Map<TopicPartition, EpochEndOffset> answers = new HashMap<>();
    for (OffsetForLeaderTopicResult t : response.topics()) {
      for (EpochEndOffset p : t.partitions()) {
        answers.put(new TopicPartition(t.topic(), p.partition()), p);
      }
    }
    lock.lock();
    try {
      long now = time.milliseconds();
      for (FetchState s : asked) {
        if (!current(s)) {
          continue;
        }
        EpochEndOffset answer = answers.get(s.partition.topicPartition());
        Errors error =
            answer == null ? Errors.UNKNOWN_SERVER_ERROR : Errors.forCode(answer.errorCode());
        if (error != Errors.NONE) {
          log.debug(
              "OffsetForLeaderEpoch for {} from {}: {}",
              s.partition.topicPartition(),
              sourceBrokerId,
              error);
          s.delayedUntilMs = now + config.fetchBackoffMs();
          continue;
        }
        long target = truncationOffset(s.partition, answer.leaderEpoch(), answer.endOffset());
        if (target < s.partition.logEndOffset()) {
          log.info(
              "Truncating {} to {} (leader {} has epoch {} ending at {}; our log end was {})",
              s.partition.topicPartition(),
              target,
              sourceBrokerId,
              answer.leaderEpoch(),
              answer.endOffset(),
              s.partition.logEndOffset());
          s.partition.asFollower().truncateTo(target);
        }
        s.status = Status.FETCHING;
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * For partitions whose fetch offset the leader called out of range although it is at or above the
   * leader's log start: asks the leader's log end and, when ours is beyond it, truncates there
   * (Kafka's answer too). Epochs cannot settle this case when the leader has none recorded (a log
   * cut back to nothing by a power loss or lost while its epoch could not be written): it answers
   * "unknown" for every epoch, our truncation to the high watermark keeps offsets the leader does
   * not have, and the next fetch is out of range again — for ever. Returns the partitions that
   * still need the epoch check.
   */
  private List<FetchState> truncateAboveLeadersEnd(List<FetchState> todo) throws IOException {
    List<FetchState> rest = new ArrayList<>(todo.size());
    for (FetchState s : todo) {
      if (!s.outOfRange) {
        rest.add(s);
        continue;
      }
      long leaderEnd = leader.logEndOffset(s.partition.topicPartition(), s.leaderEpoch);
      lock.lock();
      try {
        if (!current(s)) {
          continue;
        }
        s.outOfRange = false;
        if (leaderEnd >= 0 && leaderEnd < s.partition.logEndOffset()) {
          log.warn(
              "Truncating {} to leader {}'s log end {}: our log end {} is beyond it",
              s.partition.topicPartition(),
              sourceBrokerId,
              leaderEnd,
              s.partition.logEndOffset());
          s.partition.asFollower().truncateTo(leaderEnd);
          s.status = Status.FETCHING;
        } else {
          rest.add(s);
        }
      } finally {
        lock.unlock();
      }
    }
    return rest;
  }

  /**
   * Where our log stops agreeing with the leader's: the end of the largest epoch both know, or the
   * high watermark if the leader knows no epoch at or below ours.
   */
  private static long truncationOffset(Partition partition, int leaderEpoch, long leaderEndOffset) {
    long leo = partition.logEndOffset();
    if (leaderEpoch == OffsetsForLeaderEpochResponse.UNDEFINED_EPOCH
        || leaderEndOffset == OffsetsForLeaderEpochResponse.UNDEFINED_EPOCH_OFFSET) {
      return Math.min(partition.highWatermark(), leo);
    }
    long target = Math.min(leaderEndOffset, leo);
    dev.ferry.storage.EpochEndOffset local = partition.asFollower().endOffsetForEpoch(leaderEpoch);
    if (!local.equals(dev.ferry.storage.EpochEndOffset.UNDEFINED)) {
      target = Math.min(target, local.endOffset());
    }
    return target;
  }

  // ---- fetching

  private void fetch() throws IOException {
    List<FetchState> todo = ready(Status.FETCHING);
    if (todo.isEmpty()) {
      return;
    }
    todo = withoutThrottled(todo);
    if (todo.isEmpty()) {
      return;
    }
    Map<Uuid, List<FetchPartition>> wanted = new LinkedHashMap<>();
    Map<Uuid, String> names = new HashMap<>();
    for (FetchState s : todo) {
      Partition p = s.partition;
      names.put(p.topicId(), p.topicPartition().topic());
      wanted
          .computeIfAbsent(p.topicId(), id -> new ArrayList<>())
          .add(
              new FetchPartition()
                  .setPartition(p.topicPartition().partition())
                  .setCurrentLeaderEpoch(s.leaderEpoch)
                  .setFetchOffset(p.logEndOffset())
                  .setLogStartOffset(p.logStartOffset())
                  .setPartitionMaxBytes(config.fetchPartitionMaxBytes()));
    }
    FetchRequestData data =
        new FetchRequestData()
            .setReplicaState(new ReplicaState().setReplicaId(config.brokerId()).setReplicaEpoch(-1))
            .setMaxWaitMs(config.fetchMaxWaitMs())
            .setMinBytes(1)
            .setMaxBytes(config.fetchMaxBytes())
            .setIsolationLevel((byte) 0);
    // Incremental fetches (KIP-227): only the partitions whose position changed are named.
    session.prepare(data, wanted);
    FetchResponseData body;
    try {
      body = leader.fetch(data);
    } catch (IOException | RuntimeException e) {
      session.reset();
      throw e;
    }
    session.onResponse(body);
    if (isSessionError(body.errorCode())) {
      // The leader lost or evicted the session: the next fetch is full, at once.
      log.info(
          "Fetch session with leader {} ended ({}); fetching in full",
          sourceBrokerId,
          Errors.forCode(body.errorCode()));
      return;
    }
    if (body.errorCode() != Errors.NONE.code()) {
      log.warn("Fetch from leader {} failed: {}", sourceBrokerId, Errors.forCode(body.errorCode()));
      backOffAll();
      return;
    }
    Map<TopicPartition, FetchState> byPartition = new HashMap<>();
    for (FetchState s : todo) {
      byPartition.put(s.partition.topicPartition(), s);
    }
    lock.lock();
    try {
      for (FetchableTopicResponse t : body.responses()) {
        String name = names.get(t.topicId());
        if (name == null) {
          continue;
        }
        for (PartitionData pd : t.partitions()) {
          FetchState s = byPartition.get(new TopicPartition(name, pd.partitionIndex()));
          if (s != null && current(s)) {
            apply(s, pd);
          }
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private static boolean isSessionError(short code) {
    return code == Errors.FETCH_SESSION_ID_NOT_FOUND.code()
        || code == Errors.INVALID_FETCH_SESSION_EPOCH.code()
        || code == Errors.FETCH_SESSION_TOPIC_ID_ERROR.code();
  }

  /**
   * The partitions to fetch now: a replica out of the ISR on a throttled partition waits while the
   * follower throttle's quota is used up (Kafka's follower replication quota).
   */
  private List<FetchState> withoutThrottled(List<FetchState> todo) {
    List<FetchState> out = new ArrayList<>(todo.size());
    List<FetchState> held = new ArrayList<>();
    for (FetchState s : todo) {
      Partition p = s.partition;
      if (throttle.shouldThrottle(p.topicPartition(), p.isr().contains(config.brokerId()))) {
        held.add(s);
      } else {
        out.add(s);
      }
    }
    if (!held.isEmpty()) {
      lock.lock();
      try {
        long until = time.milliseconds() + THROTTLE_RECHECK_MS;
        for (FetchState s : held) {
          s.delayedUntilMs = Math.max(s.delayedUntilMs, until);
        }
      } finally {
        lock.unlock();
      }
    }
    return out;
  }

  /** One partition's part of a fetch response. Caller holds the lock. */
  private void apply(FetchState s, PartitionData pd) {
    Partition p = s.partition;
    Errors error = Errors.forCode(pd.errorCode());
    long now = time.milliseconds();
    switch (error) {
      case NONE -> {
        try {
          if (pd.records() instanceof MemoryRecords records && records.sizeInBytes() > 0) {
            if (throttle.isThrottled(p.topicPartition()) && !p.isr().contains(config.brokerId())) {
              throttle.record(records.sizeInBytes());
            }
            p.asFollower().append(records);
          }
          p.asFollower().followHighWatermark(pd.highWatermark());
          // The leader's retention and DeleteRecords move its log start; follow it.
          p.asFollower().followLogStart(pd.logStartOffset());
        } catch (ApiException e) {
          log.error(
              "Could not append batches of {} fetched from leader {} at {}: {}; re-checking"
                  + " divergence",
              p.topicPartition(),
              sourceBrokerId,
              p.logEndOffset(),
              e.toString());
          s.status = Status.TRUNCATING;
          s.delayedUntilMs = now + config.fetchBackoffMs();
        }
      }
      case OFFSET_OUT_OF_RANGE -> {
        long leaderStart = pd.logStartOffset();
        if (leaderStart >= 0 && p.logEndOffset() < leaderStart) {
          // Retention or DeleteRecords on the leader removed everything this replica lacks.
          log.warn(
              "Log end {} of {} is below leader {}'s log start {}: restarting the log there",
              p.logEndOffset(),
              p.topicPartition(),
              sourceBrokerId,
              leaderStart);
          p.asFollower().truncateFullyAndStartAt(leaderStart);
          return;
        }
        log.warn(
            "Leader {} says offset {} of {} is out of range (its log start {}); re-checking"
                + " divergence",
            sourceBrokerId,
            p.logEndOffset(),
            p.topicPartition(),
            leaderStart);
        s.status = Status.TRUNCATING;
        s.outOfRange = true;
        s.delayedUntilMs = now + config.fetchBackoffMs();
      }
      default -> {
        // Not leader (yet / any more), stale or newer epoch: the metadata will catch up.
        log.debug("Fetch of {} from {}: {}", p.topicPartition(), sourceBrokerId, error);
        s.delayedUntilMs = now + Math.min(200, config.fetchBackoffMs());
      }
    }
  }
}
