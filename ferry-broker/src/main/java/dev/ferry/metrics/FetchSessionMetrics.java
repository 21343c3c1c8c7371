package dev.ferry.metrics;

import dev.ferry.server.fetch.FetchSessionCache;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Incremental fetch sessions (KIP-227), read at scrape time: Kafka's FetchSessionCache metrics
 * (sessions, partitions cached, evictions) and the fetches answered by kind, which shows whether
 * clients fetch incrementally.
 */
final class FetchSessionMetrics {

  private FetchSessionMetrics() {}

  static void register(PrometheusRegistry registry, FetchSessionCache sessions) {
    GaugeWithCallback.builder()
        .name("ferry_fetch_sessions")
        .help("Incremental fetch sessions held (max.incremental.fetch.session.cache.slots)")
        .callback(cb -> cb.call(sessions.sessions()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("ferry_fetch_session_partitions")
        .help("Partitions held by all incremental fetch sessions")
        .callback(cb -> cb.call(sessions.partitions()))
        .register(registry);
    CounterWithCallback.builder()
        .name("ferry_fetch_session_evictions_total")
        .help("Fetch sessions evicted to make room for new ones")
        .callback(cb -> cb.call(sessions.evictions()))
        .register(registry);
    CounterWithCallback.builder()
        .name("ferry_fetch_requests_by_session_total")
        .help(
            "Fetch requests by kind: full (naming every partition), incremental (a session's"
                + " changes), or refused for an unknown session or a wrong epoch")
        .labelNames("kind")
        .callback(
            cb -> {
              cb.call(sessions.fullFetches(), "full");
              cb.call(sessions.incrementalFetches(), "incremental");
              cb.call(sessions.sessionErrors(), "session_error");
            })
        .register(registry);
  }
}
