package dev.ferry.server.admin;

import dev.ferry.controller.TopicController;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsAssignment;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.kafka.common.requests.CreatePartitionsResponse;

/** CreatePartitions: grows topics; answers every topic asked for, one result each. */
public final class CreatePartitionsHandler extends ApiHandler<CreatePartitionsRequest> {

  private final TopicController topics;
  private final Executor adminExecutor;

  public CreatePartitionsHandler(TopicController topics, Executor adminExecutor) {
    super(ApiKeys.CREATE_PARTITIONS, CreatePartitionsRequest.class);
    this.topics = topics;
    this.adminExecutor = adminExecutor;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, CreatePartitionsRequest body) {
    CreatePartitionsRequestData req = body.data();
    return CompletableFuture.supplyAsync(
        () -> {
          CreatePartitionsResponseData response = new CreatePartitionsResponseData();
          for (CreatePartitionsTopic t : req.topics()) {
            response.results().add(grow(t, req.validateOnly()));
          }
          return new CreatePartitionsResponse(response);
        },
        adminExecutor);
  }

  private CreatePartitionsTopicResult grow(CreatePartitionsTopic t, boolean validateOnly) {
    CreatePartitionsTopicResult result = new CreatePartitionsTopicResult().setName(t.name());
    try {
      List<List<Integer>> assignment = null;
      if (t.assignments() != null) {
        assignment = new ArrayList<>();
        for (CreatePartitionsAssignment a : t.assignments()) {
          assignment.add(a.brokerIds());
        }
      }
      topics.createPartitions(t.name(), t.count(), assignment, validateOnly);
      return result.setErrorCode(Errors.NONE.code());
    } catch (RuntimeException e) {
      ApiError error = ApiError.fromThrowable(e);
      return result.setErrorCode(error.error().code()).setErrorMessage(error.message());
    }
  }
}
