package dev.ferry.server.placement;

import dev.ferry.controller.ManualLeaderElection;
import dev.ferry.metadata.MetadataView;
import dev.ferry.metadata.TopicMetadata;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ElectLeadersRequestData.TopicPartitions;
import org.apache.kafka.common.message.ElectLeadersResponseData;
import org.apache.kafka.common.message.ElectLeadersResponseData.PartitionResult;
import org.apache.kafka.common.message.ElectLeadersResponseData.ReplicaElectionResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.ElectLeadersRequest;
import org.apache.kafka.common.requests.ElectLeadersResponse;

/**
 * ElectLeaders (preferred or unclean) for the partitions named, or for every partition when the
 * request names none; then, as in Kafka, partitions that needed no election are left out of the
 * answer. Elections run on the admin thread.
 */
public final class ElectLeadersHandler extends ApiHandler<ElectLeadersRequest> {

  private final MetadataView metadata;
  private final ManualLeaderElection elections;
  private final Executor adminExecutor;

  public ElectLeadersHandler(
      MetadataView metadata, ManualLeaderElection elections, Executor adminExecutor) {
    super(ApiKeys.ELECT_LEADERS, ElectLeadersRequest.class);
    this.metadata = metadata;
    this.elections = elections;
    this.adminExecutor = adminExecutor;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, ElectLeadersRequest body) {
    ElectLeadersRequestData req = body.data();
    ElectionType type;
    try {
      type = ElectionType.valueOf(req.electionType());
    } catch (IllegalArgumentException e) {
      return CompletableFuture.completedFuture(
          new ElectLeadersResponse(
              new ElectLeadersResponseData().setErrorCode(Errors.INVALID_REQUEST.code())));
    }
    try {
      return CompletableFuture.supplyAsync(() -> answer(req, type), adminExecutor);
    } catch (RejectedExecutionException e) {
      return CompletableFuture.completedFuture(body.getErrorResponse(0, e));
    }
  }

  private AbstractResponse answer(ElectLeadersRequestData req, ElectionType type) {
    ElectLeadersResponseData response = new ElectLeadersResponseData();
    if (req.topicPartitions() == null) {
      Map<String, TopicMetadata> all = new TreeMap<>();
      metadata.topics().forEach(t -> all.put(t.name(), t));
      for (TopicMetadata t : all.values()) {
        ReplicaElectionResult result = new ReplicaElectionResult().setTopic(t.name());
        for (int p : t.replicaAssignment().keySet()) {
          ApiError error = elections.elect(t.name(), p, type);
          if (error.error() != Errors.ELECTION_NOT_NEEDED) {
            result.partitionResult().add(result(p, error));
          }
        }
        response.replicaElectionResults().add(result);
      }
    } else {
      for (TopicPartitions t : req.topicPartitions()) {
        ReplicaElectionResult result = new ReplicaElectionResult().setTopic(t.topic());
        for (int p : t.partitions()) {
          result.partitionResult().add(result(p, elections.elect(t.topic(), p, type)));
        }
        response.replicaElectionResults().add(result);
      }
    }
    return new ElectLeadersResponse(response);
  }

  private static PartitionResult result(int partition, ApiError error) {
    return new PartitionResult()
        .setPartitionId(partition)
        .setErrorCode(error.error().code())
        .setErrorMessage(error.message());
  }
}
