package dev.ferry.server.txn;

import dev.ferry.coordinator.transaction.TransactionCoordinator;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddOffsetsToTxnResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AddOffsetsToTxnRequest;
import org.apache.kafka.common.requests.AddOffsetsToTxnResponse;

/**
 * AddOffsetsToTxn (transactions v1): adds the group's {@code __consumer_offsets} partition to the
 * transaction, so the offsets the producer then commits with TxnOffsetCommit get the transaction's
 * marker.
 */
public final class AddOffsetsToTxnHandler extends ApiHandler<AddOffsetsToTxnRequest> {

  private final TransactionCoordinator coordinator;
  private final Function<String, TopicPartition> offsetsPartitionOfGroup;

  public AddOffsetsToTxnHandler(
      TransactionCoordinator coordinator,
      Function<String, TopicPartition> offsetsPartitionOfGroup) {
    super(ApiKeys.ADD_OFFSETS_TO_TXN, AddOffsetsToTxnRequest.class);
    this.coordinator = coordinator;
    this.offsetsPartitionOfGroup = offsetsPartitionOfGroup;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, AddOffsetsToTxnRequest body) {
    AddOffsetsToTxnRequestData req = body.data();
    if (req.groupId() == null || req.groupId().isEmpty()) {
      return CompletableFuture.completedFuture(response(Errors.INVALID_GROUP_ID));
    }
    TopicPartition tp = offsetsPartitionOfGroup.apply(req.groupId());
    return coordinator
        .addPartitions(
            req.transactionalId(),
            req.producerId(),
            req.producerEpoch(),
            Set.of(tp),
            false,
            (byte) 1)
        .thenApply(errors -> response(FencedErrors.forVersion(errors.get(tp), request, 2)));
  }

  private static AbstractResponse response(Errors error) {
    return new AddOffsetsToTxnResponse(
        new AddOffsetsToTxnResponseData().setErrorCode(error.code()));
  }
}
