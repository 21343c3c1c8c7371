package dev.ferry.server.placement;

import dev.ferry.controller.PartitionReassigner;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignablePartition;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignableTopic;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignablePartitionResponse;
import org.apache.kafka.common.message.AlterPartitionReassignmentsResponseData.ReassignableTopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AlterPartitionReassignmentsRequest;
import org.apache.kafka.common.requests.AlterPartitionReassignmentsResponse;
import org.apache.kafka.common.requests.ApiError;

/**
 * AlterPartitionReassignments: each partition's move is started, changed or (with null replicas)
 * cancelled on its own, on the admin thread; the answer comes once every move is recorded, and the
 * controller carries them out afterwards (ListPartitionReassignments shows the progress).
 */
public final class AlterPartitionReassignmentsHandler
    extends ApiHandler<AlterPartitionReassignmentsRequest> {

  private final PartitionReassigner reassigner;
  private final Executor adminExecutor;

  public AlterPartitionReassignmentsHandler(
      PartitionReassigner reassigner, Executor adminExecutor) {
    super(ApiKeys.ALTER_PARTITION_REASSIGNMENTS, AlterPartitionReassignmentsRequest.class);
    this.reassigner = reassigner;
    this.adminExecutor = adminExecutor;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, AlterPartitionReassignmentsRequest body) {
    AlterPartitionReassignmentsRequestData req = body.data();
    try {
      return CompletableFuture.supplyAsync(() -> answer(req), adminExecutor);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.completedFuture(body.getErrorResponse(0, e));
    }
  }

  private AbstractResponse answer(AlterPartitionReassignmentsRequestData req) {
    AlterPartitionReassignmentsResponseData response =
        new AlterPartitionReassignmentsResponseData()
            .setErrorMessage(null)
            .setAllowReplicationFactorChange(req.allowReplicationFactorChange());
    for (ReassignableTopic topic : req.topics()) {
      ReassignableTopicResponse t = new ReassignableTopicResponse().setName(topic.name());
      for (ReassignablePartition p : topic.partitions()) {
        ApiError error;
        try {
          reassigner.reassign(
              topic.name(), p.partitionIndex(), p.replicas(), req.allowReplicationFactorChange());
          error = ApiError.NONE;
        } catch (RuntimeException e) {
          error = ApiError.fromThrowable(e);
        }
        t.partitions()
            .add(
                new ReassignablePartitionResponse()
                    .setPartitionIndex(p.partitionIndex())
                    .setErrorCode(error.error().code())
                    .setErrorMessage(error.message()));
      }
      response.responses().add(t);
    }
    return new AlterPartitionReassignmentsResponse(response);
  }
}
