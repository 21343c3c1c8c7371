package dev.ferry.server.admin;

import dev.ferry.controller.TopicController;
import dev.ferry.metadata.TopicMetadata;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
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
   * overrides and returns the overrides to write.
   */
  record Request(
      byte resourceType, String resourceName, UnaryOperator<Map<String, String>> change) {}

  /** The outcome of one {@link Request}. */
  record Outcome(byte resourceType, String resourceName, ApiError error) {}

  private TopicConfigChange() {}

  /** Applies each request in order; blocking (ZooKeeper writes), so call on the admin executor. */
  static List<Outcome> applyAll(
      TopicController topics, List<Request> requests, boolean validateOnly) {
    List<Outcome> outcomes = new ArrayList<>(requests.size());
    for (Request r : requests) {
      outcomes.add(new Outcome(r.resourceType(), r.resourceName(), apply(topics, r, validateOnly)));
    }
    return outcomes;
  }

  private static ApiError apply(TopicController topics, Request r, boolean validateOnly) {
    try {
      Map<String, String> overrides =
          r.change().apply(currentOverrides(topics, r.resourceType(), r.resourceName()));
      topics.setConfigs(r.resourceName(), overrides, validateOnly);
      return ApiError.NONE;
    } catch (RuntimeException e) {
      return ApiError.fromThrowable(e);
    }
  }

  /** Checks the resource is a topic and returns a mutable copy of its current overrides. */
  private static Map<String, String> currentOverrides(
      TopicController topics, byte resourceType, String name) {
    if (ConfigResource.Type.forId(resourceType) != ConfigResource.Type.TOPIC) {
      throw new InvalidRequestException(
          "Ferry alters topic configs only; broker configs are static");
    }
    TopicMetadata topic =
        topics
            .topic(name)
            .orElseThrow(
                () -> new UnknownTopicOrPartitionException("Topic " + name + " does not exist"));
    return new HashMap<>(topic.configs());
  }
}
