package dev.ferry.conformance;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.GetTelemetrySubscriptionsRequestData;
import org.apache.kafka.common.message.GetTelemetrySubscriptionsResponseData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.ListConfigResourcesRequestData;
import org.apache.kafka.common.message.ListConfigResourcesResponseData;
import org.apache.kafka.common.message.PushTelemetryRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.GetTelemetrySubscriptionsResponse;
import org.apache.kafka.common.requests.ListConfigResourcesResponse;

/**
 * Client metrics (KIP-714): subscriptions as CLIENT_METRICS config resources (set, described,
 * validated, listed with ListConfigResources, deleted) and the two telemetry APIs: a new instance's
 * subscription, a second ask too early, pushes on time and too early, a terminating push and one
 * after it, an unknown subscription id, an unknown compression type, a payload over {@code
 * telemetry.max.bytes}, an invalid instance id, and a subscription a client matches. Each case
 * removes the subscriptions it made; Kafka applies them through its controller, so answers that
 * depend on one are awaited ({@link Exchange#until}).
 */
final class TelemetryCases {

  private static final byte SET = 0;
  private static final byte DELETE = 1;
  private static final byte CLIENT_METRICS = ConfigResource.Type.CLIENT_METRICS.id();

  private TelemetryCases() {}

  static List<Case> all() {
    List<Case> c = new ArrayList<>();
    c.add(
        Case.of(
            ApiKeys.LIST_CONFIG_RESOURCES,
            "client-metrics",
            Exchange.of(
                ApiKeys.INCREMENTAL_ALTER_CONFIGS,
                (s, v) ->
                    alter(
                        "conf-sub-v" + v,
                        false,
                        Map.of("metrics", "org.apache.kafka.producer.", "interval.ms", "1000"))),
            Exchange.of(ApiKeys.LIST_CONFIG_RESOURCES, (s, v) -> list(v, CLIENT_METRICS))
                .until(r -> !names(r).isEmpty()),
            Exchange.of(
                ApiKeys.INCREMENTAL_ALTER_CONFIGS,
                (s, v) -> delete("conf-sub-v" + v, "metrics", "interval.ms")),
            Exchange.of(ApiKeys.LIST_CONFIG_RESOURCES, (s, v) -> list(v, CLIENT_METRICS))
                .until(r -> names(r).isEmpty())));
    c.add(
        Case.of(
                ApiKeys.LIST_CONFIG_RESOURCES,
                "types",
                Exchange.of(
                    ApiKeys.LIST_CONFIG_RESOURCES,
                    (s, v) -> list(v, ConfigResource.Type.BROKER.id())),
                Exchange.of(
                    ApiKeys.LIST_CONFIG_RESOURCES,
                    (s, v) -> list(v, ConfigResource.Type.BROKER_LOGGER.id())),
                Exchange.of(ApiKeys.LIST_CONFIG_RESOURCES, (s, v) -> list(v, (byte) 1)),
                Exchange.of(
                    ApiKeys.LIST_CONFIG_RESOURCES,
                    (s, v) -> list(v, ConfigResource.Type.UNKNOWN.id())))
            .from(1));
    c.add(
        Case.of(
            ApiKeys.INCREMENTAL_ALTER_CONFIGS,
            "client-metrics",
            Exchange.of(
                ApiKeys.INCREMENTAL_ALTER_CONFIGS,
                (s, v) ->
                    alter(
                        "conf-cm-v" + v,
                        false,
                        Map.of(
                            "metrics",
                            "org.apache.kafka.producer., org.apache.kafka.consumer.",
                            "interval.ms",
                            "2000",
                            "match",
                            "client_id=conf-.*,client_software_name=apache-kafka-java"))),
            Exchange.of(
                    ApiKeys.DESCRIBE_CONFIGS,
                    (s, v) -> describe("conf-cm-v" + s.recall(Conformance.CASE_VERSION, (short) 0)))
                .until(r -> r.toString().contains("value='2000'")),
            Exchange.of(
                ApiKeys.INCREMENTAL_ALTER_CONFIGS,
                (s, v) -> alter("conf-cm-v" + v, true, Map.of("interval.ms", "5000"))),
            Exchange.of(
                ApiKeys.INCREMENTAL_ALTER_CONFIGS,
                (s, v) -> alter("conf-cm-v" + v, false, Map.of("no.such.config", "1"))),
            Exchange.of(
                ApiKeys.INCREMENTAL_ALTER_CONFIGS,
                (s, v) -> alter("conf-cm-v" + v, false, Map.of("interval.ms", "50"))),
            Exchange.of(
                ApiKeys.INCREMENTAL_ALTER_CONFIGS,
                (s, v) -> alter("conf-cm-v" + v, false, Map.of("interval.ms", "soon"))),
            Exchange.of(
                ApiKeys.INCREMENTAL_ALTER_CONFIGS,
                (s, v) -> alter("conf-cm-v" + v, false, Map.of("match", "client_rack=a"))),
            Exchange.of(
                ApiKeys.INCREMENTAL_ALTER_CONFIGS,
                (s, v) -> alter("conf-cm-v" + v, false, Map.of("match", "client_id"))),
            Exchange.of(
                ApiKeys.INCREMENTAL_ALTER_CONFIGS,
                (s, v) -> alter("conf-cm-v" + v, false, Map.of("match", "client_id=[oops"))),
            Exchange.of(
                ApiKeys.INCREMENTAL_ALTER_CONFIGS,
                (s, v) -> alter("", false, Map.of("interval.ms", "1000"))),
            Exchange.of(
                ApiKeys.INCREMENTAL_ALTER_CONFIGS,
                (s, v) -> delete("conf-cm-v" + v, "metrics", "interval.ms", "match")),
            Exchange.of(
                    ApiKeys.DESCRIBE_CONFIGS,
                    (s, v) -> describe("conf-cm-v" + s.recall(Conformance.CASE_VERSION, (short) 0)))
                .until(r -> !r.toString().contains("value='2000'"))));
    c.add(
        Case.of(
            ApiKeys.DESCRIBE_CONFIGS,
            "client-metrics-empty-name",
            Exchange.of(ApiKeys.DESCRIBE_CONFIGS, (s, v) -> describe(""))));
    c.add(
        Case.of(
            ApiKeys.GET_TELEMETRY_SUBSCRIPTIONS,
            "new-instance",
            Exchange.of(ApiKeys.GET_TELEMETRY_SUBSCRIPTIONS, (s, v) -> get(Uuid.ZERO_UUID))
                .then(TelemetryCases::rememberInstance),
            Exchange.of(ApiKeys.GET_TELEMETRY_SUBSCRIPTIONS, (s, v) -> get(instance(s)))));
    c.add(
        Case.of(
            ApiKeys.PUSH_TELEMETRY,
            "push-and-terminate",
            Exchange.of(ApiKeys.GET_TELEMETRY_SUBSCRIPTIONS, (s, v) -> get(Uuid.ZERO_UUID))
                .then(TelemetryCases::rememberInstance),
            Exchange.of(ApiKeys.PUSH_TELEMETRY, (s, v) -> push(s, false, (byte) 0, 0)),
            Exchange.of(ApiKeys.PUSH_TELEMETRY, (s, v) -> push(s, false, (byte) 0, 0)),
            Exchange.of(ApiKeys.PUSH_TELEMETRY, (s, v) -> push(s, true, (byte) 0, 0)),
            Exchange.of(ApiKeys.PUSH_TELEMETRY, (s, v) -> push(s, true, (byte) 0, 0))));
    c.add(
        Case.of(
            ApiKeys.PUSH_TELEMETRY,
            "push-errors",
            Exchange.of(ApiKeys.GET_TELEMETRY_SUBSCRIPTIONS, (s, v) -> get(Uuid.ZERO_UUID))
                .then(TelemetryCases::rememberInstance),
            Exchange.of(
                ApiKeys.PUSH_TELEMETRY,
                (s, v) -> push(s, false, (byte) 0, 0).setSubscriptionId(subscription(s) + 1)),
            // After UNKNOWN_SUBSCRIPTION_ID a client may ask again at once.
            Exchange.of(ApiKeys.GET_TELEMETRY_SUBSCRIPTIONS, (s, v) -> get(instance(s))),
            Exchange.of(ApiKeys.PUSH_TELEMETRY, (s, v) -> push(s, false, (byte) 9, 0)),
            Exchange.of(ApiKeys.GET_TELEMETRY_SUBSCRIPTIONS, (s, v) -> get(instance(s))),
            Exchange.of(
                ApiKeys.PUSH_TELEMETRY, (s, v) -> push(s, false, (byte) 0, 1024 * 1024 + 1)),
            Exchange.of(
                ApiKeys.PUSH_TELEMETRY,
                (s, v) -> push(s, false, (byte) 0, 0).setClientInstanceId(Uuid.ZERO_UUID))));
    c.add(
        Case.of(
            ApiKeys.GET_TELEMETRY_SUBSCRIPTIONS,
            "subscribed",
            Exchange.of(
                ApiKeys.INCREMENTAL_ALTER_CONFIGS,
                (s, v) ->
                    alter(
                        "conf-telemetry",
                        false,
                        Map.of("metrics", "org.apache.kafka.producer.", "interval.ms", "1500"))),
            Exchange.of(ApiKeys.GET_TELEMETRY_SUBSCRIPTIONS, (s, v) -> get(Uuid.ZERO_UUID))
                .until(r -> !requested(r).isEmpty()),
            Exchange.of(
                ApiKeys.INCREMENTAL_ALTER_CONFIGS,
                (s, v) -> delete("conf-telemetry", "metrics", "interval.ms")),
            Exchange.of(ApiKeys.GET_TELEMETRY_SUBSCRIPTIONS, (s, v) -> get(Uuid.ZERO_UUID))
                .until(r -> requested(r).isEmpty())));
    return c;
  }

