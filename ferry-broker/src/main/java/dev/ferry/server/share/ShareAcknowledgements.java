package dev.ferry.server.share;

import dev.ferry.coordinator.share.SharePartition;
import dev.ferry.coordinator.share.SharePartitionManager;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * The acknowledgement step shared by ShareFetch and ShareAcknowledge: each partition's batches are
 * applied to its share-partition, one error per partition (other partitions and members are not
 * affected by one partition's bad batch).
 */
final class ShareAcknowledgements {

  private final SharePartitionManager partitions;
  private final SharePartitionResolver resolver;
  private final String groupId;
  private final String memberId;

  ShareAcknowledgements(
      SharePartitionManager partitions,
      SharePartitionResolver resolver,
      String groupId,
      String memberId) {
    this.partitions = partitions;
    this.resolver = resolver;
    this.groupId = groupId;
    this.memberId = memberId;
  }

  /** Applies {@code acks}; completes with each partition's error code. */
  CompletableFuture<Map<TopicIdPartition, Errors>> apply(
      Map<TopicIdPartition, List<SharePartition.AckBatch>> acks) {
    Map<TopicIdPartition, CompletableFuture<Errors>> pending = new LinkedHashMap<>();
    acks.forEach(
        (tp, batches) -> {
          Errors bad = resolver.check(tp);
          pending.put(
              tp,
              bad != Errors.NONE
                  ? CompletableFuture.completedFuture(bad)
                  : partitions
                      .partition(groupId, tp)
                      .thenCompose(sp -> sp.acknowledge(memberId, batches))
                      .exceptionally(Errors::forException));
        });
    return CompletableFuture.allOf(pending.values().toArray(CompletableFuture[]::new))
        .handle(
            (ignored, e) -> {
              Map<TopicIdPartition, Errors> out = new LinkedHashMap<>();
              pending.forEach((tp, f) -> out.put(tp, f.join()));
              return out;
            });
  }

  /** Releases what the member holds in {@code sessionPartitions} (its session closed). */
  CompletableFuture<Void> releaseAll(List<TopicIdPartition> sessionPartitions) {
    for (TopicIdPartition tp : sessionPartitions) {
      partitions.loaded(groupId, tp).ifPresent(sp -> sp.releaseMember(memberId));
    }
    return CompletableFuture.completedFuture(null);
  }
}
