package dev.ferry.server.txn;

import dev.ferry.coordinator.transaction.TransactionCoordinator;
import dev.ferry.coordinator.transaction.TransactionRecord;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeTransactionsResponseData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData.TopicData;
import org.apache.kafka.common.message.DescribeTransactionsResponseData.TopicDataCollection;
import org.apache.kafka.common.message.DescribeTransactionsResponseData.TransactionState;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeTransactionsRequest;
import org.apache.kafka.common.requests.DescribeTransactionsResponse;

/** DescribeTransactions ({@code kafka-transactions.sh describe}): the state of each id. */
public final class DescribeTransactionsHandler extends ApiHandler<DescribeTransactionsRequest> {

  private final TransactionCoordinator coordinator;

  public DescribeTransactionsHandler(TransactionCoordinator coordinator) {
    super(ApiKeys.DESCRIBE_TRANSACTIONS, DescribeTransactionsRequest.class);
    this.coordinator = coordinator;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, DescribeTransactionsRequest body) {
    List<String> ids = body.data().transactionalIds();
    List<TransactionState> out = new ArrayList<>(ids.size());
    for (String id : ids) {
      TransactionState s = new TransactionState().setTransactionalId(id);
      Optional<TransactionCoordinator.Described> d = coordinator.describe(id);
      if (d.isEmpty()) {
        // Only the error, as Kafka answers: the other fields keep their schema defaults.
        s.setErrorCode(coordinator.describeError(id).code());
      } else {
        TransactionRecord r = d.get().record();
        s.setErrorCode(Errors.NONE.code())
            .setTransactionState(d.get().state().kafkaName())
            .setTransactionTimeoutMs(r.timeoutMs())
            .setTransactionStartTimeMs(r.startTimestamp())
            .setProducerId(r.producerId())
            .setProducerEpoch(r.producerEpoch())
            .setTopics(topics(r));
      }
      out.add(s);
    }
    return CompletableFuture.completedFuture(
        new DescribeTransactionsResponse(
            new DescribeTransactionsResponseData().setTransactionStates(out)));
  }

  private static TopicDataCollection topics(TransactionRecord r) {
    Map<String, List<Integer>> byTopic = new TreeMap<>();
    for (TopicPartition tp : r.partitions()) {
      byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition());
    }
    TopicDataCollection topics = new TopicDataCollection();
    for (Map.Entry<String, List<Integer>> e : byTopic.entrySet()) {
      e.getValue().sort(null);
      topics.add(new TopicData().setTopic(e.getKey()).setPartitions(e.getValue()));
    }
    return topics;
  }
}
