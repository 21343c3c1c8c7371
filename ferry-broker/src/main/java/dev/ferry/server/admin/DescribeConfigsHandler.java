package dev.ferry.server.admin;

import dev.ferry.controller.GroupConfigDefinitions;
import dev.ferry.metadata.GroupConfigStore;
import dev.ferry.metadata.MetadataView;
import dev.ferry.metadata.TopicMetadata;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import dev.ferry.telemetry.ClientMetricsAdmin;
import dev.ferry.telemetry.ClientMetricsConfigs;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResourceResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsResult;
import org.apache.kafka.common.message.DescribeConfigsResponseData.DescribeConfigsSynonym;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse;
import org.apache.kafka.common.requests.DescribeConfigsResponse.ConfigSource;

/**
 * DescribeConfigs for topics (effective values with their source), brokers and groups. Topics and
 * brokers are answered from memory on the network thread; a request naming a group is answered on
 * the admin executor, since group overrides are read from the metadata store.
 */
public final class DescribeConfigsHandler extends ApiHandler<DescribeConfigsRequest> {

  private final MetadataView metadata;
  private final TopicConfigDescriber topicConfigs;
  private final int brokerId;
  private final BrokerConfigSource brokerConfigs;
  private final GroupConfigStore groupConfigs;
  private final Executor adminExecutor;
  private final ClientMetricsAdmin clientMetrics;

  /**
   * {@code brokerConfigs} answers for BROKER resources (every config with its value and source); an
   * interface keeps this package free of the broker assembly that depends on it.
   */
  public DescribeConfigsHandler(
      MetadataView metadata,
      TopicConfigDescriber topicConfigs,
      int brokerId,
      BrokerConfigSource brokerConfigs,
      GroupConfigStore groupConfigs,
      Executor adminExecutor) {
    this(metadata, topicConfigs, brokerId, brokerConfigs, groupConfigs, adminExecutor, null);
  }

  /** As above, and client-metrics subscriptions (KIP-714) from {@code clientMetrics}. */
  public DescribeConfigsHandler(
      MetadataView metadata,
      TopicConfigDescriber topicConfigs,
      int brokerId,
      BrokerConfigSource brokerConfigs,
      GroupConfigStore groupConfigs,
      Executor adminExecutor,
      ClientMetricsAdmin clientMetrics) {
    super(ApiKeys.DESCRIBE_CONFIGS, DescribeConfigsRequest.class);
    this.clientMetrics = clientMetrics;
    this.metadata = metadata;
    this.topicConfigs = topicConfigs;
    this.brokerId = brokerId;
    this.brokerConfigs = brokerConfigs;
    this.groupConfigs = groupConfigs;
    this.adminExecutor = adminExecutor;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, DescribeConfigsRequest req) {
    boolean anyGroup =
        req.data().resources().stream()
            .anyMatch(
                r ->
                    r.resourceType() == ConfigResource.Type.GROUP.id()
                        || r.resourceType() == ConfigResource.Type.CLIENT_METRICS.id());
    return anyGroup
        ? CompletableFuture.supplyAsync(() -> answer(req), adminExecutor)
        : CompletableFuture.completedFuture(answer(req));
  }

  private AbstractResponse answer(DescribeConfigsRequest req) {
    boolean synonyms = req.data().includeSynonyms();
    DescribeConfigsResponseData response = new DescribeConfigsResponseData();
    for (DescribeConfigsResource r : req.data().resources()) {
      response.results().add(describe(r, synonyms));
    }
    return new DescribeConfigsResponse(response);
  }

  private DescribeConfigsResult describe(DescribeConfigsResource r, boolean synonyms) {
    DescribeConfigsResult result =
        new DescribeConfigsResult()
            .setResourceType(r.resourceType())
            .setResourceName(r.resourceName());
    ConfigResource.Type type = ConfigResource.Type.forId(r.resourceType());
    List<ConfigEntry> entries;
    if (type == ConfigResource.Type.TOPIC) {
      Optional<TopicMetadata> topic = metadata.topic(r.resourceName());
      if (topic.isEmpty()) {
        return result
            .setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
            .setErrorMessage("Topic " + r.resourceName() + " does not exist");
      }
      entries = topicConfigs.describe(topic.get().configs(), r.configurationKeys());
    } else if (type == ConfigResource.Type.BROKER) {
      if (!r.resourceName().isEmpty() && !r.resourceName().equals(String.valueOf(brokerId))) {
        return result
            .setErrorCode(Errors.INVALID_REQUEST.code())
            .setErrorMessage("This is broker " + brokerId);
      }
      return describeBroker(result, r.configurationKeys(), r.resourceName().isEmpty(), synonyms);
    } else if (type == ConfigResource.Type.GROUP) {
      entries = groupEntries(groupConfigs.groupConfigs(r.resourceName()), r.configurationKeys());
    } else if (type == ConfigResource.Type.CLIENT_METRICS && clientMetrics != null) {
      return describeClientMetrics(result, r, synonyms);
    } else {
      return result
          .setErrorCode(Errors.INVALID_REQUEST.code())
          .setErrorMessage("Unsupported resource type " + type);
    }
    List<DescribeConfigsResourceResult> configs = new ArrayList<>(entries.size());
    for (ConfigEntry e : entries) {
      DescribeConfigsResourceResult c =
          new DescribeConfigsResourceResult()
              .setName(e.name())
              .setValue(e.value())
              .setConfigSource(e.source().id())
              .setReadOnly(type == ConfigResource.Type.BROKER)
              .setIsSensitive(false)
              .setConfigType(e.type().id())
              .setDocumentation(null); // only with include_documentation, which Ferry lacks
      if (synonyms) {
        c.setSynonyms(
            List.of(
                new DescribeConfigsSynonym()
                    .setName(e.name())
                    .setValue(e.value())
                    .setSource(e.source().id())));
      }
      configs.add(c);
    }
    return result.setErrorCode(Errors.NONE.code()).setConfigs(configs);
  }

