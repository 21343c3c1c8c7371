package dev.ferry.server.txn;

import dev.ferry.coordinator.group.GroupCoordinator;
import dev.ferry.coordinator.transaction.TransactionMarkerChannel;
import dev.ferry.coordinator.transaction.TransactionMarkerSender.Markers;
import dev.ferry.replication.Partition;
import dev.ferry.replication.ReplicaManager;
import dev.ferry.storage.AppendResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;

/**
 * Writes transaction markers to partitions this broker leads — for WriteTxnMarkers requests and for
 * the local transaction coordinator directly — and answers once each marker is replicated
 * (acks=all, as Kafka writes markers), so a decided transaction cannot lose its marker to a leader
 * change. A marker on a {@code __consumer_offsets} partition also tells the group coordinator to
 * apply or drop the transaction's offsets.
 */
public final class TxnMarkerWriter implements TransactionMarkerChannel.LocalMarkerWriter {

  private final ReplicaManager replicaManager;
  private final GroupCoordinator groups;
  private final long timeoutMs;

  public TxnMarkerWriter(ReplicaManager replicaManager, GroupCoordinator groups, long timeoutMs) {
    this.replicaManager = replicaManager;
    this.groups = groups;
    this.timeoutMs = timeoutMs;
  }

  @Override
  public CompletableFuture<Map<TopicPartition, Errors>> write(
      Markers markers, Set<TopicPartition> partitions) {
    Map<TopicPartition, Errors> results = new HashMap<>();
    List<CompletableFuture<Void>> waits = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      Partition partition = replicaManager.partition(tp);
      if (partition == null) {
        results.put(tp, Errors.NOT_LEADER_OR_FOLLOWER);
        continue;
      }
      int epoch = partition.leaderEpoch();
      AppendResult r;
      try {
        r =
            replicaManager.appendMarker(
                tp,
                markers.producerId(),
                markers.producerEpoch(),
                markers.coordinatorEpoch(),
                markers.commit());
      } catch (ApiException e) {
        results.put(tp, Errors.forException(e));
        continue;
      } catch (RuntimeException e) {
        results.put(tp, Errors.KAFKA_STORAGE_ERROR);
        continue;
      }
      waits.add(
          replicaManager
              .awaitReplication(partition, epoch, r.lastOffset() + 1, timeoutMs)
              .thenAccept(
                  error -> {
                    if (error == Errors.NONE && GroupCoordinator.OFFSETS_TOPIC.equals(tp.topic())) {
                      groups.onTransactionCompleted(
                          tp.partition(), markers.producerId(), markers.commit());
                    }
                    synchronized (results) {
                      results.put(tp, error);
                    }
                  }));
    }
    return CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new))
        .thenApply(
            ignored -> {
              synchronized (results) {
                return new HashMap<>(results);
              }
            });
  }
}
