package dev.ferry.server.admin;

import dev.ferry.controller.TopicAdmin;
import dev.ferry.metadata.MetadataView;
import dev.ferry.metadata.TopicMetadata;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.apache.kafka.common.requests.DeleteTopicsResponse;

/** DeleteTopics by name (all versions) or by topic id (v6+). */
public final class DeleteTopicsHandler extends ApiHandler<DeleteTopicsRequest> {

  private final TopicAdmin topics;
  private final MetadataView metadata;

  public DeleteTopicsHandler(TopicAdmin topics, MetadataView metadata) {
    super(ApiKeys.DELETE_TOPICS, DeleteTopicsRequest.class);
    this.topics = topics;
    this.metadata = metadata;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, DeleteTopicsRequest body) {
    DeleteTopicsRequestData req = body.data();
    List<DeleteTopicState> targets = new ArrayList<>();
    for (String name : req.topicNames()) {
      targets.add(new DeleteTopicState().setName(name).setTopicId(Uuid.ZERO_UUID));
    }
    targets.addAll(req.topics());
    List<CompletableFuture<DeletableTopicResult>> results = new ArrayList<>();
    for (DeleteTopicState t : targets) {
      results.add(delete(t));
    }
    return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              DeleteTopicsResponseData response = new DeleteTopicsResponseData();
              results.forEach(r -> response.responses().add(r.join()));
              return new DeleteTopicsResponse(response);
            });
  }

  private CompletableFuture<DeletableTopicResult> delete(DeleteTopicState target) {
    DeletableTopicResult result =
        new DeletableTopicResult().setName(target.name()).setTopicId(target.topicId());
    String name = target.name();
    if (name == null) {
      Optional<TopicMetadata> byId = metadata.topic(target.topicId());
      if (byId.isEmpty()) {
        return CompletableFuture.completedFuture(
            result.setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()));
      }
      name = byId.get().name();
      result.setName(name);
    }
    if (dev.ferry.server.cluster.ClusterView.isInternal(name)) {
      return CompletableFuture.completedFuture(
          failed(
              result,
              new InvalidRequestException("Internal topic " + name + " cannot be deleted")));
    }
    metadata.topic(name).ifPresent(t -> result.setTopicId(t.topicId()));
    return topics
        .deleteTopic(name)
        .handle(
            (done, error) ->
                error == null
                    ? result.setErrorCode(Errors.NONE.code())
                    : failed(result, AdminFutures.cause(error)));
  }

  private static DeletableTopicResult failed(DeletableTopicResult result, Throwable e) {
    ApiError error = ApiError.fromThrowable(e);
    return result.setErrorCode(error.error().code()).setErrorMessage(error.message());
  }
}