  private static List<String> names(AbstractResponse r) {
    return ((ListConfigResourcesResponse) r)
        .data().configResources().stream()
            .map(ListConfigResourcesResponseData.ConfigResource::resourceName)
            .toList();
  }

  private static List<String> requested(AbstractResponse r) {
    return ((GetTelemetrySubscriptionsResponse) r).data().requestedMetrics();
  }

  private static void rememberInstance(SideContext s, AbstractResponse r) {
    GetTelemetrySubscriptionsResponseData d = ((GetTelemetrySubscriptionsResponse) r).data();
    s.remember("telemetry-instance", d.clientInstanceId());
    s.remember("telemetry-subscription", d.subscriptionId());
  }

  private static Uuid instance(SideContext s) {
    return s.recall("telemetry-instance", Uuid.ZERO_UUID);
  }

  private static int subscription(SideContext s) {
    return s.recall("telemetry-subscription", 0);
  }

  private static GetTelemetrySubscriptionsRequestData get(Uuid id) {
    return new GetTelemetrySubscriptionsRequestData().setClientInstanceId(id);
  }

  private static PushTelemetryRequestData push(
      SideContext s, boolean terminating, byte compression, int size) {
    return new PushTelemetryRequestData()
        .setClientInstanceId(instance(s))
        .setSubscriptionId(subscription(s))
        .setTerminating(terminating)
        .setCompressionType(compression)
        .setMetrics(ByteBuffer.wrap(new byte[size]));
  }

