package dev.ferry.server.admin;

import dev.ferry.controller.TopicAdmin;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.AlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.message.AlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.AlterConfigsResponse;

/** The legacy AlterConfigs (still used by kafkajs): replaces a topic's overrides wholesale. */
public final class AlterConfigsHandler extends ApiHandler<AlterConfigsRequest> {

  private final TopicAdmin topics;

  public AlterConfigsHandler(TopicAdmin topics) {
    super(ApiKeys.ALTER_CONFIGS, AlterConfigsRequest.class);
    this.topics = topics;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, AlterConfigsRequest body) {
    AlterConfigsRequestData req = body.data();
    List<TopicConfigChange.Request> changes = new ArrayList<>();
    for (AlterConfigsResource r : req.resources()) {
      changes.add(
          new TopicConfigChange.Request(r.resourceType(), r.resourceName(), current -> replace(r)));
    }
    return TopicConfigChange.applyAll(topics, changes, req.validateOnly())
        .thenApply(
            outcomes -> {
              AlterConfigsResponseData response = new AlterConfigsResponseData();
              for (TopicConfigChange.Outcome o : outcomes) {
                response
                    .responses()
                    .add(
                        new AlterConfigsResourceResponse()
                            .setResourceType(o.resourceType())
                            .setResourceName(o.resourceName())
                            .setErrorCode(o.error().error().code())
                            .setErrorMessage(o.error().message()));
              }
              return new AlterConfigsResponse(response);
            });
  }

  /** The legacy API's semantics: the request's configs become the topic's whole override set. */
  private static Map<String, String> replace(AlterConfigsResource r) {
    Map<String, String> overrides = new HashMap<>();
    for (AlterableConfig c : r.configs()) {
      overrides.put(c.name(), c.value());
    }
    return overrides;
  }
}