  /** Every group config (or those in {@code keys}): the override if set, else the default. */
  private static List<ConfigEntry> groupEntries(Map<String, String> overrides, List<String> keys) {
    List<ConfigEntry> out = new ArrayList<>();
    for (String name : GroupConfigDefinitions.names()) {
      if (keys != null && !keys.isEmpty() && !keys.contains(name)) {
        continue;
      }
      GroupConfigDefinitions.Definition d = GroupConfigDefinitions.definition(name);
      String override = overrides.get(name);
      out.add(
          override != null
              ? new ConfigEntry(name, override, ConfigSource.GROUP_CONFIG, d.type())
              : new ConfigEntry(name, d.defaultValue(), ConfigSource.DEFAULT_CONFIG, d.type()));
    }
    return out;
  }

  /**
   * A client-metrics subscription as Kafka 4.4 describes it: each of its configs, set (source
   * CLIENT_METRICS_CONFIG, with itself as the only synonym) or at its default (no synonym); a name
   * no subscription has describes the defaults.
   */
  private DescribeConfigsResult describeClientMetrics(
      DescribeConfigsResult result, DescribeConfigsResource r, boolean synonyms) {
    if (r.resourceName() == null || r.resourceName().isEmpty()) {
      return result
          .setErrorCode(Errors.INVALID_REQUEST.code())
          .setErrorMessage("A client metrics subscription needs a name");
    }
    Map<String, String> set = clientMetrics.configs(r.resourceName());
    List<String> keys = r.configurationKeys();
    List<DescribeConfigsResourceResult> configs = new ArrayList<>();
    for (ClientMetricsConfigs.Definition d : ClientMetricsConfigs.definitions()) {
      if (keys != null && !keys.isEmpty() && !keys.contains(d.name())) {
        continue;
      }
      String value = set.get(d.name());
      ConfigSource source =
          value == null ? ConfigSource.DEFAULT_CONFIG : ConfigSource.CLIENT_METRICS_CONFIG;
      String shown = value == null ? d.defaultValue() : ClientMetricsConfigs.normalize(d, value);
      configs.add(
          new DescribeConfigsResourceResult()
              .setName(d.name())
              .setValue(shown)
              .setConfigSource(source.id())
              .setReadOnly(false)
              .setIsSensitive(false)
              .setConfigType(d.type().id())
              .setDocumentation(null)
              .setSynonyms(
                  synonyms && value != null
                      ? List.of(
                          new DescribeConfigsSynonym()
                              .setName(d.name())
                              .setValue(shown)
                              .setSource(source.id()))
                      : List.of()));
    }
    return result.setErrorCode(Errors.NONE.code()).setConfigs(configs);
  }

  private DescribeConfigsResult describeBroker(
      DescribeConfigsResult result, List<String> keys, boolean clusterDefault, boolean synonyms) {
    List<DescribeConfigsResourceResult> configs = new ArrayList<>();
    for (BrokerConfigSource.Entry e : brokerConfigs.describe(keys, clusterDefault)) {
      DescribeConfigsResourceResult c =
          new DescribeConfigsResourceResult()
              .setName(e.value().name())
              .setValue(e.value().value())
              .setConfigSource(e.value().source().id())
              .setReadOnly(e.readOnly())
              .setIsSensitive(e.sensitive())
              .setConfigType(e.value().type().id())
              .setDocumentation(null);
      if (synonyms) {
        List<DescribeConfigsSynonym> list = new ArrayList<>();
        for (ConfigEntry s : e.synonyms()) {
          list.add(
              new DescribeConfigsSynonym()
                  .setName(s.name())
                  .setValue(s.value())
                  .setSource(s.source().id()));
        }
        c.setSynonyms(list);
      }
      configs.add(c);
    }
    return result.setErrorCode(Errors.NONE.code()).setConfigs(configs);
  }
}
