package dev.ferry.server.admin;

import dev.ferry.controller.TopicController;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.AlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.AlterConfigsResponse;
import org.apache.kafka.common.requests.ApiError;

/** The legacy AlterConfigs (still used by kafkajs): replaces a topic's overrides wholesale. */
public final class AlterConfigsHandler extends ApiHandler<AlterConfigsRequest> {

  private final TopicController topics;
  private final Executor adminExecutor;

  public AlterConfigsHandler(TopicController topics, Executor adminExecutor) {
    super(ApiKeys.ALTER_CONFIGS, AlterConfigsRequest.class);
    this.topics = topics;
    this.adminExecutor = adminExecutor;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, AlterConfigsRequest body) {
    AlterConfigsRequestData req = body.data();
    return CompletableFuture.supplyAsync(
        () -> {
          AlterConfigsResponseData response = new AlterConfigsResponseData();
          for (AlterConfigsResource r : req.resources()) {
            ApiError error = replace(r, req.validateOnly());
            response
                .responses()
                .add(
                    new AlterConfigsResourceResponse()
                        .setResourceType(r.resourceType())
                        .setResourceName(r.resourceName())
                        .setErrorCode(error.error().code())
                        .setErrorMessage(error.message()));
          }
          return new AlterConfigsResponse(response);
        },
        adminExecutor);
  }

  private ApiError replace(AlterConfigsResource r, boolean validateOnly) {
    try {
      TopicConfigChange.currentOverrides(topics, r.resourceType(), r.resourceName());
      Map<String, String> overrides = new HashMap<>();
      for (AlterableConfig c : r.configs()) {
        overrides.put(c.name(), c.value());
      }
      return TopicConfigChange.apply(topics, r.resourceName(), overrides, validateOnly);
    } catch (RuntimeException e) {
      return ApiError.fromThrowable(e);
    }
  }
}
