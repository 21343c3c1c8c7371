package dev.ferry.server.share;

import dev.ferry.coordinator.share.SharePartition;
import dev.ferry.coordinator.share.SharePartitionManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.ShareFetchRequestData;
import org.apache.kafka.common.message.ShareFetchResponseData;
import org.apache.kafka.common.message.ShareFetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;

/**
 * One ShareFetch's acquisition: tries the session's partitions in order within the request's record
 * and byte budgets; with nothing acquired (and nothing else to report) it waits in the manager's
 * {@code ShareFetchWaiters} until records may have arrived, or until {@code max_wait_ms}, when it
 * answers with what it has. Attempts are serialized on this object, so records are acquired for one
 * response only. A fetch whose member's session ended meanwhile (its connection closed) gives back
 * what it acquired: nobody would receive it.
 */
final class PendingShareFetch {

  /** The client's {@code max.poll.records} default, when a request names no limit. */
  private static final int DEFAULT_MAX_RECORDS = 500;

  private final SharePartitionManager manager;
  private final SharePartitionResolver resolver;
  private final ShareFetchRequestData request;
  private final List<TopicIdPartition> sessionPartitions;
  private final Map<TopicIdPartition, Errors> ackResults;
  private final boolean full;
  private final BooleanSupplier sessionOpen;
  private final CompletableFuture<Map<TopicIdPartition, PartitionData>> result =
      new CompletableFuture<>();
  private final Map<TopicIdPartition, SharePartition> ready = new LinkedHashMap<>();
  private final Map<TopicIdPartition, Errors> errors = new LinkedHashMap<>();
  private final Runnable retry = () -> attempt(false);
  private boolean done;

  PendingShareFetch(
      SharePartitionManager manager,
      SharePartitionResolver resolver,
      ShareFetchRequestData request,
      List<TopicIdPartition> sessionPartitions,
      Map<TopicIdPartition, Errors> ackResults,
      boolean full,
      BooleanSupplier sessionOpen) {
    this.manager = manager;
    this.resolver = resolver;
    this.request = request;
    this.sessionPartitions = sessionPartitions;
    this.ackResults = ackResults;
    this.full = full;
    this.sessionOpen = sessionOpen;
  }

  CompletableFuture<Map<TopicIdPartition, PartitionData>> start() {
    Map<TopicIdPartition, CompletableFuture<SharePartition>> loading = new LinkedHashMap<>();
    for (TopicIdPartition tp : sessionPartitions) {
      Errors bad = resolver.check(tp);
      if (bad != Errors.NONE) {
        errors.put(tp, bad);
      } else {
        loading.put(tp, manager.partition(request.groupId(), tp));
      }
    }
    CompletableFuture.allOf(loading.values().toArray(CompletableFuture[]::new))
        .whenComplete(
            (ignored, e) -> {
              synchronized (this) {
                loading.forEach(
                    (tp, f) -> {
                      try {
                        ready.put(tp, f.join());
                      } catch (RuntimeException failure) {
                        errors.put(tp, Errors.forException(failure));
                      }
                    });
              }
              if (request.maxWaitMs() > 0) {
                manager.schedule(this::expire, request.maxWaitMs());
              }
              attempt(request.maxWaitMs() <= 0);
            });
    return result;
  }

  private void expire() {
    manager.waiters().remove(retry);
    attempt(true);
  }

  private synchronized void attempt(boolean last) {
    if (done) {
      return;
    }
    Map<TopicIdPartition, PartitionData> out = new LinkedHashMap<>();
    int maxRecords = request.maxRecords() > 0 ? request.maxRecords() : DEFAULT_MAX_RECORDS;
    int bytesLeft = request.maxBytes() > 0 ? request.maxBytes() : Integer.MAX_VALUE;
    boolean any = !ackResults.isEmpty() || !errors.isEmpty();
    for (TopicIdPartition tp : sessionPartitions) {
      PartitionData pd = new PartitionData().setPartitionIndex(tp.partition());
      Errors ack = ackResults.get(tp);
      if (ack != null) {
        pd.setAcknowledgeErrorCode(ack.code());
      }
      Errors error = errors.get(tp);
      SharePartition sp = ready.get(tp);
      if (error == null && sp != null && maxRecords > 0 && bytesLeft > 0) {
        try {
          SharePartition.Acquisition a = sp.acquire(request.memberId(), maxRecords, bytesLeft);
          if (a.count() > 0) {
            maxRecords -= a.count();
            bytesLeft -= a.records().sizeInBytes();
            pd.setRecords(a.records()).setAcquiredRecords(a.acquired());
            any = true;
          }
        } catch (ApiException e) {
          error = Errors.forException(e);
          any = true;
        }
      }
      if (error != null) {
        int[] leader = resolver.leader(tp);
        pd.setErrorCode(error.code())
            .setCurrentLeader(
                new ShareFetchResponseData.LeaderIdAndEpoch()
                    .setLeaderId(leader[0])
                    .setLeaderEpoch(leader[1]));
      }
      if (pd.records() == null) {
        pd.setRecords(MemoryRecords.EMPTY);
      }
      if (full || ack != null || error != null || !pd.acquiredRecords().isEmpty()) {
        out.put(tp, pd);
      }
    }
    // Acknowledgements of partitions no longer in the session are still answered.
    ackResults.forEach(
        (tp, e) ->
            out.computeIfAbsent(
                tp,
                k ->
                    new PartitionData()
                        .setPartitionIndex(k.partition())
                        .setAcknowledgeErrorCode(e.code())
                        .setRecords(MemoryRecords.EMPTY)));
    if (any || last) {
      done = true;
      if (!sessionOpen.getAsBoolean()) {
        // The session ended before or while this acquired (the connection closed): the release
        // that ended it may have run before these acquisitions, so give them back here, as never
        // delivered (nobody will receive this response), then anything else the member still holds.
        out.forEach(
            (tp, pd) -> {
              SharePartition sp = ready.get(tp);
              if (sp != null && !pd.acquiredRecords().isEmpty()) {
                sp.returnUndelivered(request.memberId(), pd.acquiredRecords());
              }
            });
        for (SharePartition sp : ready.values()) {
          sp.releaseMember(request.memberId());
        }
      }
      result.complete(out);
      return;
    }
    manager.waiters().park(retry);
    for (SharePartition sp : ready.values()) {
      if (sp.hasAcquirable()) {
        // Records arrived between the attempt and parking: retry off this stack.
        manager.waiters().remove(retry);
        manager.schedule(retry, 0);
        return;
      }
    }
  }
}
