package dev.ferry.coordinator.transaction;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarker;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData.WritableTxnMarkerTopic;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData.WritableTxnMarkerPartitionResult;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData.WritableTxnMarkerResult;
import org.apache.kafka.common.message.WriteTxnMarkersResponseData.WritableTxnMarkerTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.WriteTxnMarkersRequest;
import org.apache.kafka.common.requests.WriteTxnMarkersResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers a transaction's markers: partitions are grouped by their current leader; those led here
 * are written directly, the others through a WriteTxnMarkers request to their leader. Partitions
 * that fail (leader moved, broker down, not enough replicas) are retried with a growing backoff
 * until they succeed, their topic is gone, or this broker stops coordinating the transaction.
 */
public final class TransactionMarkerChannel implements TransactionMarkerSender, AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(TransactionMarkerChannel.class);
  private static final long MIN_BACKOFF_MS = 50;
  private static final long MAX_BACKOFF_MS = 1_000;

  /** Writes markers to partitions led by this broker. */
  @FunctionalInterface
  public interface LocalMarkerWriter {
    CompletableFuture<Map<TopicPartition, Errors>> write(
        Markers markers, Set<TopicPartition> partitions);
  }

  private final int localBrokerId;
  private final Function<TopicPartition, Optional<Node>> leaderOf;
  private final Function<String, Boolean> topicExists;
  private final LocalMarkerWriter local;
  private final InterBrokerClient remote;
  private final ScheduledExecutorService retries;

  public TransactionMarkerChannel(
      int localBrokerId,
      Function<TopicPartition, Optional<Node>> leaderOf,
      Function<String, Boolean> topicExists,
      LocalMarkerWriter local,
      InterBrokerClient remote) {
    this.localBrokerId = localBrokerId;
    this.leaderOf = leaderOf;
    this.topicExists = topicExists;
    this.local = local;
    this.remote = remote;
    ScheduledThreadPoolExecutor s =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "ferry-txn-marker-retry");
              t.setDaemon(true);
              return t;
            });
    s.setRemoveOnCancelPolicy(true);
    this.retries = s;
  }

  @Override
  public CompletableFuture<Void> send(Markers markers, BooleanSupplier stillCoordinator) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    attempt(markers, new HashSet<>(markers.partitions()), stillCoordinator, done, MIN_BACKOFF_MS);
    return done;
  }

  private void attempt(
      Markers markers,
      Set<TopicPartition> remaining,
      BooleanSupplier stillCoordinator,
      CompletableFuture<Void> done,
      long backoffMs) {
    if (!stillCoordinator.getAsBoolean()) {
      done.completeExceptionally(Errors.NOT_COORDINATOR.exception("No longer the coordinator"));
      return;
    }
    Map<Integer, Set<TopicPartition>> byLeader = new HashMap<>();
    Map<Integer, Node> nodes = new HashMap<>();
    for (TopicPartition tp : new ArrayList<>(remaining)) {
      if (!topicExists.apply(tp.topic())) {
        remaining.remove(tp); // deleted: nothing left to mark
        continue;
      }
      Optional<Node> leader = leaderOf.apply(tp);
      if (leader.isPresent()) {
        byLeader.computeIfAbsent(leader.get().id(), id -> new HashSet<>()).add(tp);
        nodes.put(leader.get().id(), leader.get());
      }
    }
    if (remaining.isEmpty()) {
      done.complete(null);
      return;
    }
    List<CompletableFuture<Map<TopicPartition, Errors>>> sent = new ArrayList<>();
    for (Map.Entry<Integer, Set<TopicPartition>> e : byLeader.entrySet()) {
      CompletableFuture<Map<TopicPartition, Errors>> result =
          e.getKey() == localBrokerId
              ? local.write(markers, e.getValue())
              : sendRemote(nodes.get(e.getKey()), markers, e.getValue());
      sent.add(result.exceptionally(err -> failAll(e.getValue(), err)));
    }
    CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new))
        .whenComplete(
            (ignored, err) -> {
              synchronized (remaining) {
                for (CompletableFuture<Map<TopicPartition, Errors>> f : sent) {
                  for (Map.Entry<TopicPartition, Errors> r : f.join().entrySet()) {
                    if (r.getValue() == Errors.NONE) {
                      remaining.remove(r.getKey());
                    } else {
                      log.debug(
                          "Marker for producer {} on {} failed: {}",
                          markers.producerId(),
                          r.getKey(),
                          r.getValue());
                    }
                  }
                }
              }
              if (remaining.isEmpty()) {
                done.complete(null);
              } else {
                retries.schedule(
                    () ->
                        attempt(
                            markers,
                            remaining,
                            stillCoordinator,
                            done,
                            Math.min(MAX_BACKOFF_MS, backoffMs * 2)),
                    backoffMs,
                    TimeUnit.MILLISECONDS);
              }
            });
  }

  private static Map<TopicPartition, Errors> failAll(Set<TopicPartition> tps, Throwable err) {
    log.debug("Marker request failed: {}", err.toString());
    Map<TopicPartition, Errors> out = new HashMap<>();
    for (TopicPartition tp : tps) {
      out.put(tp, Errors.NETWORK_EXCEPTION);
    }
    return out;
  }

  private CompletableFuture<Map<TopicPartition, Errors>> sendRemote(
      Node node, Markers markers, Set<TopicPartition> partitions) {
    Map<String, List<Integer>> byTopic = new HashMap<>();
    for (TopicPartition tp : partitions) {
      byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition());
    }
    List<WritableTxnMarkerTopic> topics = new ArrayList<>();
    byTopic.forEach(
        (t, ps) -> topics.add(new WritableTxnMarkerTopic().setName(t).setPartitionIndexes(ps)));
    WriteTxnMarkersRequestData data =
        new WriteTxnMarkersRequestData()
            .setMarkers(
                List.of(
                    new WritableTxnMarker()
                        .setProducerId(markers.producerId())
                        .setProducerEpoch(markers.producerEpoch())
                        .setTransactionResult(markers.commit())
                        .setCoordinatorEpoch(markers.coordinatorEpoch())
                        .setTransactionVersion(markers.transactionVersion())
                        .setTopics(topics)));
    WriteTxnMarkersRequest request =
        new WriteTxnMarkersRequest.Builder(data).build(ApiKeys.WRITE_TXN_MARKERS.latestVersion());
    return remote
        .send(node, request)
        .thenApply(
            response -> {
              Map<TopicPartition, Errors> out = new HashMap<>();
              for (WritableTxnMarkerResult r :
                  ((WriteTxnMarkersResponse) response).data().markers()) {
                for (WritableTxnMarkerTopicResult t : r.topics()) {
                  for (WritableTxnMarkerPartitionResult p : t.partitions()) {
                    Errors e = Errors.forCode(p.errorCode());
                    out.put(
                        new TopicPartition(t.name(), p.partitionIndex()),
                        e == Errors.UNKNOWN_TOPIC_OR_PARTITION && !topicExists.apply(t.name())
                            ? Errors.NONE
                            : e);
                  }
                }
              }
              return out;
            });
  }

  @Override
  public void close() {
    retries.shutdownNow();
  }
}
