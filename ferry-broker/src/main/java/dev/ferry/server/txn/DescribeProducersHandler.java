package dev.ferry.server.txn;

import dev.ferry.network.NetworkRequest;
import dev.ferry.replication.Partition;
import dev.ferry.replication.ReplicaManager;
import dev.ferry.server.ApiHandler;
import dev.ferry.server.KnownPartitions;
import dev.ferry.storage.producer.ActiveProducer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.DescribeProducersRequestData.TopicRequest;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.message.DescribeProducersResponseData.PartitionResponse;
import org.apache.kafka.common.message.DescribeProducersResponseData.ProducerState;
import org.apache.kafka.common.message.DescribeProducersResponseData.TopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeProducersRequest;
import org.apache.kafka.common.requests.DescribeProducersResponse;

/**
 * DescribeProducers ({@code kafka-transactions.sh describe-producers}): the producers a partition
 * leader knows, with the start offset of each one's open transaction — how an operator finds a
 * hanging transaction that holds the last stable offset back.
 */
public final class DescribeProducersHandler extends ApiHandler<DescribeProducersRequest> {

  private final ReplicaManager replicaManager;
  private final KnownPartitions knownPartitions;

  public DescribeProducersHandler(ReplicaManager replicaManager, KnownPartitions knownPartitions) {
    super(ApiKeys.DESCRIBE_PRODUCERS, DescribeProducersRequest.class);
    this.replicaManager = replicaManager;
    this.knownPartitions = knownPartitions;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, DescribeProducersRequest body) {
    List<TopicResponse> topics = new ArrayList<>();
    for (TopicRequest t : body.data().topics()) {
      TopicResponse tr = new TopicResponse().setName(t.name());
      for (int p : t.partitionIndexes()) {
        tr.partitions().add(describe(new TopicPartition(t.name(), p)));
      }
      topics.add(tr);
    }
    return CompletableFuture.completedFuture(
        new DescribeProducersResponse(new DescribeProducersResponseData().setTopics(topics)));
  }

  private PartitionResponse describe(TopicPartition tp) {
    PartitionResponse out = new PartitionResponse().setPartitionIndex(tp.partition());
    Partition partition = replicaManager.partition(tp);
    if (partition == null) {
      return out.setErrorCode(knownPartitions.notHostedError(tp).code());
    }
    try {
      for (ActiveProducer p : partition.activeProducers()) {
        out.activeProducers()
            .add(
                new ProducerState()
                    .setProducerId(p.producerId())
                    .setProducerEpoch(p.producerEpoch())
                    .setLastSequence(p.lastSequence())
                    .setLastTimestamp(p.lastTimestamp())
                    .setCoordinatorEpoch(p.coordinatorEpoch())
                    .setCurrentTxnStartOffset(p.currentTxnStartOffset()));
      }
      return out.setErrorCode(Errors.NONE.code());
    } catch (ApiException e) {
      return out.setErrorCode(Errors.forException(e).code()).setErrorMessage(e.getMessage());
    }
  }
}
