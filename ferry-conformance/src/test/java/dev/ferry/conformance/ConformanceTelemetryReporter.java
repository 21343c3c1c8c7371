package dev.ferry.conformance;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.metrics.KafkaMetric;
import org.apache.kafka.common.metrics.MetricsReporter;
import org.apache.kafka.server.telemetry.ClientTelemetryExporter;
import org.apache.kafka.server.telemetry.ClientTelemetryExporterProvider;

/**
 * A metrics reporter for the Kafka reference that accepts client telemetry and drops it. Kafka
 * advertises GetTelemetrySubscriptions and PushTelemetry (KIP-714) only when such a plugin is
 * configured; Ferry always has its receiver (pushed metrics on its Prometheus endpoint), so the
 * reference is configured like a Kafka broker with client metrics turned on.
 */
public final class ConformanceTelemetryReporter
    implements MetricsReporter, ClientTelemetryExporterProvider {

  @Override
  public ClientTelemetryExporter clientTelemetryExporter() {
    return (context, payload) -> {};
  }

  @Override
  public void init(List<KafkaMetric> metrics) {}

  @Override
  public void metricChange(KafkaMetric metric) {}

  @Override
  public void metricRemoval(KafkaMetric metric) {}

  @Override
  public void close() {}

  @Override
  public void configure(Map<String, ?> configs) {}
}
