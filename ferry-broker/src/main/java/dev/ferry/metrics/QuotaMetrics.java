package dev.ferry.metrics;

import dev.ferry.quota.ClientQuotaManager;
import dev.ferry.quota.ClientQuotas;
import dev.ferry.quota.QuotaEntities;
import dev.ferry.quota.ReplicationThrottles;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.Map;

/**
 * Quota metrics, read at scrape time: per quota type and throttled entity (Kafka's tags: user and
 * client id, empty where the quota covers all of them) the measured rate, the limit and the
 * throttle time handed out; and the two replication throttles' measured rates and bounds.
 */
final class QuotaMetrics {

  QuotaMetrics(PrometheusRegistry registry, ClientQuotas quotas, ReplicationThrottles replication) {
    List<ClientQuotaManager> managers = List.of(quotas.produce(), quotas.fetch(), quotas.request());
    GaugeWithCallback.builder()
        .name("ferry_client_quota_rate")
        .help(
            "Measured use of a client quota (bytes/s, or percent of a thread for"
                + " request_percentage), by quota and entity")
        .labelNames("quota", "user", "client_id")
        .callback(
            cb ->
                each(
                    managers,
                    (m, user, client, s) -> cb.call(s.rate(m.nowMs()), m.key(), user, client)))
        .register(registry);
    GaugeWithCallback.builder()
        .name("ferry_client_quota_limit")
        .help("The client quota in force, by quota and entity")
        .labelNames("quota", "user", "client_id")
        .callback(
            cb -> each(managers, (m, user, client, s) -> cb.call(s.limit(), m.key(), user, client)))
        .register(registry);
    CounterWithCallback.builder()
        .name("ferry_client_quota_throttle_time_seconds_total")
        .help("Throttle time handed to clients over their quota, by quota and entity")
        .labelNames("quota", "user", "client_id")
        .callback(
            cb ->
                each(
                    managers,
                    (m, user, client, s) ->
                        cb.call(s.throttleTimeMs() / 1000.0, m.key(), user, client)))
        .register(registry);
    GaugeWithCallback.builder()
        .name("ferry_replication_throttle_rate_bytes")
        .help("Measured rate of throttled replication (reassignment), by side")
        .labelNames("side")
        .callback(
            cb -> {
              cb.call(replication.leaderQuota().rate(), "leader");
              cb.call(replication.followerQuota().rate(), "follower");
            })
        .register(registry);
    CounterWithCallback.builder()
        .name("ferry_replication_throttled_bytes_total")
        .help("Bytes of throttled replication (reassignment) moved, by side")
        .labelNames("side")
        .callback(
            cb -> {
              cb.call(replication.leaderQuota().throttledBytes(), "leader");
              cb.call(replication.followerQuota().throttledBytes(), "follower");
            })
        .register(registry);
  }

  private interface SensorVisitor {
    void visit(ClientQuotaManager m, String user, String clientId, ClientQuotaManager.Sensor s);
  }

  private static void each(List<ClientQuotaManager> managers, SensorVisitor visitor) {
    for (ClientQuotaManager m : managers) {
      for (Map.Entry<String, ClientQuotaManager.Sensor> e : m.sensors().entrySet()) {
        Map<String, String> entity = QuotaEntities.decode(e.getKey());
        String user = entity.getOrDefault(QuotaEntities.USER, "");
        String client = entity.getOrDefault(QuotaEntities.CLIENT_ID, "");
        visitor.visit(m, user == null ? "" : user, client == null ? "" : client, e.getValue());
      }
    }
  }
}
