package dev.ferry.telemetry;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.internals.BufferSupplier;

/**
 * A minimal reader of the OTLP {@code MetricsData} protobuf that Kafka clients push (KIP-714):
 * metric names and, for gauges and sums, the values of their data points. Everything else (resource
 * and scope attributes, data point attributes, histograms' buckets, exemplars) is skipped; Ferry
 * needs no OpenTelemetry library for this.
 */
public final class OtlpMetrics {

  /** How a metric's data points are to be read. */
  public enum Kind {
    GAUGE,
    /** A sum whose points are changes since the previous push. */
    DELTA_SUM,
    /** A sum whose points are running totals. */
    CUMULATIVE_SUM,
    /** Histograms and summaries: named only. */
    OTHER
  }

  /** One metric of a push: the sum of its data points' values (NaN for {@link Kind#OTHER}). */
  public record Metric(String name, Kind kind, double value) {}

  private OtlpMetrics() {}

  /** The payload of a push, decompressed. */
  public static byte[] decompress(byte[] payload, byte compressionType) throws IOException {
    CompressionType type = CompressionType.forId(compressionType);
    if (type == CompressionType.NONE) {
      return payload;
    }
    try (InputStream in =
        Compression.of(type)
            .build()
            .wrapForInput(
                ByteBuffer.wrap(payload),
                RecordBatch.CURRENT_MAGIC_VALUE,
                BufferSupplier.NO_CACHING)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length * 4);
      in.transferTo(out);
      return out.toByteArray();
    }
  }

  /**
   * The metrics of an uncompressed {@code MetricsData} message.
   *
   * @throws IllegalArgumentException if it is not a well-formed protobuf message
   */
  public static List<Metric> decode(byte[] metricsData) {
    List<Metric> out = new ArrayList<>();
    Reader data = new Reader(metricsData, 0, metricsData.length);
    while (data.more()) {
      int tag = data.tag();
      if (tag == field(1, LEN)) { // resource_metrics
        Reader resource = data.message();
        while (resource.more()) {
          int t = resource.tag();
          if (t == field(2, LEN)) { // scope_metrics
            Reader scope = resource.message();
            while (scope.more()) {
              int s = scope.tag();
              if (s == field(2, LEN)) { // metrics
                out.add(metric(scope.message()));
              } else {
                scope.skip(s);
              }
            }
          } else {
            resource.skip(t);
          }
        }
      } else {
        data.skip(tag);
      }
    }
    return out;
  }

  private static Metric metric(Reader m) {
    String name = "";
    Kind kind = Kind.OTHER;
    double value = Double.NaN;
    while (m.more()) {
      int tag = m.tag();
      if (tag == field(1, LEN)) {
        name = m.string();
      } else if (tag == field(5, LEN)) { // gauge
        kind = Kind.GAUGE;
        value = points(m.message(), null);
      } else if (tag == field(7, LEN)) { // sum
        Kind[] temporality = {Kind.CUMULATIVE_SUM};
        value = points(m.message(), temporality);
        kind = temporality[0];
      } else {
        m.skip(tag);
      }
    }
    return new Metric(name, kind, value);
  }

  /** Sums the values of a Gauge's or Sum's data points; reads a Sum's temporality. */
  private static double points(Reader g, Kind[] temporality) {
    double total = 0;
    while (g.more()) {
      int tag = g.tag();
      if (tag == field(1, LEN)) { // data_points
        Reader p = g.message();
        while (p.more()) {
          int t = p.tag();
          if (t == field(4, I64)) { // as_double
            total += Double.longBitsToDouble(p.fixed64());
          } else if (t == field(6, I64)) { // as_int (sfixed64)
            total += p.fixed64();
          } else {
            p.skip(t);
          }
        }
      } else if (temporality != null && tag == field(2, VARINT)) {
        // AggregationTemporality: 1 delta, 2 cumulative.
        temporality[0] = g.varint() == 1 ? Kind.DELTA_SUM : Kind.CUMULATIVE_SUM;
      } else {
        g.skip(tag);
      }
    }
    return total;
  }

  private static final int VARINT = 0;
  private static final int I64 = 1;
  private static final int LEN = 2;
  private static final int I32 = 5;

  private static int field(int number, int wireType) {
    return number << 3 | wireType;
  }

  /** A cursor over one protobuf message within a byte array. */
  private static final class Reader {
    private final byte[] buf;
    private int pos;
    private final int end;

    Reader(byte[] buf, int pos, int end) {
      this.buf = buf;
      this.pos = pos;
      this.end = end;
    }

    boolean more() {
      return pos < end;
    }

    int tag() {
      long tag = varint();
      if (tag <= 0 || tag > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("Bad protobuf tag " + tag);
      }
      return (int) tag;
    }

    long varint() {
      long v = 0;
      for (int shift = 0; shift < 64; shift += 7) {
        byte b = next();
        v |= (long) (b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
          return v;
        }
      }
      throw new IllegalArgumentException("Protobuf varint too long");
    }

    long fixed64() {
      long v = 0;
      for (int i = 0; i < 8; i++) {
        v |= (long) (next() & 0xff) << (8 * i);
      }
      return v;
    }

    Reader message() {
      int len = length();
      Reader r = new Reader(buf, pos, pos + len);
      pos += len;
      return r;
    }

    String string() {
      int len = length();
      String s = new String(buf, pos, len, StandardCharsets.UTF_8);
      pos += len;
      return s;
    }

    void skip(int tag) {
      switch (tag & 7) {
        case VARINT -> varint();
        case I64 -> advance(8);
        case LEN -> advance(length());
        case I32 -> advance(4);
        default ->
            throw new IllegalArgumentException("Unsupported protobuf wire type " + (tag & 7));
      }
    }

    private int length() {
      long len = varint();
      if (len < 0 || len > end - pos) {
        throw new IllegalArgumentException("Protobuf length " + len + " past the message end");
      }
      return (int) len;
    }

    private void advance(int n) {
      if (n > end - pos) {
        throw new IllegalArgumentException("Protobuf field past the message end");
      }
      pos += n;
    }

    private byte next() {
      if (pos >= end) {
        throw new IllegalArgumentException("Truncated protobuf message");
      }
      return buf[pos++];
    }
  }
}
