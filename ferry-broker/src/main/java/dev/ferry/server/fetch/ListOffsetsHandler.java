package dev.ferry.server.fetch;

import dev.ferry.network.NetworkRequest;
import dev.ferry.replication.Partition;
import dev.ferry.replication.ReplicaManager;
import dev.ferry.server.ApiHandler;
import dev.ferry.storage.TimestampOffset;
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

/** ListOffsets: earliest, latest, max-timestamp and by-timestamp lookups on local leader logs. */
public final class ListOffsetsHandler extends ApiHandler<ListOffsetsRequest> {

  private final ReplicaManager replicaManager;

  public ListOffsetsHandler(ReplicaManager replicaManager) {
    super(ApiKeys.LIST_OFFSETS, ListOffsetsRequest.class);
    this.replicaManager = replicaManager;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, ListOffsetsRequest req) {
    List<ListOffsetsTopicResponse> topics = new ArrayList<>();
    for (ListOffsetsTopic t : req.data().topics()) {
      List<ListOffsetsPartitionResponse> partitions = new ArrayList<>();
      for (ListOffsetsPartition p : t.partitions()) {
        partitions.add(lookup(new TopicPartition(t.name(), p.partitionIndex()), p, req.version()));
      }
      topics.add(new ListOffsetsTopicResponse().setName(t.name()).setPartitions(partitions));
    }
    return CompletableFuture.completedFuture(
        new ListOffsetsResponse(new ListOffsetsResponseData().setTopics(topics)));
  }

  private ListOffsetsPartitionResponse lookup(
      TopicPartition tp, ListOffsetsPartition p, short version) {
    ListOffsetsPartitionResponse r =
        new ListOffsetsPartitionResponse().setPartitionIndex(p.partitionIndex());
    Partition partition = replicaManager.leaderPartition(tp);
    if (partition == null) {
      return r.setErrorCode(Errors.NOT_LEADER_OR_FOLLOWER.code()).setOffset(-1).setTimestamp(-1);
    }
    int epoch = partition.leaderEpoch();
    if (p.currentLeaderEpoch() >= 0 && p.currentLeaderEpoch() != epoch) {
      Errors e =
          p.currentLeaderEpoch() < epoch ? Errors.FENCED_LEADER_EPOCH : Errors.UNKNOWN_LEADER_EPOCH;
      return r.setErrorCode(e.code()).setOffset(-1).setTimestamp(-1);
    }
    r.setErrorCode(Errors.NONE.code()).setTimestamp(-1);
    if (version >= 4) {
      r.setLeaderEpoch(epoch); // the field does not exist before v4
    }
    long ts = p.timestamp();
    try {
      if (ts == ListOffsetsRequest.EARLIEST_TIMESTAMP
          || ts == ListOffsetsRequest.EARLIEST_LOCAL_TIMESTAMP) {
        return r.setOffset(partition.log().logStartOffset());
      }
      if (ts == ListOffsetsRequest.LATEST_TIMESTAMP) {
        return r.setOffset(partition.highWatermark());
      }
      if (ts == ListOffsetsRequest.MAX_TIMESTAMP) {
        return found(r, partition.log().maxTimestamp());
      }
      if (ts < 0) {
        // Tiered-storage lookups: nothing is tiered, so there is no such offset.
        return r.setOffset(-1);
      }
      return found(r, partition.log().offsetForTimestamp(ts));
    } catch (ApiException e) {
      return r.setErrorCode(Errors.forException(e).code()).setOffset(-1);
    }
  }

  private static ListOffsetsPartitionResponse found(
      ListOffsetsPartitionResponse r, TimestampOffset found) {
    if (found == null) {
      return r.setOffset(-1).setTimestamp(-1);
    }
    return r.setOffset(found.offset()).setTimestamp(found.timestamp());
  }
}
