package dev.ferry.server.group;

import dev.ferry.coordinator.group.GroupCoordinator;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import dev.ferry.server.KnownPartitions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponsePartition;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.OffsetDeleteRequest;
import org.apache.kafka.common.requests.OffsetDeleteResponse;

/**
 * OffsetDelete v0: deletes committed offsets of an empty group, or of topics an active consumer
 * group no longer subscribes to.
 */
public final class OffsetDeleteHandler extends ApiHandler<OffsetDeleteRequest> {

  private final GroupCoordinator coordinator;
  private final KnownPartitions knownPartitions;

  public OffsetDeleteHandler(GroupCoordinator coordinator) {
    this(coordinator, tp -> true);
  }

  /**
   * Partitions {@code knownPartitions} does not know are answered UNKNOWN_TOPIC_OR_PARTITION
   * without reaching the coordinator, as in Kafka.
   */
  public OffsetDeleteHandler(GroupCoordinator coordinator, KnownPartitions knownPartitions) {
    super(ApiKeys.OFFSET_DELETE, OffsetDeleteRequest.class, 0, 0);
    this.coordinator = coordinator;
    this.knownPartitions = knownPartitions;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, OffsetDeleteRequest req) {
    List<TopicPartition> partitions = new ArrayList<>();
    List<TopicPartition> unknown = new ArrayList<>();
    for (OffsetDeleteRequestTopic t : req.data().topics()) {
      for (OffsetDeleteRequestPartition p : t.partitions()) {
        TopicPartition tp = new TopicPartition(t.name(), p.partitionIndex());
        (knownPartitions.exists(tp) ? partitions : unknown).add(tp);
      }
    }
    return coordinator
        .deleteOffsets(req.data().groupId(), partitions)
        .thenApply(
            result -> {
              OffsetDeleteResponseData data =
                  new OffsetDeleteResponseData().setErrorCode(result.error().code());
              if (result.error() == Errors.NONE) {
                Map<TopicPartition, Errors> outcomes = new java.util.LinkedHashMap<>();
                unknown.forEach(tp -> outcomes.put(tp, Errors.UNKNOWN_TOPIC_OR_PARTITION));
                outcomes.putAll(result.partitions());
                for (Map.Entry<TopicPartition, Errors> e : outcomes.entrySet()) {
                  TopicPartition tp = e.getKey();
                  OffsetDeleteResponseTopic t = data.topics().find(tp.topic());
                  if (t == null) {
                    t = new OffsetDeleteResponseTopic().setName(tp.topic());
                    data.topics().add(t);
                  }
                  if (t.partitions().find(tp.partition()) == null) {
                    t.partitions()
                        .add(
                            new OffsetDeleteResponsePartition()
                                .setPartitionIndex(tp.partition())
                                .setErrorCode(e.getValue().code()));
                  }
                }
              }
              return new OffsetDeleteResponse(data);
            });
  }
}
