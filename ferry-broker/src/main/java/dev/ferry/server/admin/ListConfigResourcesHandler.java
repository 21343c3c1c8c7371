package dev.ferry.server.admin;

import dev.ferry.metadata.BrokerInfo;
import dev.ferry.metadata.GroupConfigStore;
import dev.ferry.metadata.MetadataView;
import dev.ferry.metadata.TopicMetadata;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import dev.ferry.telemetry.ClientMetricsAdmin;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.ListConfigResourcesResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ListConfigResourcesRequest;
import org.apache.kafka.common.requests.ListConfigResourcesResponse;

/**
 * ListConfigResources (KIP-1142; v0 was ListClientMetricsResources, KIP-714): the resources that
 * have configs, of the requested types or, if none is named, of every type the version knows (v0:
 * client-metrics subscriptions only; v1: also groups with configs, brokers and their loggers, and
 * topics). A type the version does not know fails the whole request with UNSUPPORTED_VERSION, as
 * Kafka 4.4 answers. Runs on the admin thread, since subscriptions and group configs are read from
 * the metadata store.
 */
public final class ListConfigResourcesHandler extends ApiHandler<ListConfigResourcesRequest> {

  private final MetadataView metadata;
  private final GroupConfigStore groupConfigs;
  private final ClientMetricsAdmin clientMetrics;

  public ListConfigResourcesHandler(
      MetadataView metadata, GroupConfigStore groupConfigs, ClientMetricsAdmin clientMetrics) {
    super(ApiKeys.LIST_CONFIG_RESOURCES, ListConfigResourcesRequest.class);
    this.metadata = metadata;
    this.groupConfigs = groupConfigs;
    this.clientMetrics = clientMetrics;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, ListConfigResourcesRequest req) {
    List<Byte> types =
        req.data().resourceTypes().isEmpty()
            ? List.copyOf(req.supportedResourceTypes())
            : req.data().resourceTypes();
    for (Byte type : types) {
      if (!req.supportedResourceTypes().contains(type)) {
        return CompletableFuture.completedFuture(
            new ListConfigResourcesResponse(
                new ListConfigResourcesResponseData()
                    .setErrorCode(Errors.UNSUPPORTED_VERSION.code())));
      }
    }
    return CompletableFuture.supplyAsync(() -> list(types), clientMetrics.executor());
  }

  /** Kafka's order: groups, subscriptions, broker loggers, brokers, topics. */
  private AbstractResponse list(List<Byte> types) {
    List<ListConfigResourcesResponseData.ConfigResource> out = new ArrayList<>();
    if (types.contains(ConfigResource.Type.GROUP.id())) {
      groupConfigs
          .groupIdsWithConfigs()
          .forEach(g -> out.add(resource(g, ConfigResource.Type.GROUP)));
    }
    if (types.contains(ConfigResource.Type.CLIENT_METRICS.id())) {
      clientMetrics.names().forEach(n -> out.add(resource(n, ConfigResource.Type.CLIENT_METRICS)));
    }
    if (types.contains(ConfigResource.Type.BROKER_LOGGER.id())) {
      for (BrokerInfo b : metadata.liveBrokers()) {
        out.add(resource(String.valueOf(b.id()), ConfigResource.Type.BROKER_LOGGER));
      }
    }
    if (types.contains(ConfigResource.Type.BROKER.id())) {
      for (BrokerInfo b : metadata.liveBrokers()) {
        out.add(resource(String.valueOf(b.id()), ConfigResource.Type.BROKER));
      }
    }
    if (types.contains(ConfigResource.Type.TOPIC.id())) {
      for (TopicMetadata t : metadata.topics()) {
        out.add(resource(t.name(), ConfigResource.Type.TOPIC));
      }
    }
    return new ListConfigResourcesResponse(
        new ListConfigResourcesResponseData()
            .setErrorCode(Errors.NONE.code())
            .setConfigResources(out));
  }

  private static ListConfigResourcesResponseData.ConfigResource resource(
      String name, ConfigResource.Type type) {
    return new ListConfigResourcesResponseData.ConfigResource()
        .setResourceName(name)
        .setResourceType(type.id());
  }
}
