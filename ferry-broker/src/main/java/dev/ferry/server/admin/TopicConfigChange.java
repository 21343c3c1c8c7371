package dev.ferry.server.admin;

import dev.ferry.controller.BrokerConfigAdmin;
import dev.ferry.controller.GroupConfigAdmin;
import dev.ferry.controller.TopicAdmin;
import dev.ferry.telemetry.ClientMetricsAdmin;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.requests.ApiError;

/**
 * What AlterConfigs and IncrementalAlterConfigs share: for each resource, check that it is a topic,
 * derive its new overrides from the current ones, validate and write them, and record the outcome
 * of each resource on its own (one bad resource does not fail the others). The two APIs differ only
 * in how a change is computed and in their generated request and response classes.
 */
final class TopicConfigChange {

  /**
   * One resource's requested change: {@code change} receives a mutable copy of the topic's current
   * overrides and returns the overrides to write. It runs on the admin thread, where reading the
   * current overrides and writing the new ones happen together.
   */
  record Request(
      byte resourceType, String resourceName, UnaryOperator<Map<String, String>> change) {}

  /** The outcome of one {@link Request}. */
  record Outcome(byte resourceType, String resourceName, ApiError error) {}

  private TopicConfigChange() {}

  /** Sends each request to the admin thread; completes with the outcomes in request order. */
  static CompletableFuture<List<Outcome>> applyAll(
      TopicAdmin topics, List<Request> requests, boolean validateOnly) {
    return applyAll(topics, null, requests, validateOnly);
  }

  /**
   * As above; with {@code groups}, GROUP resources are altered too (Kafka 4's group configs, kept
   * like topic overrides), otherwise refused.
   */
  static CompletableFuture<List<Outcome>> applyAll(
      TopicAdmin topics, GroupConfigAdmin groups, List<Request> requests, boolean validateOnly) {
    return applyAll(topics, groups, null, requests, validateOnly);
  }

  /**
   * As above; with {@code brokers}, BROKER resources are altered too (dynamic broker configs),
   * otherwise refused.
   */
  static CompletableFuture<List<Outcome>> applyAll(
      TopicAdmin topics,
      GroupConfigAdmin groups,
      BrokerConfigAdmin brokers,
      List<Request> requests,
      boolean validateOnly) {
    return applyAll(topics, groups, brokers, null, requests, validateOnly);
  }

  /**
   * As above; with {@code clientMetrics}, CLIENT_METRICS resources (KIP-714 subscriptions) are
   * altered too, otherwise refused.
   */
  static CompletableFuture<List<Outcome>> applyAll(
      TopicAdmin topics,
      GroupConfigAdmin groups,
      BrokerConfigAdmin brokers,
      ClientMetricsAdmin clientMetrics,
      List<Request> requests,
      boolean validateOnly) {
    List<CompletableFuture<Outcome>> outcomes = new ArrayList<>(requests.size());
    for (Request r : requests) {
      ConfigResource.Type type = ConfigResource.Type.forId(r.resourceType());
      CompletableFuture<ApiError> error;
      if (groups != null && type == ConfigResource.Type.GROUP) {
        error = outcome(groups.alterConfigs(r.resourceName(), r.change(), validateOnly));
      } else if (brokers != null && type == ConfigResource.Type.BROKER) {
        error = outcome(brokers.alterConfigs(r.resourceName(), r.change(), validateOnly));
      } else if (clientMetrics != null && type == ConfigResource.Type.CLIENT_METRICS) {
        error = outcome(clientMetrics.alterConfigs(r.resourceName(), r.change(), validateOnly));
      } else {
        error = apply(topics, r, validateOnly);
      }
      outcomes.add(error.thenApply(e -> new Outcome(r.resourceType(), r.resourceName(), e)));
    }
    return CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new))
        .thenApply(done -> outcomes.stream().map(CompletableFuture::join).toList());
  }

  private static CompletableFuture<ApiError> outcome(CompletableFuture<Void> change) {
    return change.handle(
        (done, e) -> e == null ? ApiError.NONE : ApiError.fromThrowable(AdminFutures.cause(e)));
  }

  private static CompletableFuture<ApiError> apply(
      TopicAdmin topics, Request r, boolean validateOnly) {
    if (ConfigResource.Type.forId(r.resourceType()) != ConfigResource.Type.TOPIC) {
      return CompletableFuture.completedFuture(
          ApiError.fromThrowable(
              new InvalidRequestException(
                  "Ferry alters topic configs only; broker configs are static")));
    }
    return topics
        .alterConfigs(r.resourceName(), r.change(), validateOnly)
        .handle(
            (done, error) ->
                error == null ? ApiError.NONE : ApiError.fromThrowable(AdminFutures.cause(error)));
  }
}
