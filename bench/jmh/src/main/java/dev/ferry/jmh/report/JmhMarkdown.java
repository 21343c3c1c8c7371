package dev.ferry.jmh.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns a JMH JSON result file ({@code -rf json}) into the Markdown of bench/results/jmh.md: one
 * table per benchmark class, one row per method and parameter set, JMH's score and 99.9% error. A
 * secondary metric named {@code bytes} (an {@code @AuxCounters} byte count reported as a rate)
 * becomes an MB/s column and bytes per operation.
 *
 * <p>Usage: {@code JmhMarkdown <result.json> <out.md> [note ...]}; each note is printed as a line
 * under the title (the run script passes the command and the machine's load).
 */
public final class JmhMarkdown {

  /** What each benchmark class measures, in one line, for readers of the report. */
  private static final Map<String, String> ABOUT =
      Map.of(
          "AppendBenchmark",
          "`PartitionLog.append` of one prebuilt batch as leader (validation, offset assignment,"
              + " write to the page cache, index entries); 200-byte log-line records.",
          "ReadBenchmark",
          "`PartitionLog.read` of a random offset, max bytes 1 MiB, from a 256 MiB log in the page"
              + " cache; then the slice sent with `transferTo` (sendfile into /dev/null) or copied"
              + " into a direct buffer.",
          "IndexLookupBenchmark",
          "Lookup of a random key in a full 10 MiB offset index (1,310,720 entries) and time index"
              + " (873,813 entries); keys over the whole index (`uniform`, a consumer far behind)"
              + " or its newest 1,024 entries (`tail`, a caught-up consumer).",
          "BatchValidatorBenchmark",
          "`BatchValidator.validate` of one 50-record batch, and the bare CRC32C of the same bytes.",
          "CompactionBenchmark",
          "One log-cleaner pass over a compacted log of 100,000 records of 512-byte values with"
              + " random keys (about 53 MB, 48 MB of it cleanable below the active segment), all"
              + " dirty: the key map, then every segment rewritten. 1,000 keys keep about 0.3% of"
              + " the data, 100,000 keys about a third. Single shots, written afresh before each;"
              + " the CPU column counts the writing too.");

  private static final String BYTES = "bytes";
  private static final String CPU = "cpu.time.norm";

  private JmhMarkdown() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 2) {
      System.err.println("usage: JmhMarkdown <result.json> <out.md> [note ...]");
      System.exit(2);
    }
    JsonNode results = new ObjectMapper().readTree(Path.of(args[0]).toFile());
    List<String> notes = List.of(args).subList(2, args.length);
    Files.writeString(Path.of(args[1]), render(results, notes), StandardCharsets.UTF_8);
  }

  /** The whole report for the array of results JMH wrote. */
  public static String render(JsonNode results, List<String> notes) {
    StringBuilder md = new StringBuilder("# Ferry storage microbenchmarks (JMH)\n\n");
    for (String note : notes) {
      md.append(note).append("  \n");
    }
    if (results.size() > 0) {
      JsonNode first = results.get(0);
      md.append(
          String.format(
              Locale.ROOT,
              "JMH %s, %s %s; %d fork(s), warm-up %d × %s, measurement %d × %s per row. "
                  + "± is JMH's 99.9%% confidence half-width.\n",
              first.path("jmhVersion").asText(),
              first.path("vmName").asText(),
              first.path("jdkVersion").asText(),
              first.path("forks").asInt(),
              first.path("warmupIterations").asInt(),
              first.path("warmupTime").asText(),
              first.path("measurementIterations").asInt(),
              first.path("measurementTime").asText()));
    }
    for (Map.Entry<String, List<JsonNode>> group : byClass(results).entrySet()) {
      String className = group.getKey();
      md.append("\n## ").append(className).append("\n\n");
      String about = ABOUT.get(className);
      if (about != null) {
        md.append(about).append("\n\n");
      }
      boolean bytes = group.getValue().stream().anyMatch(r -> metric(r, BYTES) != null);
      boolean cpu = group.getValue().stream().anyMatch(r -> metric(r, CPU) != null);
      md.append("| benchmark | parameters | score | ± | unit |");
      md.append(cpu ? " CPU ns/op |" : "");
      md.append(bytes ? " MB/s | bytes/op |\n" : "\n");
      md.append("|---|---|---:|---:|---|");
      md.append(cpu ? "---:|" : "");
      md.append(bytes ? "---:|---:|\n" : "\n");
      for (JsonNode r : group.getValue()) {
        JsonNode primary = r.path("primaryMetric");
        double score = primary.path("score").asDouble();
        md.append("| ")
            .append(method(r.path("benchmark").asText()))
            .append(" | ")
            .append(params(r.path("params")))
            .append(" | ")
            .append(number(score))
            .append(" | ")
            .append(number(primary.path("scoreError").asDouble()))
            .append(" | ")
            .append(primary.path("scoreUnit").asText())
            .append(" |");
        if (cpu) {
          JsonNode c = metric(r, CPU);
          md.append(' ').append(c == null ? "" : number(c.path("score").asDouble())).append(" |");
        }
        if (bytes) {
          JsonNode b = metric(r, BYTES);
          if (b == null) {
            md.append(" | |");
          } else {
            double perSecond = b.path("score").asDouble() * perSecondFactor(b);
            md.append(' ')
                .append(number(perSecond / 1e6))
                .append(" | ")
                .append(number(b.path("score").asDouble() / score))
                .append(" |");
          }
        }
        md.append('\n');
      }
    }
    return md.toString();
  }

  private static Map<String, List<JsonNode>> byClass(JsonNode results) {
    Map<String, List<JsonNode>> groups = new LinkedHashMap<>();
    for (JsonNode r : results) {
      String name = r.path("benchmark").asText();
      String owner = name.substring(0, Math.max(0, name.lastIndexOf('.')));
      String simple = owner.substring(owner.lastIndexOf('.') + 1);
      groups.computeIfAbsent(simple, k -> new ArrayList<>()).add(r);
    }
    return groups;
  }

  private static String method(String benchmark) {
    return benchmark.substring(benchmark.lastIndexOf('.') + 1);
  }

  private static String params(JsonNode params) {
    List<String> parts = new ArrayList<>();
    for (Map.Entry<String, JsonNode> p : params.properties()) {
      parts.add(p.getKey() + "=" + p.getValue().asText());
    }
    return String.join(", ", parts);
  }

  /** The secondary metric whose name ends with {@code name} (JMH may prefix profiler results). */
  private static JsonNode metric(JsonNode result, String name) {
    for (Map.Entry<String, JsonNode> m : result.path("secondaryMetrics").properties()) {
      if (m.getKey().endsWith(name)) {
        return m.getValue();
      }
    }
    return null;
  }

  /** A counter reported per ms or µs (another -tu) is scaled to per second. */
  private static double perSecondFactor(JsonNode metric) {
    String unit = metric.path("scoreUnit").asText();
    if (unit.endsWith("/ms")) {
      return 1e3;
    }
    if (unit.endsWith("/us")) {
      return 1e6;
    }
    if (unit.endsWith("/ns")) {
      return 1e9;
    }
    if (unit.endsWith("/min")) {
      return 1.0 / 60;
    }
    return 1;
  }

  /** Three significant digits at least, thousands grouped: 1,234,567 / 612 / 48.7 / 3.21. */
  static String number(double v) {
    if (Double.isNaN(v)) {
      return "–";
    }
    double a = Math.abs(v);
    String format = a >= 100 ? "%,.0f" : a >= 10 ? "%.1f" : "%.2f";
    return String.format(Locale.ROOT, format, v);
  }
}
