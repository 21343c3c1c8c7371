package dev.ferry.server.admin;

import dev.ferry.controller.BrokerConfigAdmin;
import dev.ferry.controller.GroupConfigAdmin;
import dev.ferry.controller.TopicAdmin;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import dev.ferry.telemetry.ClientMetricsAdmin;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterConfigsResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData.AlterableConfig;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;
import org.apache.kafka.common.requests.IncrementalAlterConfigsResponse;

/**
 * IncrementalAlterConfigs on topics, groups, brokers and client-metrics subscriptions: SET, DELETE,
 * APPEND and SUBTRACT of list values.
 */
public final class IncrementalAlterConfigsHandler
    extends ApiHandler<IncrementalAlterConfigsRequest> {

  private final TopicAdmin topics;
  private final GroupConfigAdmin groups;
  private final BrokerConfigAdmin brokers;
  private final ClientMetricsAdmin clientMetrics;

  /** Topics only: GROUP resources are refused. */
  public IncrementalAlterConfigsHandler(TopicAdmin topics) {
    this(topics, null);
  }

  /** Topics and, through {@code groups}, Kafka 4's group configs. */
  public IncrementalAlterConfigsHandler(TopicAdmin topics, GroupConfigAdmin groups) {
    this(topics, groups, null);
  }

  /** Topics, groups and, through {@code brokers}, dynamic broker configs. */
  public IncrementalAlterConfigsHandler(
      TopicAdmin topics, GroupConfigAdmin groups, BrokerConfigAdmin brokers) {
    this(topics, groups, brokers, null);
  }

  /** As above, and client-metrics subscriptions (KIP-714) through {@code clientMetrics}. */
  public IncrementalAlterConfigsHandler(
      TopicAdmin topics,
      GroupConfigAdmin groups,
      BrokerConfigAdmin brokers,
      ClientMetricsAdmin clientMetrics) {
    super(ApiKeys.INCREMENTAL_ALTER_CONFIGS, IncrementalAlterConfigsRequest.class);
    this.topics = topics;
    this.groups = groups;
    this.brokers = brokers;
    this.clientMetrics = clientMetrics;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, IncrementalAlterConfigsRequest body) {
    IncrementalAlterConfigsRequestData req = body.data();
    List<TopicConfigChange.Request> changes = new ArrayList<>();
    for (AlterConfigsResource r : req.resources()) {
      changes.add(
          new TopicConfigChange.Request(
              r.resourceType(), r.resourceName(), current -> alter(current, r)));
    }
    return TopicConfigChange.applyAll(
            topics, groups, brokers, clientMetrics, changes, req.validateOnly())
        .thenApply(
            outcomes -> {
              IncrementalAlterConfigsResponseData response =
                  new IncrementalAlterConfigsResponseData();
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
              return new IncrementalAlterConfigsResponse(response);
            });
  }

  private static Map<String, String> alter(Map<String, String> overrides, AlterConfigsResource r) {
    for (AlterableConfig c : r.configs()) {
      applyOp(overrides, c);
    }
    return overrides;
  }

  private static void applyOp(Map<String, String> overrides, AlterableConfig c) {
    AlterConfigOp.OpType op = AlterConfigOp.OpType.forId(c.configOperation());
    if (op == null) {
      throw new InvalidRequestException("Unknown config operation " + c.configOperation());
    }
    switch (op) {
      case SET -> overrides.put(c.name(), c.value());
      case DELETE -> overrides.remove(c.name());
      case APPEND, SUBTRACT -> {
        List<String> items = new ArrayList<>();
        String current = overrides.get(c.name());
        if (current != null && !current.isBlank()) {
          items.addAll(Arrays.asList(current.split(",")));
        }
        List<String> change = c.value() == null ? List.of() : Arrays.asList(c.value().split(","));
        if (op == AlterConfigOp.OpType.APPEND) {
          for (String v : change) {
            if (!items.contains(v)) {
              items.add(v);
            }
          }
        } else {
          items.removeAll(change);
        }
        overrides.put(c.name(), String.join(",", items));
      }
      default -> throw new InvalidRequestException("Unsupported config operation " + op);
    }
  }
}
