package dev.ferry.metrics;

import dev.ferry.network.NetworkMetrics;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import java.util.Collection;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * {@link NetworkMetrics} backed by Prometheus series: requests and their latency per API, bytes in
 * and out, connections.
 *
 * <p>Per-API data points are created once, up front, for the APIs the broker serves and kept in an
 * array indexed by API key, so recording a request is an index plus two lock-free increments. A
 * request for any other API (the broker answers it with an error) is recorded under {@code
 * api="other"}.
 */
public final class RequestMetrics implements NetworkMetrics {

  /** Latency buckets in seconds: 100 µs to 30 s, covering a cached fetch to a long poll. */
  private static final double[] LATENCY_BUCKETS = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    30
  };

  static final String OTHER_API = "other";

  private final CounterDataPoint[] requestsByApi;
  private final DistributionDataPoint[] latencyByApi;
  private final CounterDataPoint otherRequests;
  private final DistributionDataPoint otherLatency;

  private final Counter bytesReceived;
  private final Counter bytesSent;
  private final Gauge connections;
  private final Counter connectionsOpened;
  private final Counter connectionsRejected;
  private final Counter invalidRequests;
  private final Counter authentications;
  private final Counter failedAuthentications;

  /**
   * Registers the series in {@code registry}.
   *
   * @param apis the APIs the broker serves; each gets its own series from the start
   */
  public RequestMetrics(PrometheusRegistry registry, Collection<ApiKeys> apis) {
    Counter requests =
        Counter.builder()
            .name("ferry_requests_total")
            .help("Requests completed (response written, or none due), by API")
            .labelNames("api")
            .register(registry);
    Histogram latency =
        Histogram.builder()
            .name("ferry_request_latency_seconds")
            .help("Time from a request fully read to its response fully written, by API")
            .unit(Unit.SECONDS)
            .labelNames("api")
            .classicOnly()
            .classicUpperBounds(LATENCY_BUCKETS)
            .register(registry);
    int maxId = 0;
    for (ApiKeys k : ApiKeys.values()) {
      maxId = Math.max(maxId, k.id);
    }
    requestsByApi = new CounterDataPoint[maxId + 1];
    latencyByApi = new DistributionDataPoint[maxId + 1];
    for (ApiKeys k : apis) {
      requestsByApi[k.id] = requests.labelValues(k.name);
      latencyByApi[k.id] = latency.labelValues(k.name);
    }
    otherRequests = requests.labelValues(OTHER_API);
    otherLatency = latency.labelValues(OTHER_API);

    bytesReceived =
        Counter.builder()
            .name("ferry_network_received_bytes_total")
            .help("Bytes read from client sockets")
            .register(registry);
    bytesSent =
        Counter.builder()
            .name("ferry_network_sent_bytes_total")
            .help("Bytes written to client sockets, including zero-copy file transfers")
            .register(registry);
    connections =
        Gauge.builder()
            .name("ferry_network_connections")
            .help("Open client connections")
            .register(registry);
    connectionsOpened =
        Counter.builder()
            .name("ferry_network_connections_opened_total")
            .help("Client connections accepted")
            .register(registry);
    connectionsRejected =
        Counter.builder()
            .name("ferry_network_connections_rejected_total")
            .help("Client connections refused because max.connections was reached")
            .register(registry);
    invalidRequests =
        Counter.builder()
            .name("ferry_network_invalid_requests_total")
            .help("Connections closed because a frame could not be parsed as a request")
            .register(registry);
    authentications =
        Counter.builder()
            .name("ferry_network_successful_authentications_total")
            .help("Successful SASL authentications and re-authentications")
            .register(registry);
    failedAuthentications =
        Counter.builder()
            .name("ferry_network_failed_authentications_total")
            .help("Failed TLS handshakes and SASL authentications (connections closed)")
            .register(registry);
  }

  @Override
  public void authenticationSucceeded() {
    authentications.inc();
  }

  @Override
  public void authenticationFailed() {
    failedAuthentications.inc();
  }

  @Override
  public void connectionOpened() {
    connectionsOpened.inc();
    connections.inc();
  }

  @Override
  public void connectionClosed() {
    connections.dec();
  }

  @Override
  public void connectionRejected() {
    connectionsRejected.inc();
  }

  @Override
  public void invalidRequest() {
    invalidRequests.inc();
  }

  @Override
  public void bytesReceived(long bytes) {
    bytesReceived.inc(bytes);
  }

  @Override
  public void bytesSent(long bytes) {
    bytesSent.inc(bytes);
  }

  @Override
  public void requestCompleted(ApiKeys apiKey, long latencyNanos) {
    int id = apiKey.id;
    CounterDataPoint count = id >= 0 && id < requestsByApi.length ? requestsByApi[id] : null;
    if (count != null) {
      count.inc();
      latencyByApi[id].observe(latencyNanos / 1e9);
    } else {
      otherRequests.inc();
      otherLatency.observe(latencyNanos / 1e9);
    }
  }
}
