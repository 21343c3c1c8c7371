package dev.ferry.server.admin;

import dev.ferry.network.NetworkRequest;
import dev.ferry.replication.Partition;
import dev.ferry.replication.ReplicaManager;
import dev.ferry.server.ApiHandler;
import dev.ferry.server.KnownPartitions;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsPartition;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsTopic;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsPartitionResult;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsPartitionResultCollection;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DeleteRecordsRequest;
import org.apache.kafka.common.requests.DeleteRecordsResponse;

/**
 * DeleteRecords: moves a partition's log start offset forward (offset -1 means the high watermark;
 * the checks are {@link Partition#deleteRecordsOnLeader}'s). Runs on the admin executor because it
 * may delete segment files.
 */
public final class DeleteRecordsHandler extends ApiHandler<DeleteRecordsRequest> {

  private final ReplicaManager replicaManager;
  private final Executor adminExecutor;
  private final KnownPartitions knownPartitions;

  public DeleteRecordsHandler(
      ReplicaManager replicaManager, KnownPartitions knownPartitions, Executor adminExecutor) {
    super(ApiKeys.DELETE_RECORDS, DeleteRecordsRequest.class);
    this.knownPartitions = knownPartitions;
    this.replicaManager = replicaManager;
    this.adminExecutor = adminExecutor;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, DeleteRecordsRequest body) {
    DeleteRecordsRequestData req = body.data();
    return CompletableFuture.supplyAsync(
        () -> {
          DeleteRecordsResponseData response = new DeleteRecordsResponseData();
          for (DeleteRecordsTopic t : req.topics()) {
            DeleteRecordsPartitionResultCollection results =
                new DeleteRecordsPartitionResultCollection();
            for (DeleteRecordsPartition p : t.partitions()) {
              results.add(delete(new TopicPartition(t.name(), p.partitionIndex()), p.offset()));
            }
            response
                .topics()
                .add(new DeleteRecordsTopicResult().setName(t.name()).setPartitions(results));
          }
          return new DeleteRecordsResponse(response);
        },
        adminExecutor);
  }

  private DeleteRecordsPartitionResult delete(TopicPartition tp, long offset) {
    DeleteRecordsPartitionResult r =
        new DeleteRecordsPartitionResult().setPartitionIndex(tp.partition()).setLowWatermark(-1);
    Partition partition = replicaManager.partition(tp);
    if (partition == null) {
      return r.setErrorCode(knownPartitions.notHostedError(tp).code());
    }
    try {
      long low = partition.deleteRecordsOnLeader(offset);
      return r.setErrorCode(Errors.NONE.code()).setLowWatermark(low);
    } catch (RuntimeException e) {
      return r.setErrorCode(Errors.forException(e).code());
    }
  }
}
