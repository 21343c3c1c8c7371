package dev.ferry.bench.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Per-round numbers under bench/results/raw/RUN-ID/: one JSON file per broker run (figures, latency
 * percentiles, notes) and one CSV of every figure of every round, for spreadsheets.
 */
public final class RawResults {

  private static final double[] PERCENTILES = {50, 90, 99, 99.9, 99.99, 100};
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private RawResults() {}

  public static void writeRun(Path dir, RunResult run) throws IOException {
    Files.createDirectories(dir);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("target", run.target());
    json.put("round", run.round());
    json.put("phase", run.phase().isEmpty() ? "single-node" : run.phase());
    json.put("loadAverage1m", run.loadAverage());
    Map<String, Object> figures = new LinkedHashMap<>();
    run.values().forEach((figure, value) -> figures.put(figure.name(), value));
    json.put("figures", figures);
    Map<String, Object> latencies = new LinkedHashMap<>();
    for (Map.Entry<String, Histogram> e : run.latencies().entrySet()) {
      Map<String, Object> percentiles = new LinkedHashMap<>();
      percentiles.put("count", e.getValue().getTotalCount());
      for (double p : PERCENTILES) {
        percentiles.put("p" + p + "_us", e.getValue().getValueAtPercentile(p));
      }
      latencies.put(e.getKey(), percentiles);
    }
    json.put("latencyMicros", latencies);
    json.put("notes", run.notes());
    JSON.writeValue(dir.resolve(run.fileStem() + ".json").toFile(), json);
  }

  public static void writeCsv(Path dir, List<RunResult> runs) throws IOException {
    Files.createDirectories(dir);
    StringBuilder csv = new StringBuilder("target,round,figure,unit,value\n");
    for (RunResult run : runs) {
      run.values()
          .forEach(
              (figure, value) ->
                  csv.append(
                      String.format(
                          Locale.ROOT,
                          "%s,%d,%s,%s,%s%n",
                          run.target(),
                          run.round(),
                          figure.name(),
                          figure.unit(),
                          value)));
    }
    Files.writeString(dir.resolve("rounds.csv"), csv, StandardCharsets.UTF_8);
  }

  public static void writeJson(Path file, Object value) throws IOException {
    Files.createDirectories(file.getParent());
    JSON.writeValue(file.toFile(), value);
  }
}
