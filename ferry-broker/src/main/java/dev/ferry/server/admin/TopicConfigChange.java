package dev.ferry.server.admin;

import dev.ferry.controller.TopicController;
import dev.ferry.metadata.TopicMetadata;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.requests.ApiError;

/** Shared steps of AlterConfigs and IncrementalAlterConfigs: resolve, validate, write. */
final class TopicConfigChange {

  private TopicConfigChange() {}

  /** Checks the resource is a topic and returns its current overrides. */
  static Map<String, String> currentOverrides(
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

  static ApiError apply(
      TopicController topics, String name, Map<String, String> overrides, boolean validateOnly) {
    try {
      topics.setConfigs(name, overrides, validateOnly);
      return ApiError.NONE;
    } catch (RuntimeException e) {
      return ApiError.fromThrowable(e);
    }
  }
}
