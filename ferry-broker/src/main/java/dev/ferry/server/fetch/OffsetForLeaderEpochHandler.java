package dev.ferry.server.fetch;

import dev.ferry.network.NetworkRequest;
import dev.ferry.replication.Partition;
import dev.ferry.replication.ReplicaManager;
import dev.ferry.server.ApiHandler;
import dev.ferry.storage.EpochEndOffset;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * OffsetForLeaderEpoch: for each partition led here, the largest leader epoch at or below the
 * requested one and the offset where it ended in the leader's log. Followers use it to find where
 * their log diverges (and truncate there); the Java consumer uses it to validate its position after
 * a leader change. Answered from the leader-epoch cache on the network thread (no I/O).
 */
public final class OffsetForLeaderEpochHandler extends ApiHandler<OffsetsForLeaderEpochRequest> {

  private static final Logger log = LoggerFactory.getLogger(OffsetForLeaderEpochHandler.class);

  private final ReplicaManager replicaManager;

  public OffsetForLeaderEpochHandler(ReplicaManager replicaManager) {
    super(ApiKeys.OFFSET_FOR_LEADER_EPOCH, OffsetsForLeaderEpochRequest.class);
    this.replicaManager = replicaManager;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, OffsetsForLeaderEpochRequest req) {
    OffsetForLeaderEpochResponseData out = new OffsetForLeaderEpochResponseData();
    for (OffsetForLeaderTopic t : req.data().topics()) {
      OffsetForLeaderTopicResult result = new OffsetForLeaderTopicResult().setTopic(t.topic());
      for (OffsetForLeaderPartition p : t.partitions()) {
        result.partitions().add(lookup(new TopicPartition(t.topic(), p.partition()), p));
      }
      out.topics().add(result);
    }
    return CompletableFuture.completedFuture(new OffsetsForLeaderEpochResponse(out));
  }

  private OffsetForLeaderEpochResponseData.EpochEndOffset lookup(
      TopicPartition tp, OffsetForLeaderPartition p) {
    OffsetForLeaderEpochResponseData.EpochEndOffset r =
        new OffsetForLeaderEpochResponseData.EpochEndOffset()
            .setPartition(p.partition())
            .setLeaderEpoch(OffsetsForLeaderEpochResponse.UNDEFINED_EPOCH)
            .setEndOffset(OffsetsForLeaderEpochResponse.UNDEFINED_EPOCH_OFFSET);
    Partition partition = replicaManager.partition(tp);
    if (partition == null) {
      return r.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
    }
    try {
      EpochEndOffset found =
          partition.lastOffsetForLeaderEpoch(p.currentLeaderEpoch(), p.leaderEpoch());
      if (found.leaderEpoch() < 0) {
        return r.setErrorCode(Errors.NONE.code());
      }
      return r.setErrorCode(Errors.NONE.code())
          .setLeaderEpoch(found.leaderEpoch())
          .setEndOffset(found.endOffset());
    } catch (ApiException e) {
      return r.setErrorCode(Errors.forException(e).code());
    } catch (RuntimeException e) {
      log.error("OffsetForLeaderEpoch on {} for epoch {} failed", tp, p.leaderEpoch(), e);
      return r.setErrorCode(Errors.forException(e).code());
    }
  }
}
