package dev.ferry.server.txn;

import dev.ferry.coordinator.transaction.InterBrokerClient;
import dev.ferry.coordinator.transaction.TransactionCoordinator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransactionCollection;
import org.apache.kafka.common.message.AddPartitionsToTxnResponseData.AddPartitionsToTxnResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AddPartitionsToTxnRequest;
import org.apache.kafka.common.requests.AddPartitionsToTxnResponse;

/**
 * Asks a producer's transaction coordinator, before a partition leader appends the first batch of a
 * transaction (KIP-890): with transactions v1 whether the partition was added to the open
 * transaction (a batch that arrives after its transaction ended — a hanging transaction — or from
 * an unknown producer is refused); with v2 to add it. The local coordinator is called directly,
 * another broker's with the broker-to-broker form of AddPartitionsToTxn.
 */
public final class TransactionVerifier {

  private final int localBrokerId;
  private final TransactionCoordinator local;
  private final TransactionStateTopicLocator locator;
  private final InterBrokerClient client;

  public TransactionVerifier(
      int localBrokerId,
      TransactionCoordinator local,
      TransactionStateTopicLocator locator,
      InterBrokerClient client) {
    this.localBrokerId = localBrokerId;
    this.local = local;
    this.locator = locator;
    this.client = client;
  }

  /**
   * @param add add the partitions (transactions v2) rather than only check them
   * @return an error per partition; retriable coordinator errors are passed through
   */
  public CompletableFuture<Map<TopicPartition, Errors>> verify(
      String transactionalId,
      long producerId,
      short producerEpoch,
      Set<TopicPartition> partitions,
      boolean add) {
    if (transactionalId == null || transactionalId.isEmpty()) {
      return CompletableFuture.completedFuture(all(partitions, Errors.INVALID_TXN_STATE));
    }
    Optional<Node> coordinator = locator.coordinatorFor(transactionalId);
    if (coordinator.isEmpty()) {
      return CompletableFuture.completedFuture(all(partitions, Errors.COORDINATOR_NOT_AVAILABLE));
    }
    if (coordinator.get().id() == localBrokerId) {
      return local.addPartitions(
          transactionalId, producerId, producerEpoch, partitions, !add, (byte) (add ? 2 : 1));
    }
    AddPartitionsToTxnTopicCollection topics = new AddPartitionsToTxnTopicCollection();
    Map<String, AddPartitionsToTxnTopic> byTopic = new HashMap<>();
    for (TopicPartition tp : partitions) {
      byTopic
          .computeIfAbsent(
              tp.topic(),
              t -> {
                AddPartitionsToTxnTopic topic = new AddPartitionsToTxnTopic().setName(t);
                topics.add(topic);
                return topic;
              })
          .partitions()
          .add(tp.partition());
    }
    AddPartitionsToTxnTransactionCollection txns = new AddPartitionsToTxnTransactionCollection();
    txns.add(
        new AddPartitionsToTxnTransaction()
            .setTransactionalId(transactionalId)
            .setProducerId(producerId)
            .setProducerEpoch(producerEpoch)
            .setVerifyOnly(!add)
            .setTopics(topics));
    AddPartitionsToTxnRequest request =
        AddPartitionsToTxnRequest.Builder.forBroker(txns)
            .build(ApiKeys.ADD_PARTITIONS_TO_TXN.latestVersion());
    return client
        .send(coordinator.get(), request)
        .handle(
            (response, err) -> {
              if (err != null) {
                return all(partitions, Errors.COORDINATOR_NOT_AVAILABLE);
              }
              AddPartitionsToTxnResponse r = (AddPartitionsToTxnResponse) response;
              if (r.data().errorCode() != Errors.NONE.code()) {
                return all(partitions, Errors.forCode(r.data().errorCode()));
              }
              AddPartitionsToTxnResult result =
                  r.data().resultsByTransaction().find(transactionalId);
              if (result == null) {
                return all(partitions, Errors.UNKNOWN_SERVER_ERROR);
              }
              Map<TopicPartition, Errors> out =
                  AddPartitionsToTxnResponse.errorsForTransaction(result.topicResults());
              for (TopicPartition tp : partitions) {
                out.putIfAbsent(tp, Errors.UNKNOWN_SERVER_ERROR);
              }
              return out;
            });
  }

  private static Map<TopicPartition, Errors> all(Set<TopicPartition> partitions, Errors e) {
    Map<TopicPartition, Errors> out = new HashMap<>();
    for (TopicPartition tp : partitions) {
      out.put(tp, e);
    }
    return out;
  }
}
