package dev.ferry.telemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.ByteBufferOutputStream;
import org.apache.kafka.shaded.io.opentelemetry.proto.common.v1.AnyValue;
import org.apache.kafka.shaded.io.opentelemetry.proto.common.v1.KeyValue;
import org.apache.kafka.shaded.io.opentelemetry.proto.metrics.v1.AggregationTemporality;
import org.apache.kafka.shaded.io.opentelemetry.proto.metrics.v1.Gauge;
import org.apache.kafka.shaded.io.opentelemetry.proto.metrics.v1.Histogram;
import org.apache.kafka.shaded.io.opentelemetry.proto.metrics.v1.HistogramDataPoint;
import org.apache.kafka.shaded.io.opentelemetry.proto.metrics.v1.Metric;
import org.apache.kafka.shaded.io.opentelemetry.proto.metrics.v1.MetricsData;
import org.apache.kafka.shaded.io.opentelemetry.proto.metrics.v1.NumberDataPoint;
import org.apache.kafka.shaded.io.opentelemetry.proto.metrics.v1.ResourceMetrics;
import org.apache.kafka.shaded.io.opentelemetry.proto.metrics.v1.ScopeMetrics;
import org.apache.kafka.shaded.io.opentelemetry.proto.metrics.v1.Sum;
import org.apache.kafka.shaded.io.opentelemetry.proto.resource.v1.Resource;
import org.junit.jupiter.api.Test;

/**
 * The minimal OTLP reader against messages built with the OpenTelemetry protobuf classes the Kafka
 * client itself uses (shaded in kafka-clients), compressed as a client compresses them.
 */
class OtlpMetricsTest {

  @Test
  void namesAndValuesOfGaugesAndSumsSkippingEverythingElse() throws Exception {
    KeyValue node =
        KeyValue.newBuilder()
            .setKey("node_id")
            .setValue(AnyValue.newBuilder().setStringValue("1"))
            .build();
    MetricsData data =
        MetricsData.newBuilder()
            .addResourceMetrics(
                ResourceMetrics.newBuilder()
                    .setResource(Resource.newBuilder().addAttributes(node))
                    .addScopeMetrics(
                        ScopeMetrics.newBuilder()
                            .addMetrics(
                                Metric.newBuilder()
                                    .setName("org.apache.kafka.producer.record.queue.time.avg")
                                    .setUnit("ms")
                                    .setGauge(
                                        Gauge.newBuilder()
                                            .addDataPoints(
                                                NumberDataPoint.newBuilder()
                                                    .setTimeUnixNano(5)
                                                    .addAttributes(node)
                                                    .setAsDouble(2.5))
                                            .addDataPoints(
                                                NumberDataPoint.newBuilder().setAsDouble(1.0))))
                            .addMetrics(
                                Metric.newBuilder()
                                    .setName("org.apache.kafka.producer.record.send.total")
                                    .setSum(
                                        Sum.newBuilder()
                                            .setAggregationTemporality(
                                                AggregationTemporality
                                                    .AGGREGATION_TEMPORALITY_DELTA)
                                            .setIsMonotonic(true)
                                            .addDataPoints(
                                                NumberDataPoint.newBuilder().setAsInt(-3))
                                            .addDataPoints(
                                                NumberDataPoint.newBuilder().setAsInt(10))))
                            .addMetrics(
                                Metric.newBuilder()
                                    .setName("org.apache.kafka.producer.latency")
                                    .setHistogram(
                                        Histogram.newBuilder()
                                            .addDataPoints(
                                                HistogramDataPoint.newBuilder()
                                                    .setCount(4)
                                                    .setSum(8))))))
            .build();

    for (CompressionType type : CompressionType.values()) {
      byte[] payload = compress(data.toByteArray(), type);
      List<OtlpMetrics.Metric> metrics =
          OtlpMetrics.decode(OtlpMetrics.decompress(payload, type.id));
      assertThat(metrics)
          .as(type.name)
          .containsExactly(
              new OtlpMetrics.Metric(
                  "org.apache.kafka.producer.record.queue.time.avg", OtlpMetrics.Kind.GAUGE, 3.5),
              new OtlpMetrics.Metric(
                  "org.apache.kafka.producer.record.send.total", OtlpMetrics.Kind.DELTA_SUM, 7.0),
              new OtlpMetrics.Metric(
                  "org.apache.kafka.producer.latency", OtlpMetrics.Kind.OTHER, Double.NaN));
    }
  }

  @Test
  void aTruncatedMessageIsRefused() {
    byte[] good =
        MetricsData.newBuilder()
            .addResourceMetrics(
                ResourceMetrics.newBuilder()
                    .addScopeMetrics(
                        ScopeMetrics.newBuilder().addMetrics(Metric.newBuilder().setName("m"))))
            .build()
            .toByteArray();
    byte[] truncated = java.util.Arrays.copyOf(good, good.length - 1);
    assertThatThrownBy(() -> OtlpMetrics.decode(truncated))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static byte[] compress(byte[] raw, CompressionType type) throws Exception {
    if (type == CompressionType.NONE) {
      return raw;
    }
    ByteBufferOutputStream buffer = new ByteBufferOutputStream(raw.length);
    try (java.io.OutputStream out =
        Compression.of(type).build().wrapForOutput(buffer, RecordBatch.CURRENT_MAGIC_VALUE)) {
      out.write(raw);
    }
    java.nio.ByteBuffer b = buffer.buffer();
    b.flip();
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }
}
