package dev.ferry.bench.report;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Renders bench/results/report.md: one table per workload, Kafka beside Ferry, with ratios. */
public final class MarkdownReport {

  static final String REFERENCE = "kafka";
  static final String CANDIDATE = "ferry";

  private MarkdownReport() {}

  public static void write(Path file, Summary summary, ReportContext ctx) throws IOException {
    Files.writeString(file, render(summary, ctx), StandardCharsets.UTF_8);
  }

  static String render(Summary summary, ReportContext ctx) {
    StringBuilder md = new StringBuilder();
    md.append("# Ferry vs Apache Kafka: benchmark report\n\n");
    md.append("Generated ").append(ctx.generatedAt()).append(" by `bench/run` in ");
    md.append(ctx.duration()).append(". ").append(ctx.machine()).append("\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "Each figure of workloads 1–5 is the **median of %d round%s**; brokers ran alternately"
                + " (Kafka, Ferry, Kafka, Ferry…), each round on a freshly started broker with"
                + " empty data directories. `±` is half the range between rounds. Ratio = Ferry /"
                + " Kafka; ✅/❌ says whether it meets the target.\n\n",
            ctx.rounds(),
            ctx.rounds() == 1 ? "" : "s"));
    for (String target : ctx.targets()) {
      md.append("- **").append(ctx.displayNames().getOrDefault(target, target)).append("**");
      String why = ctx.skipped().get(target);
      md.append(why == null ? "" : ": no numbers — " + why).append('\n');
    }
    md.append("\nSettings (identical for both brokers):\n\n");
    for (String line : ctx.settings()) {
      md.append("- ").append(line).append('\n');
    }

    md.append("\n## Physical limits of this machine\n\n| measure | value |\n|---|---|\n");
    for (Map.Entry<String, String> e : ctx.limits().entrySet()) {
      md.append("| ").append(e.getKey()).append(" | ").append(e.getValue()).append(" |\n");
    }

    for (Section section : Section.values()) {
      md.append("\n## ").append(section.title()).append("\n\n");
      md.append(section.description()).append("\n\n");
      if (section == Section.CLUSTER) {
        md.append(clusterRounds(ctx));
      }
      md.append("| figure | Kafka | Ferry | Ferry/Kafka | target |\n");
      md.append("|---|---:|---:|---:|---|\n");
      for (Figure figure : Figure.values()) {
        if (figure.section() == section) {
          md.append(row(summary, figure));
        }
      }
      if (section == Section.PAPER_CONSUMER) {
        md.append(consumerAgainstLimits(summary, ctx));
      }
    }

    if (!ctx.charts().isEmpty()) {
      md.append("\n## Charts\n\n");
      for (String chart : ctx.charts()) {
        md.append("![").append(chart).append("](").append(chart).append(")\n\n");
      }
    }

