package dev.ferry.bench.report;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.SortedMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.HdrHistogram.Histogram;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/** PNG charts for the report: throughput and CPU bars, latency percentile curves. */
public final class Charts {

  private static final int WIDTH = 900;
  private static final int HEIGHT = 520;
  private static final Color KAFKA_COLOR = new Color(0x7f, 0x9c, 0xc4);
  private static final Color FERRY_COLOR = new Color(0xf2, 0xa6, 0x5a);

  /** XChart's tick layout can loop on odd data; no chart may hold up the report for long. */
  private static final long CHART_TIMEOUT_SECONDS = 60;

  /** On the "nines" axis, x = -log10(1 - p); the maximum is drawn at this x. */
  private static final double MAX_X = 5;

  /** Percentiles plotted on the latency curves; the last point is the maximum. */
  private static final double[] PERCENTILES = {
    0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 92.5, 95, 96, 97, 98, 99, 99.5, 99.75, 99.9,
    99.95, 99.99
  };

  private Charts() {}

  /** Writes every chart that has data; returns their file names. */
  public static List<String> writeAll(Path dir, Summary summary, List<String> targets)
      throws IOException, InterruptedException {
    ExecutorService executor =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "bench-charts");
              t.setDaemon(true);
              return t;
            });
    try {
      Future<List<String>> charts = executor.submit(() -> draw(dir, summary, targets));
      return charts.get(CHART_TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new IOException("drawing charts failed", e.getCause());
    } catch (TimeoutException e) {
      throw new IOException("drawing charts took over " + CHART_TIMEOUT_SECONDS + " s; skipped");
    } finally {
      executor.shutdownNow();
    }
  }

  private static List<String> draw(Path dir, Summary summary, List<String> targets)
      throws IOException {
    List<String> written = new ArrayList<>();
    if (bars(
        dir.resolve("throughput.png"),
        "Throughput (median over rounds)",
        "messages per second",
        summary,
        targets,
        List.of("Batch of 1", "Batch of 50", "Consumer", "Modern 1 KB", "Cluster RF 3"),
        List.of(
            Figure.B1_MSGS,
            Figure.B50_MSGS,
            Figure.CONS_MSGS,
            Figure.MOD_MSGS,
            Figure.CLUSTER_MSGS))) {
      written.add("throughput.png");
    }
    if (bars(
        dir.resolve("broker-cpu.png"),
        "Broker CPU per message (median over rounds, lower is better)",
        "CPU µs per message",
        summary,
        targets,
        List.of(
            "Batch of 1",
            "Batch of 50",
            "Consumer",
            "Modern 1 KB",
            "E2E high",
            "E2E low",
            "Cluster RF 3"),
        List.of(
            Figure.B1_CPU,
            Figure.B50_CPU,
            Figure.CONS_CPU,
            Figure.MOD_CPU,
            Figure.E2E_HIGH_CPU,
            Figure.E2E_LOW_CPU,
            Figure.CLUSTER_CPU))) {
      written.add("broker-cpu.png");
    }
    for (String load : List.of("high", "low")) {
      String file = "latency-" + load + ".png";
      Figure rate = load.equals("high") ? Figure.E2E_HIGH_RATE : Figure.E2E_LOW_RATE;
      if (latency(dir.resolve(file), load, rate, summary, targets)) {
        written.add(file);
      }
    }
    return written;
  }

  /** Bar groups without a value for any target (a workload not run) are left out. */
  private static boolean bars(
      Path file,
      String title,
      String yTitle,
      Summary summary,
      List<String> targets,
      List<String> allCategories,
      List<Figure> allFigures)
      throws IOException {
    List<String> categories = new ArrayList<>();
    List<Figure> figures = new ArrayList<>();
    for (int i = 0; i < allFigures.size(); i++) {
      Figure figure = allFigures.get(i);
      if (targets.stream().anyMatch(t -> summary.median(t, figure).isPresent())) {
        categories.add(allCategories.get(i));
        figures.add(figure);
      }
    }
    if (figures.isEmpty()) {
      return false;
    }
    CategoryChart chart =
        new CategoryChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .yAxisTitle(yTitle)
            .build();
    style(chart.getStyler());
    chart.getStyler().setLabelsVisible(true);
    chart.getStyler().setLabelsFontColorAutomaticEnabled(false);
    chart.getStyler().setLabelsFontColor(Color.DARK_GRAY);
    chart.getStyler().setYAxisDecimalPattern("#,###");
    boolean any = false;
    for (String target : targets) {
      List<Double> values = new ArrayList<>();
      boolean has = false;
      for (Figure figure : figures) {
        OptionalDouble median = summary.median(target, figure);
        values.add(median.orElse(0));
        has |= median.isPresent();
      }
      if (has) {
        chart.addSeries(capitalized(target), categories, values).setFillColor(color(target));
        any = true;
      }
    }
    if (any) {
      BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
    return any;
  }

  private static boolean latency(
      Path file, String load, Figure rate, Summary summary, List<String> targets)
      throws IOException {
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title(load, rate, summary, targets))
            .xAxisTitle("percentile")
            .yAxisTitle("end-to-end latency (ms)")
            .build();
    style(chart.getStyler());
    chart.getStyler().setxAxisTickLabelsFormattingFunction(Charts::percentileLabel);
    chart.getStyler().setXAxisMin(0.0);
    chart.getStyler().setXAxisMax(MAX_X);
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    boolean any = false;
    for (String target : targets) {
      Histogram h = summary.mergedLatency(target, load);
      if (h == null || h.getTotalCount() == 0) {
        continue;
      }
      double[] x = new double[PERCENTILES.length + 1];
      double[] y = new double[PERCENTILES.length + 1];
      for (int i = 0; i < PERCENTILES.length; i++) {
        x[i] = -Math.log10(1 - PERCENTILES[i] / 100);
        y[i] = h.getValueAtPercentile(PERCENTILES[i]) / 1000.0;
      }
      // The maximum sits one "nine" past 99.99%.
      x[PERCENTILES.length] = MAX_X;
      y[PERCENTILES.length] = h.getMaxValue() / 1000.0;
      XYSeries series =
          chart.addSeries(
              String.format(
                  Locale.ROOT, "%s (%,d messages)", capitalized(target), h.getTotalCount()),
              x,
              y);
      series.setLineColor(color(target));
      series.setMarkerColor(color(target));
      series.setMarker(SeriesMarkers.CIRCLE);
      any = true;
    }
    if (any) {
      BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
    return any;
  }

  /**
   * One curve per target over a log x axis (e.g. figure vs partitions), points marked; a target
   * whose map is empty is left out. The y axis is logarithmic when the values span over two
   * decades.
   *
   * @param points per target ("kafka", "ferry"): x to y, x ascending
   * @return whether a chart was written
   */
  public static boolean curves(
      Path file,
      String title,
      String xTitle,
      String yTitle,
      Map<String, SortedMap<Double, Double>> points)
      throws IOException {
    XYChart chart =
        new XYChartBuilder()
            .width(WIDTH)
            .height(HEIGHT)
            .title(title)
            .xAxisTitle(xTitle)
            .yAxisTitle(yTitle)
            .build();
    style(chart.getStyler());
    chart.getStyler().setXAxisLogarithmic(true);
    chart.getStyler().setXAxisDecimalPattern("#,###");
    chart.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
    double min = Double.MAX_VALUE;
    double max = 0;
    for (SortedMap<Double, Double> curve : points.values()) {
      for (double y : curve.values()) {
        min = Math.min(min, y);
        max = Math.max(max, y);
      }
    }
    boolean logY = min > 0 && max / min > 100;
    chart.getStyler().setYAxisLogarithmic(logY);
    chart.getStyler().setYAxisDecimalPattern(max >= 100 ? "#,###" : "#,##0.##");
    boolean any = false;
    for (Map.Entry<String, SortedMap<Double, Double>> e : points.entrySet()) {
      SortedMap<Double, Double> curve = e.getValue();
      if (curve.isEmpty()) {
        continue;
      }
      double[] x = curve.keySet().stream().mapToDouble(Double::doubleValue).toArray();
      double[] y = curve.values().stream().mapToDouble(Double::doubleValue).toArray();
      XYSeries series = chart.addSeries(capitalized(e.getKey()), x, y);
      series.setLineColor(color(e.getKey()));
      series.setMarkerColor(color(e.getKey()));
      series.setMarker(SeriesMarkers.CIRCLE);
      any = true;
    }
    if (any) {
      BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
    return any;
  }

  private static String title(String load, Figure rate, Summary summary, List<String> targets) {
    OptionalDouble offered = summary.median(targets.get(0), rate);
    String rateText =
        offered.isPresent()
            ? String.format(Locale.ROOT, " at %,.0f msg/s", offered.getAsDouble())
            : "";
    return "End-to-end latency, " + load + " load" + rateText + " (all rounds merged)";
  }

  /**
   * Tick label on the "nines" axis, x = -log10(1 - p/100): 1 → 90%, 2 → 99%, 3 → 99.9%. Distinct x
   * must give distinct labels, or XChart's tick layout never settles.
   */
  static String percentileLabel(double x) {
    if (Math.abs(x - MAX_X) < 1e-9) {
      return "max";
    }
    double p = 100 * (1 - Math.pow(10, -x));
    int decimals = Math.max(0, (int) Math.ceil(x - 2)) + 1;
    String text = String.format(Locale.ROOT, "%." + decimals + "f", p);
    if (text.contains(".")) {
      text = text.replaceAll("0+$", "").replaceAll("\\.$", "");
    }
    return text + "%";
  }

  private static void style(Styler styler) {
    styler.setChartBackgroundColor(Color.WHITE);
    styler.setPlotBackgroundColor(Color.WHITE);
    styler.setLegendPosition(Styler.LegendPosition.InsideNW);
    styler.setAntiAlias(true);
  }

  private static Color color(String target) {
    return target.equals("kafka") ? KAFKA_COLOR : FERRY_COLOR;
  }

  private static String capitalized(String target) {
    return Character.toUpperCase(target.charAt(0)) + target.substring(1);
  }
}
