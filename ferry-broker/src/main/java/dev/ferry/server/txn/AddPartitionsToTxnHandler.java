package dev.ferry.server.txn;

import dev.ferry.coordinator.transaction.TransactionCoordinator;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import dev.ferry.server.KnownPartitions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnResult;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnResultCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
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
  private final KnownPartitions knownPartitions;

  public AddPartitionsToTxnHandler(
      TransactionCoordinator coordinator, KnownPartitions knownPartitions) {
    super(ApiKeys.ADD_PARTITIONS_TO_TXN, AddPartitionsToTxnRequest.class);
    this.coordinator = coordinator;
    this.knownPartitions = knownPartitions;
  }

  /**
   * As Kafka: when a partition is missing from the metadata, none is added; the missing ones get
   * UNKNOWN_TOPIC_OR_PARTITION and the others OPERATION_NOT_ATTEMPTED. Null when all exist.
   */
  private Map<TopicPartition, Errors> refusedForUnknown(Set<TopicPartition> partitions) {
    if (partitions.stream().allMatch(knownPartitions::exists)) {
      return null;
    }
    Map<TopicPartition, Errors> errors = new HashMap<>();
    for (TopicPartition tp : partitions) {
      errors.put(
          tp,
          knownPartitions.exists(tp)
              ? Errors.OPERATION_NOT_ATTEMPTED
              : Errors.UNKNOWN_TOPIC_OR_PARTITION);
    }
    return errors;
  }

  private CompletableFuture<Map<TopicPartition, Errors>> add(
      NetworkRequest request,
      String transactionalId,
      long producerId,
      short producerEpoch,
      Set<TopicPartition> partitions,
      boolean verifyOnly,
      byte transactionVersion) {
    Map<TopicPartition, Errors> refused = refusedForUnknown(partitions);
    if (refused != null) {
      return CompletableFuture.completedFuture(refused);
    }
    return coordinator
        .addPartitions(
            transactionalId, producerId, producerEpoch, partitions, verifyOnly, transactionVersion)
        .thenApply(
            errors -> {
              Map<TopicPartition, Errors> out = new HashMap<>();
              errors.forEach((tp, e) -> out.put(tp, FencedErrors.forVersion(e, request, 2)));
              return out;
            });
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, AddPartitionsToTxnRequest body) {
    short version = request.header().apiVersion();
    if (version < 4) {
      var data = body.data();
      Set<TopicPartition> partitions =
          new HashSet<>(AddPartitionsToTxnRequest.getPartitions(data.v3AndBelowTopics()));
      return add(
              request,
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
          add(
                  request,
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
