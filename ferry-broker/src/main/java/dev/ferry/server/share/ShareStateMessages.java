package dev.ferry.server.share;

import dev.ferry.coordinator.share.SharePartitionKey;
import dev.ferry.coordinator.share.ShareStateSnapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.message.DeleteShareGroupStateRequestData;
import org.apache.kafka.common.message.ReadShareGroupStateRequestData;
import org.apache.kafka.common.message.ReadShareGroupStateResponseData;
import org.apache.kafka.common.message.WriteShareGroupStateRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.DeleteShareGroupStateRequest;
import org.apache.kafka.common.requests.ReadShareGroupStateRequest;
import org.apache.kafka.common.requests.WriteShareGroupStateRequest;

/**
 * Share-partition state in Kafka's share-coordinator RPCs (ReadShareGroupState,
 * WriteShareGroupState, DeleteShareGroupState), one share-partition per request as a
 * share-partition leader sends them. A read of a share-partition without state answers start offset
 * -1 and no batches.
 */
final class ShareStateMessages {

  /** The start offset of a read answer that found no state. */
  static final long NO_STATE = -1;

  private ShareStateMessages() {}

  static ReadShareGroupStateRequest readRequest(SharePartitionKey key, int leaderEpoch) {
    ReadShareGroupStateRequestData data =
        new ReadShareGroupStateRequestData()
            .setGroupId(key.groupId())
            .setTopics(
                List.of(
                    new ReadShareGroupStateRequestData.ReadStateData()
                        .setTopicId(key.partition().topicId())
                        .setPartitions(
                            List.of(
                                new ReadShareGroupStateRequestData.PartitionData()
                                    .setPartition(key.partition().partition())
                                    .setLeaderEpoch(leaderEpoch)))));
    return new ReadShareGroupStateRequest.Builder(data)
        .build(ApiKeys.READ_SHARE_GROUP_STATE.latestVersion(false));
  }

  static WriteShareGroupStateRequest writeRequest(
      SharePartitionKey key, int leaderEpoch, ShareStateSnapshot state) {
    List<WriteShareGroupStateRequestData.StateBatch> batches = new ArrayList<>();
    for (ShareStateSnapshot.Run r : state.runs()) {
      batches.add(
          new WriteShareGroupStateRequestData.StateBatch()
              .setFirstOffset(r.first())
              .setLastOffset(r.last())
              .setDeliveryState(r.state())
              .setDeliveryCount(r.deliveryCount()));
    }
    WriteShareGroupStateRequestData data =
        new WriteShareGroupStateRequestData()
            .setGroupId(key.groupId())
            .setTopics(
                List.of(
                    new WriteShareGroupStateRequestData.WriteStateData()
                        .setTopicId(key.partition().topicId())
                        .setPartitions(
                            List.of(
                                new WriteShareGroupStateRequestData.PartitionData()
                                    .setPartition(key.partition().partition())
                                    .setLeaderEpoch(leaderEpoch)
                                    .setStartOffset(state.startOffset())
                                    .setDeliveryCompleteCount(
                                        (int)
                                            Math.min(
                                                Integer.MAX_VALUE, state.deliveryCompleteCount()))
                                    .setStateBatches(batches)))));
    return new WriteShareGroupStateRequest.Builder(data)
        .build(ApiKeys.WRITE_SHARE_GROUP_STATE.latestVersion(false));
  }

  static DeleteShareGroupStateRequest deleteRequest(SharePartitionKey key) {
    DeleteShareGroupStateRequestData data =
        new DeleteShareGroupStateRequestData()
            .setGroupId(key.groupId())
            .setTopics(
                List.of(
                    new DeleteShareGroupStateRequestData.DeleteStateData()
                        .setTopicId(key.partition().topicId())
                        .setPartitions(
                            List.of(
                                new DeleteShareGroupStateRequestData.PartitionData()
                                    .setPartition(key.partition().partition())))));
    return new DeleteShareGroupStateRequest.Builder(data)
        .build(ApiKeys.DELETE_SHARE_GROUP_STATE.latestVersion(false));
  }

  /** The state in a write request's partition. */
  static ShareStateSnapshot stateOf(WriteShareGroupStateRequestData.PartitionData p) {
    List<ShareStateSnapshot.Run> runs = new ArrayList<>(p.stateBatches().size());
    for (WriteShareGroupStateRequestData.StateBatch b : p.stateBatches()) {
      runs.add(
          new ShareStateSnapshot.Run(
              b.firstOffset(), b.lastOffset(), b.deliveryState(), b.deliveryCount()));
    }
    return new ShareStateSnapshot(p.startOffset(), runs);
  }

  /** A read answer's partition for {@code state}. */
  static ReadShareGroupStateResponseData.PartitionResult readResult(
      int partition, Optional<ShareStateSnapshot> state) {
    ReadShareGroupStateResponseData.PartitionResult out =
        new ReadShareGroupStateResponseData.PartitionResult().setPartition(partition);
    if (state.isEmpty()) {
      return out.setStartOffset(NO_STATE).setStateEpoch(0);
    }
    List<ReadShareGroupStateResponseData.StateBatch> batches = new ArrayList<>();
    for (ShareStateSnapshot.Run r : state.get().runs()) {
      batches.add(
          new ReadShareGroupStateResponseData.StateBatch()
              .setFirstOffset(r.first())
              .setLastOffset(r.last())
              .setDeliveryState(r.state())
              .setDeliveryCount(r.deliveryCount()));
    }
    return out.setStartOffset(state.get().startOffset()).setStateEpoch(0).setStateBatches(batches);
  }

  /** The state in a read answer's partition (empty for {@link #NO_STATE}). */
  static Optional<ShareStateSnapshot> stateOf(ReadShareGroupStateResponseData.PartitionResult p) {
    if (p.startOffset() == NO_STATE) {
      return Optional.empty();
    }
    List<ShareStateSnapshot.Run> runs = new ArrayList<>(p.stateBatches().size());
    for (ReadShareGroupStateResponseData.StateBatch b : p.stateBatches()) {
      runs.add(
          new ShareStateSnapshot.Run(
              b.firstOffset(), b.lastOffset(), b.deliveryState(), b.deliveryCount()));
    }
    return Optional.of(new ShareStateSnapshot(p.startOffset(), runs));
  }
}
