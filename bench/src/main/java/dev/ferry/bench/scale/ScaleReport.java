package dev.ferry.bench.scale;

import dev.ferry.bench.report.Charts;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * The scale report: per figure, Kafka's and Ferry's medians over rounds at each scale, the ratio,
 * and each system's growth from 100 to 10,000 partitions; one PNG chart per curve (single broker),
 * the cluster in a table of its own; every run with its load average.
 */
final class ScaleReport {

  static final String KAFKA = "kafka";
  static final String FERRY = "ferry";

  /** One figure of the tables and charts. */
  record Measure(
      String key,
      String label,
      String unit,
      boolean higherIsBetter,
      ToDoubleFunction<ScalePoint> value) {}

  static final List<Measure> SINGLE =
      List.of(
          new Measure("create", "create topic → all served", "ms", false, p -> p.createServedMs),
          new Measure("create-cpu", "create topic, broker CPU", "ms", false, p -> p.createCpuMs),
          new Measure("metadata", "Metadata p50", "µs", false, p -> p.metadataP50Us),
          new Measure("metadata-cpu", "Metadata, broker CPU", "µs", false, p -> p.metadataCpuUs),
          new Measure(
              "throughput", "produce throughput", "records/s", true, p -> p.produceRecordsPerSec),
          new Measure(
              "produce-cpu",
              "produce, broker CPU",
              "µs/record",
              false,
              p -> p.produceCpuUsPerRecord),
          new Measure("rss", "RSS after produce", "MB", false, p -> p.rssMb),
          new Measure("restart", "clean restart → all served", "ms", false, p -> p.restartMs),
          new Measure("restart-cpu", "restart, broker CPU", "ms", false, p -> p.restartCpuMs));

  static final List<Measure> CLUSTER =
      List.of(
          new Measure(
              "create", "create topic → full ISR, served", "ms", false, p -> p.createServedMs),
          new Measure(
              "create-cpu", "create topic, CPU of all processes", "ms", false, p -> p.createCpuMs),
          new Measure(
              "create-zk-cpu",
              "… of which ZooKeeper",
              "ms",
              false,
              p -> p.createMetadataStoreCpuMs),
          new Measure("metadata", "Metadata p50", "µs", false, p -> p.metadataP50Us),
          new Measure("metadata-cpu", "Metadata, broker CPU", "µs", false, p -> p.metadataCpuUs),
          new Measure(
              "throughput", "produce throughput", "records/s", true, p -> p.produceRecordsPerSec),
          new Measure(
              "produce-cpu",
              "produce, CPU of all processes",
              "µs/record",
              false,
              p -> p.produceCpuUsPerRecord),
          new Measure("rss", "RSS, all processes", "MB", false, p -> p.rssMb),
          new Measure(
              "failover-first", "SIGKILL → first new leader", "ms", false, p -> p.failoverFirstMs),
          new Measure(
              "failover",
              "SIGKILL → all its partitions re-led",
              "ms",
              false,
              p -> p.failoverAllMs));

  private ScaleReport() {}

