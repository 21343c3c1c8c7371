package dev.ferry.telemetry;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.Uuid;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ferry's built-in telemetry receiver: pushed client metrics appear on the broker's Prometheus
 * endpoint next to its own. Per client instance it counts pushes and payload bytes and keeps each
 * pushed gauge and sum as {@code ferry_client_metric{client_instance_id, client_id, name}}: a
 * gauge's latest value, a delta sum accumulated into a running total, a cumulative sum's latest
 * total (a metric's data points, e.g. per node or topic, are added up). An instance's series go
 * when it expires. A payload that does not decode is counted and otherwise accepted, as the push
 * itself was valid.
 */
public final class PrometheusTelemetryReceiver implements TelemetryReceiver {

  private static final Logger log = LoggerFactory.getLogger(PrometheusTelemetryReceiver.class);

  /** What this broker holds about one client instance. */
  public static final class ClientSeries {
    private final ClientAttributes client;
    private final AtomicLong pushes = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final Map<String, Double> values = new TreeMap<>();
    private volatile List<String> lastPushNames = List.of();
    private final java.util.ArrayDeque<Long> recentPushesMs = new java.util.ArrayDeque<>();

    ClientSeries(ClientAttributes client) {
      this.client = client;
    }

    public ClientAttributes client() {
      return client;
    }

    public long pushes() {
      return pushes.get();
    }

    /** The metric names of the latest push that had metrics. */
    public List<String> lastPushNames() {
      return lastPushNames;
    }

    /** When the latest pushes (up to {@value #RECENT_PUSHES}) arrived, oldest first. */
    public synchronized List<Long> recentPushesMs() {
      return List.copyOf(recentPushesMs);
    }

    synchronized void pushedAt(long ms) {
      recentPushesMs.addLast(ms);
      if (recentPushesMs.size() > RECENT_PUSHES) {
        recentPushesMs.removeFirst();
      }
    }

    synchronized long lastPushMs() {
      return recentPushesMs.isEmpty() ? 0 : recentPushesMs.getLast();
    }

    /** Current value of each pushed gauge and sum, by metric name. */
    public synchronized Map<String, Double> values() {
      return new TreeMap<>(values);
    }

    synchronized void apply(List<OtlpMetrics.Metric> metrics) {
      for (OtlpMetrics.Metric m : metrics) {
        switch (m.kind()) {
          case GAUGE, CUMULATIVE_SUM -> values.put(m.name(), m.value());
          case DELTA_SUM -> values.merge(m.name(), m.value(), Double::sum);
          case OTHER -> {
            // Named only.
          }
        }
      }
      lastPushNames = metrics.stream().map(OtlpMetrics.Metric::name).toList();
    }
  }

  private static final int RECENT_PUSHES = 8;

  private final Map<Uuid, ClientSeries> clients = new ConcurrentHashMap<>();
  private final AtomicLong undecodable = new AtomicLong();

  @Override
  public void receive(Push push) {
    ClientSeries series =
        clients.computeIfAbsent(
            push.client().clientInstanceId(), id -> new ClientSeries(push.client()));
    series.pushes.incrementAndGet();
    series.pushedAt(push.receivedMs());
    series.bytes.addAndGet(push.payload().length);
    try {
      series.apply(
          OtlpMetrics.decode(OtlpMetrics.decompress(push.payload(), push.compressionType())));
    } catch (IOException | RuntimeException e) {
      undecodable.incrementAndGet();
      log.debug(
          "Undecodable telemetry from client instance {}: {}",
          push.client().clientInstanceId(),
          e.toString());
    }
  }

  @Override
  public void expired(ClientAttributes client) {
    clients.remove(client.clientInstanceId());
  }

  /** The series of a client instance, if it pushed (tests). */
  public ClientSeries client(Uuid clientInstanceId) {
    return clients.get(clientInstanceId);
  }

  /** Every client instance that pushed, by id. */
  public Map<Uuid, ClientSeries> clients() {
    return Map.copyOf(clients);
  }

  /** Publishes the series on {@code registry}, read at scrape time. */
  public void register(PrometheusRegistry registry) {
    CounterWithCallback.builder()
        .name("ferry_client_telemetry_pushes_total")
        .help("Accepted client telemetry pushes (KIP-714), by client instance")
        .labelNames("client_instance_id", "client_id")
        .callback(
            cb ->
                clients.forEach(
                    (id, s) ->
                        cb.call(s.pushes.get(), id.toString(), nonNull(s.client.clientId()))))
        .register(registry);
    CounterWithCallback.builder()
        .name("ferry_client_telemetry_bytes_total")
        .help("Payload bytes of accepted client telemetry pushes, as sent, by client instance")
        .labelNames("client_instance_id", "client_id")
        .callback(
            cb ->
                clients.forEach(
                    (id, s) -> cb.call(s.bytes.get(), id.toString(), nonNull(s.client.clientId()))))
        .register(registry);
    GaugeWithCallback.builder()
        .name("ferry_client_telemetry_last_push_timestamp_seconds")
        .help("When a client instance's latest accepted telemetry push arrived")
        .labelNames("client_instance_id", "client_id")
        .callback(
            cb ->
                clients.forEach(
                    (id, s) ->
                        cb.call(
                            s.lastPushMs() / 1000.0, id.toString(), nonNull(s.client.clientId()))))
        .register(registry);
    CounterWithCallback.builder()
        .name("ferry_client_telemetry_undecodable_total")
        .help("Accepted telemetry pushes whose OTLP payload could not be read")
        .callback(cb -> cb.call(undecodable.get()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("ferry_client_metric")
        .help(
            "A client's pushed metric (KIP-714): latest gauge value or running sum, over the"
                + " metric's data points")
        .labelNames("client_instance_id", "client_id", "name")
        .callback(
            cb ->
                clients.forEach(
                    (id, s) ->
                        s.values()
                            .forEach(
                                (name, v) ->
                                    cb.call(v, id.toString(), nonNull(s.client.clientId()), name))))
        .register(registry);
  }

  private static String nonNull(String s) {
    return s == null ? "" : s;
  }
}