    StringBuilder notes = new StringBuilder();
    for (RunResult run : summary.runs()) {
      for (String note : run.notes()) {
        notes.append("- ").append(run.describe());
        notes.append(": ").append(note.replace("\n", " ")).append('\n');
      }
    }
    if (notes.length() > 0) {
      md.append("\n## Notes from the runs\n\n").append(notes);
    }
    md.append(
        "\nPer-round values: `bench/results/raw/` (JSON and CSV, not committed). How to read"
            + " this report: `bench/README.md`.\n");
    return md.toString();
  }

  /**
   * Issue 7 asks how close the consumer comes to the machine: its MB/s as a share of the loopback
   * and page-cache bandwidth measured at the start of the suite.
   */
  static String consumerAgainstLimits(Summary summary, ReportContext ctx) {
    OptionalDouble loopback = limitMegabytesPerSecond(ctx, "Loopback TCP");
    OptionalDouble pageCache = limitMegabytesPerSecond(ctx, "Page-cache read");
    if (loopback.isEmpty() || pageCache.isEmpty()) {
      return "";
    }
    StringBuilder md = new StringBuilder("\nAgainst this machine's limits: ");
    List<String> parts = new ArrayList<>();
    for (String target : List.of(CANDIDATE, REFERENCE)) {
      OptionalDouble mbps = summary.median(target, Figure.CONS_MBPS);
      if (mbps.isPresent()) {
        parts.add(
            String.format(
                Locale.ROOT,
                "%s reads at %.0f%% of loopback TCP and %.0f%% of page-cache read bandwidth",
                ctx.displayNames().getOrDefault(target, target).replaceAll(" \\(.*\\)$", ""),
                100 * mbps.getAsDouble() / loopback.getAsDouble(),
                100 * mbps.getAsDouble() / pageCache.getAsDouble()));
      }
    }
    if (parts.isEmpty()) {
      return "";
    }
    return md.append(String.join("; ", parts)).append(".\n").toString();
  }

  private static OptionalDouble limitMegabytesPerSecond(ReportContext ctx, String labelPrefix) {
    for (Map.Entry<String, String> e : ctx.limits().entrySet()) {
      if (e.getKey().startsWith(labelPrefix)) {
        Matcher m = Pattern.compile("^([\\d,.]+) MB/s").matcher(e.getValue());
        if (m.find()) {
          return OptionalDouble.of(Double.parseDouble(m.group(1).replace(",", "")));
        }
      }
    }
    return OptionalDouble.empty();
  }

  /** Workload 6 has rounds of its own, and a system can lack cluster numbers on its own. */
  private static String clusterRounds(ReportContext ctx) {
    StringBuilder md = new StringBuilder();
    md.append(
        ctx.clusterRounds() == 0
            ? "Not run in this suite.\n\n"
            : String.format(
                Locale.ROOT,
                "Median of %d cluster round%s.\n\n",
                ctx.clusterRounds(),
                ctx.clusterRounds() == 1 ? "" : "s"));
    for (String target : ctx.targets()) {
      String why = ctx.clusterSkipped().get(target);
      if (why != null && !ctx.skipped().containsKey(target)) {
        md.append("- **")
            .append(ctx.displayNames().getOrDefault(target, target))
            .append("**: no cluster numbers — ")
            .append(why)
            .append('\n');
      }
    }
    if (md.charAt(md.length() - 2) != '\n') {
      md.append('\n');
    }
    return md.toString();
  }

  private static String row(Summary summary, Figure figure) {
    String ratioCell = "—";
    OptionalDouble ratio = summary.ratio(CANDIDATE, REFERENCE, figure);
    if (ratio.isPresent()) {
      ratioCell = String.format(Locale.ROOT, "%.2f×", ratio.getAsDouble());
      if (figure.hasTarget()) {
        ratioCell += figure.meets(ratio.getAsDouble()) ? " ✅" : " ❌";
      }
    }
    return "| "
        + figure.heading()
        + " | "
        + cell(summary, REFERENCE, figure)
        + " | "
        + cell(summary, CANDIDATE, figure)
        + " | "
        + ratioCell
        + " | "
        + figure.targetText()
        + " |\n";
  }

  private static String cell(Summary summary, String target, Figure figure) {
    OptionalDouble median = summary.median(target, figure);
    if (median.isEmpty()) {
      return "—";
    }
    String text = number(median.getAsDouble());
    double spread = summary.spreadPercent(target, figure);
    if (spread >= 0.5) {
      text += String.format(Locale.ROOT, " ±%.0f%%", spread);
    }
    return text;
  }

  /** Three significant digits at most, thousands separated: 123,456 · 1,234 · 123 · 12.3 · 1.23. */
  public static String number(double value) {
    double abs = Math.abs(value);
    if (abs >= 1000) {
      return String.format(Locale.ROOT, "%,.0f", value);
    } else if (abs >= 100) {
      return String.format(Locale.ROOT, "%.0f", value);
    } else if (abs >= 10) {
      return String.format(Locale.ROOT, "%.1f", value);
    } else {
      return String.format(Locale.ROOT, "%.2f", value);
    }
  }
}