  static double median(List<ScalePoint> points, ToDoubleFunction<ScalePoint> value) {
    double[] v =
        points.stream().mapToDouble(value).filter(d -> !Double.isNaN(d)).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  static List<ScalePoint> select(
      List<ScalePoint> all, String layout, String system, int partitions) {
    List<ScalePoint> out = new ArrayList<>();
    for (ScalePoint p : all) {
      if (p.layout.equals(layout) && p.system.equals(system) && p.partitions == partitions) {
        out.add(p);
      }
    }
    return out;
  }

  static TreeSet<Integer> scales(List<ScalePoint> all, String layout) {
    TreeSet<Integer> scales = new TreeSet<>();
    all.stream().filter(p -> p.layout.equals(layout)).forEach(p -> scales.add(p.partitions));
    return scales;
  }

  /** Writes one chart per single-broker measure into {@code dir}; returns the file names. */
  static List<String> charts(Path dir, List<ScalePoint> all) throws IOException {
    List<String> written = new ArrayList<>();
    for (Measure m : SINGLE) {
      Map<String, SortedMap<Double, Double>> curves = new LinkedHashMap<>();
      for (String system : List.of(KAFKA, FERRY)) {
        SortedMap<Double, Double> curve = new TreeMap<>();
        for (int scale : scales(all, "single")) {
          double v = median(select(all, "single", system, scale), m.value());
          if (!Double.isNaN(v) && v > 0) {
            curve.put((double) scale, v);
          }
        }
        curves.put(system, curve);
      }
      String file = "scale-" + m.key() + ".png";
      if (Charts.curves(
          dir.resolve(file),
          m.label() + " vs partitions (one broker, median of rounds)",
          "partitions on the broker",
          m.label() + " (" + m.unit() + ")",
          curves)) {
        written.add(file);
      }
    }
    return written;
  }

  /** The Markdown tables: one per layout, one row per measure and scale. */
  static String tables(List<ScalePoint> all) {
    StringBuilder md = new StringBuilder();
    if (!scales(all, "single").isEmpty()) {
      md.append("## One broker\n\n");
      table(md, all, "single", SINGLE);
      growth(md, all);
    }
    if (!scales(all, "cluster").isEmpty()) {
      md.append("## Three brokers, replication factor 3\n\n");
      table(md, all, "cluster", CLUSTER);
    }
    md.append("## Every run\n\n");
    md.append(
        "| layout | system | round | partitions | load before → after | create ms (answered)"
            + " | Metadata p50 / p99 µs | records/s | RSS MB idle → after | restart ms |"
            + " failover first / all ms (led) | note |\n");
    md.append("|---|---|---:|---:|---|---|---|---:|---|---:|---|---|\n");
    for (ScalePoint p : all) {
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %d | %,d | %.1f → %.1f | %,.0f (%,.0f) | %,.0f / %,.0f | %,.0f |"
                  + " %,.0f → %,.0f | %,.0f | %,.0f / %,.0f (%d) | %s |%n",
              p.layout,
              p.system,
              p.round,
              p.partitions,
              p.loadBefore,
              p.loadAfter,
              p.createServedMs,
              p.createAnsweredMs,
              p.metadataP50Us,
              p.metadataP99Us,
              p.produceRecordsPerSec,
              p.rssIdleMb,
              p.rssMb,
              p.restartMs,
              p.failoverFirstMs,
              p.failoverAllMs,
              p.failoverLedByVictim,
              p.note.replace('|', '/')));
    }
    return md.toString().replace("NaN", "–");
  }

  private static void table(
      StringBuilder md, List<ScalePoint> all, String layout, List<Measure> measures) {
    TreeSet<Integer> scales = scales(all, layout);
    md.append("| measure | partitions | Kafka | Ferry | Ferry / Kafka |\n");
    md.append("|---|---:|---:|---:|---:|\n");
    for (Measure m : measures) {
      for (int scale : scales) {
        double k = median(select(all, layout, KAFKA, scale), m.value());
        double f = median(select(all, layout, FERRY, scale), m.value());
        md.append(
            String.format(
                Locale.ROOT,
                "| %s (%s) | %,d | %s | %s | %s |%n",
                m.label(),
                m.unit(),
                scale,
                number(k),
                number(f),
                ratio(f, k, m.higherIsBetter())));
      }
    }
    md.append('\n');
  }

  /** Each system's figure at 10,000 partitions over its figure at 100: how steeply it grows. */
  private static void growth(StringBuilder md, List<ScalePoint> all) {
    TreeSet<Integer> scales = scales(all, "single");
    if (!scales.contains(100) || scales.last() <= 100) {
      return;
    }
    int top = scales.last();
    md.append(
        String.format(
            Locale.ROOT,
            "Growth from 100 to %,d partitions (figure at %,d / figure at 100; for throughput,"
                + " a fall shows as < 1):%n%n",
            top,
            top));
    md.append("| measure | Kafka | Ferry | Ferry no steeper |\n|---|---:|---:|---|\n");
    for (Measure m : SINGLE) {
      double k = growth(all, KAFKA, m, top);
      double f = growth(all, FERRY, m, top);
      boolean ok = m.higherIsBetter() ? f >= k : f <= k;
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %s× | %s× | %s |%n",
              m.label(),
              number2(k),
              number2(f),
              Double.isNaN(k) || Double.isNaN(f) ? "–" : ok ? "yes" : "**no**"));
    }
    md.append('\n');
  }

  private static double growth(List<ScalePoint> all, String system, Measure m, int top) {
    double low = median(select(all, "single", system, 100), m.value());
    double high = median(select(all, "single", system, top), m.value());
    return high / low;
  }

  private static String ratio(double ferry, double kafka, boolean higherIsBetter) {
    if (Double.isNaN(ferry) || Double.isNaN(kafka) || kafka == 0) {
      return "–";
    }
    double r = ferry / kafka;
    boolean meets = higherIsBetter ? r >= 1 : r <= 1;
    String text = String.format(Locale.ROOT, "%.2f×", r);
    return meets ? text : "**" + text + "**";
  }

  private static String number(double v) {
    if (Double.isNaN(v)) {
      return "–";
    }
    return Math.abs(v) >= 100
        ? String.format(Locale.ROOT, "%,.0f", v)
        : String.format(Locale.ROOT, "%.1f", v);
  }

  private static String number2(double v) {
    return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.2f", v);
  }
}
