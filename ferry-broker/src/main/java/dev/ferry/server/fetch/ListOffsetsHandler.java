package dev.ferry.server.fetch;

import dev.ferry.network.NetworkRequest;
import dev.ferry.replication.FetchIsolation;
import dev.ferry.replication.OffsetLookup;
import dev.ferry.replication.Partition;
import dev.ferry.replication.ReplicaManager;
import dev.ferry.server.ApiHandler;
import dev.ferry.server.KnownPartitions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsTopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;

/**
 * ListOffsets: earliest, latest, max-timestamp and by-timestamp lookups on the partitions led here
 * (the lookup itself, with its leadership and epoch checks, is {@link
 * Partition#fetchOffsetForTimestamp}).
 */
public final class ListOffsetsHandler extends ApiHandler<ListOffsetsRequest> {

  private final ReplicaManager replicaManager;
  private final KnownPartitions knownPartitions;

  public ListOffsetsHandler(ReplicaManager replicaManager, KnownPartitions knownPartitions) {
    super(ApiKeys.LIST_OFFSETS, ListOffsetsRequest.class);
    this.knownPartitions = knownPartitions;
    this.replicaManager = replicaManager;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, ListOffsetsRequest req) {
    // A follower (replica id >= 0) asks for the leader's log end, as in Kafka; consumers get the
    // high watermark or the last stable offset.
    FetchIsolation isolation =
        req.data().replicaId() >= 0
            ? FetchIsolation.LOG_END
            : FetchIsolation.ofWire(req.data().isolationLevel());
    List<ListOffsetsTopicResponse> topics = new ArrayList<>();
    for (ListOffsetsTopic t : req.data().topics()) {
      List<ListOffsetsPartitionResponse> partitions = new ArrayList<>();
      for (ListOffsetsPartition p : t.partitions()) {
        partitions.add(
            lookup(new TopicPartition(t.name(), p.partitionIndex()), p, req.version(), isolation));
      }
      topics.add(new ListOffsetsTopicResponse().setName(t.name()).setPartitions(partitions));
    }
    return CompletableFuture.completedFuture(
        new ListOffsetsResponse(new ListOffsetsResponseData().setTopics(topics)));
  }

  private ListOffsetsPartitionResponse lookup(
      TopicPartition tp, ListOffsetsPartition p, short version, FetchIsolation isolation) {
    ListOffsetsPartitionResponse r =
        new ListOffsetsPartitionResponse().setPartitionIndex(p.partitionIndex());
    Partition partition = replicaManager.partition(tp);
    if (partition == null) {
      return r.setErrorCode(knownPartitions.notHostedError(tp).code())
          .setOffset(-1)
          .setTimestamp(-1);
    }
    try {
      OffsetLookup found =
          partition.fetchOffsetForTimestamp(p.timestamp(), p.currentLeaderEpoch(), isolation);
      r.setErrorCode(Errors.NONE.code()).setOffset(found.offset()).setTimestamp(found.timestamp());
      if (version >= 4) {
        r.setLeaderEpoch(found.leaderEpoch()); // the field does not exist before v4
      }
      return r;
    } catch (ApiException e) {
      return r.setErrorCode(Errors.forException(e).code()).setOffset(-1).setTimestamp(-1);
    }
  }
}
