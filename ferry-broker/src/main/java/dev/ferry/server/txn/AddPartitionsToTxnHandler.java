package dev.ferry.server.txn;

import dev.ferry.coordinator.transaction.TransactionCoordinator;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnResult;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnResultCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;

/**
 * AddPartitionsToTxn in both of its forms: v0–3 from a producer (one transaction, partitions are
 * added) and v4+ from a partition leader (KIP-890: several transactions per request, each either
 * verified — is the partition in the open transaction? — or, for transactions v2, added).
 */
public final class AddPartitionsToTxnHandler extends ApiHandler<AddPartitionsToTxnRequest> {

  private final TransactionCoordinator coordinator;

  public AddPartitionsToTxnHandler(TransactionCoordinator coordinator) {
    super(ApiKeys.ADD_PARTITIONS_TO_TXN, AddPartitionsToTxnRequest.class);
    this.coordinator = coordinator;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, AddPartitionsToTxnRequest body) {
    short version = request.header().apiVersion();
    if (version < 4) {
      var data = body.data();
      Set<TopicPartition> partitions =
          new HashSet<>(AddPartitionsToTxnRequest.getPartitions(data.v3AndBelowTopics()));
      return coordinator
          .addPartitions(
              data.v3AndBelowTransactionalId(),
              data.v3AndBelowProducerId(),
              data.v3AndBelowProducerEpoch(),
              partitions,
              false,
              (byte) 1)
          .thenApply(
              errors ->
                  new AddPartitionsToTxnResponse(
                      new AddPartitionsToTxnResponseData()
                          .setResultsByTopicV3AndBelow(
                              AddPartitionsToTxnResponse.resultForTransaction(
                                      AddPartitionsToTxnResponse.V3_AND_BELOW_TXN_ID, errors)
                                  .topicResults())));
    }
    List<CompletableFuture<AddPartitionsToTxnResult>> results = new ArrayList<>();
    for (AddPartitionsToTxnTransaction t : body.data().transactions()) {
      Set<TopicPartition> partitions =
          new HashSet<>(AddPartitionsToTxnRequest.getPartitions(t.topics()));
      results.add(
          coordinator
              .addPartitions(
                  t.transactionalId(),
                  t.producerId(),
                  t.producerEpoch(),
                  partitions,
                  t.verifyOnly(),
                  (byte) (t.verifyOnly() ? 1 : 2))
              .thenApply(
                  errors ->
                      AddPartitionsToTxnResponse.resultForTransaction(
                          t.transactionalId(), errors)));
    }
    return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
        .thenApply(
            ignored -> {
              AddPartitionsToTxnResultCollection out = new AddPartitionsToTxnResultCollection();
              for (CompletableFuture<AddPartitionsToTxnResult> r : results) {
                out.add(r.join());
              }
              return new AddPartitionsToTxnResponse(
                  new AddPartitionsToTxnResponseData().setResultsByTransaction(out));
            });
  }
}
