package dev.ferry.server.admin;

import dev.ferry.controller.TopicAdmin;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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

  private final TopicAdmin topics;

  public CreatePartitionsHandler(TopicAdmin topics) {
    super(ApiKeys.CREATE_PARTITIONS, CreatePartitionsRequest.class);
    this.topics = topics;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, CreatePartitionsRequest body) {
    CreatePartitionsRequestData req = body.data();
    List<CompletableFuture<CreatePartitionsTopicResult>> results = new ArrayList<>();
    for (CreatePartitionsTopic t : req.topics()) {
      results.add(grow(t, req.validateOnly()));
    }
    return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              CreatePartitionsResponseData response = new CreatePartitionsResponseData();
              results.forEach(r -> response.results().add(r.join()));
              return new CreatePartitionsResponse(response);
            });
  }

  private CompletableFuture<CreatePartitionsTopicResult> grow(
      CreatePartitionsTopic t, boolean validateOnly) {
    CreatePartitionsTopicResult result = new CreatePartitionsTopicResult().setName(t.name());
    List<List<Integer>> assignment = null;
    if (t.assignments() != null) {
      assignment = new ArrayList<>();
      for (CreatePartitionsAssignment a : t.assignments()) {
        assignment.add(a.brokerIds());
      }
    }
    return topics
        .createPartitions(t.name(), t.count(), assignment, validateOnly)
        .handle(
            (grown, e) -> {
              if (e == null) {
                return result.setErrorCode(Errors.NONE.code());
              }
              ApiError error = ApiError.fromThrowable(AdminFutures.cause(e));
              return result.setErrorCode(error.error().code()).setErrorMessage(error.message());
            });
  }
}
