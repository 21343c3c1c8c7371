package dev.ferry.server.admin;

import dev.ferry.controller.TopicAdmin;
import dev.ferry.metadata.TopicMetadata;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableReplicaAssignment;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicConfig;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicConfigs;
import org.apache.kafka.common.message.CreateTopicsResponseData.CreatableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiError;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.CreateTopicsResponse;

/** CreateTopics: each topic is created on the admin thread through {@link TopicAdmin}. */
public final class CreateTopicsHandler extends ApiHandler<CreateTopicsRequest> {

  private final TopicAdmin topics;
  private final TopicConfigDescriber configs;
  private final int defaultPartitions;
  private final short defaultReplicationFactor;

  public CreateTopicsHandler(
      TopicAdmin topics,
      TopicConfigDescriber configs,
      int defaultPartitions,
      short defaultReplicationFactor) {
    super(ApiKeys.CREATE_TOPICS, CreateTopicsRequest.class);
    this.topics = topics;
    this.configs = configs;
    this.defaultPartitions = defaultPartitions;
    this.defaultReplicationFactor = defaultReplicationFactor;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, CreateTopicsRequest body) {
    CreateTopicsRequestData req = body.data();
    List<CompletableFuture<CreatableTopicResult>> results = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (CreatableTopic t : req.topics()) {
      if (!seen.add(t.name())) {
        results.add(
            CompletableFuture.completedFuture(
                failed(
                    t.name(),
                    new ApiError(Errors.INVALID_REQUEST, "Topic named twice in request"))));
        continue;
      }
      results.add(create(t, req.validateOnly()));
    }
    return CompletableFuture.allOf(results.toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              CreateTopicsResponseData response = new CreateTopicsResponseData();
              results.forEach(r -> response.topics().add(r.join()));
              return new CreateTopicsResponse(response);
            });
  }

  private CompletableFuture<CreatableTopicResult> create(CreatableTopic t, boolean validateOnly) {
    try {
      Topic.validate(t.name());
      if (Topic.isInternal(t.name())) {
        throw new InvalidRequestException(
            "Creating internal topic " + t.name() + " is not allowed");
      }
      Map<Integer, List<Integer>> assignment = new HashMap<>();
      for (CreatableReplicaAssignment a : t.assignments()) {
        assignment.put(a.partitionIndex(), a.brokerIds());
      }
      if (!assignment.isEmpty() && (t.numPartitions() != -1 || t.replicationFactor() != -1)) {
        throw new InvalidRequestException(
            "Give either an assignment or partition count and replication factor, not both");
      }
      Map<String, String> overrides = new HashMap<>();
      for (CreatableTopicConfig c : t.configs()) {
        overrides.put(c.name(), c.value());
      }
      int partitions = t.numPartitions() == -1 ? defaultPartitions : t.numPartitions();
      short rf = t.replicationFactor() == -1 ? defaultReplicationFactor : t.replicationFactor();
      return topics
          .createTopic(t.name(), partitions, rf, assignment, overrides, validateOnly)
          .handle(
              (created, error) ->
                  error == null
                      ? created(t.name(), created)
                      : failed(t.name(), ApiError.fromThrowable(AdminFutures.cause(error))));
    } catch (RuntimeException e) {
      return CompletableFuture.completedFuture(failed(t.name(), ApiError.fromThrowable(e)));
    }
  }

  private CreatableTopicResult created(String name, TopicMetadata created) {
    CreatableTopicResult result =
        new CreatableTopicResult()
            .setName(name)
            .setTopicId(created.topicId())
            .setErrorCode(Errors.NONE.code())
            .setNumPartitions(created.partitionCount())
            .setReplicationFactor((short) created.replicaAssignment().get(0).size());
    List<CreatableTopicConfigs> described = new ArrayList<>();
    for (ConfigEntry e : configs.describe(created.configs(), null)) {
      described.add(
          new CreatableTopicConfigs()
              .setName(e.name())
              .setValue(e.value())
              .setConfigSource(e.source().id())
              .setReadOnly(false)
              .setIsSensitive(false));
    }
    return result.setConfigs(described);
  }

  private static CreatableTopicResult failed(String name, ApiError error) {
    return new CreatableTopicResult()
        .setName(name)
        .setErrorCode(error.error().code())
        .setErrorMessage(error.message())
        .setNumPartitions(-1)
        // topic_config_error_code is only for a failure to describe the configs of a created
        // topic; Kafka leaves it 0 (so absent) when the creation itself fails.
        .setReplicationFactor((short) -1);
  }
}
