package dev.ferry.server.admin;

import dev.ferry.controller.TopicController;
import dev.ferry.metadata.TopicMetadata;
import dev.ferry.metadata.ZkMetadataStore;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
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

  private final TopicController topics;
  private final ZkMetadataStore metadata;
  private final Executor adminExecutor;

  public DeleteTopicsHandler(
      TopicController topics, ZkMetadataStore metadata, Executor adminExecutor) {
    super(ApiKeys.DELETE_TOPICS, DeleteTopicsRequest.class);
    this.topics = topics;
    this.metadata = metadata;
    this.adminExecutor = adminExecutor;
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
    return CompletableFuture.supplyAsync(
        () -> {
          DeleteTopicsResponseData response = new DeleteTopicsResponseData();
          for (DeleteTopicState t : targets) {
            response.responses().add(delete(t));
          }
          return new DeleteTopicsResponse(response);
        },
        adminExecutor);
  }

  private DeletableTopicResult delete(DeleteTopicState target) {
    DeletableTopicResult result =
        new DeletableTopicResult().setName(target.name()).setTopicId(target.topicId());
    try {
      String name = target.name();
      if (name == null) {
        Optional<TopicMetadata> byId = metadata.topic(target.topicId());
        if (byId.isEmpty()) {
          return result.setErrorCode(Errors.UNKNOWN_TOPIC_ID.code());
        }
        name = byId.get().name();
        result.setName(name);
      }
      if (dev.ferry.server.cluster.ClusterView.isInternal(name)) {
        throw new InvalidRequestException("Internal topic " + name + " cannot be deleted");
      }
      metadata.topic(name).ifPresent(t -> result.setTopicId(t.topicId()));
      topics.deleteTopic(name);
      return result.setErrorCode(Errors.NONE.code());
    } catch (RuntimeException e) {
      ApiError error = ApiError.fromThrowable(e);
      return result.setErrorCode(error.error().code()).setErrorMessage(error.message());
    }
  }
}