  private static ListConfigResourcesRequestData list(short v, byte type) {
    return new ListConfigResourcesRequestData()
        .setResourceTypes(v >= 1 ? List.of(type) : List.of());
  }

  private static DescribeConfigsRequestData describe(String name) {
    return AdminCases.describe(ConfigResource.Type.CLIENT_METRICS, name, List.of());
  }

  private static IncrementalAlterConfigsRequestData alter(
      String name, boolean validateOnly, Map<String, String> set) {
    IncrementalAlterConfigsRequestData.AlterableConfigCollection configs =
        new IncrementalAlterConfigsRequestData.AlterableConfigCollection();
    new java.util.TreeMap<>(set)
        .forEach(
            (k, val) ->
                configs.add(
                    new IncrementalAlterConfigsRequestData.AlterableConfig()
                        .setName(k)
                        .setConfigOperation(SET)
                        .setValue(val)));
    return request(name, configs, validateOnly);
  }

  private static IncrementalAlterConfigsRequestData delete(String name, String... keys) {
    IncrementalAlterConfigsRequestData.AlterableConfigCollection configs =
        new IncrementalAlterConfigsRequestData.AlterableConfigCollection();
    for (String k : keys) {
      configs.add(
          new IncrementalAlterConfigsRequestData.AlterableConfig()
              .setName(k)
              .setConfigOperation(DELETE)
              .setValue(null));
    }
    return request(name, configs, false);
  }

  private static IncrementalAlterConfigsRequestData request(
      String name,
      IncrementalAlterConfigsRequestData.AlterableConfigCollection configs,
      boolean validateOnly) {
    IncrementalAlterConfigsRequestData.AlterConfigsResourceCollection rs =
        new IncrementalAlterConfigsRequestData.AlterConfigsResourceCollection();
    rs.add(
        new IncrementalAlterConfigsRequestData.AlterConfigsResource()
            .setResourceType(CLIENT_METRICS)
            .setResourceName(name)
            .setConfigs(configs));
    return new IncrementalAlterConfigsRequestData().setResources(rs).setValidateOnly(validateOnly);
  }
}
