package dev.ferry.bench;

import dev.ferry.bench.broker.BrokerLauncher;
import dev.ferry.bench.broker.BrokerSettings;
import dev.ferry.bench.broker.ClusterLauncher;
import dev.ferry.bench.limits.PhysicalLimits;
import dev.ferry.bench.report.Charts;
import dev.ferry.bench.report.MarkdownReport;
import dev.ferry.bench.report.RawResults;
import dev.ferry.bench.report.ReportContext;
import dev.ferry.bench.report.RunResult;
import dev.ferry.bench.report.Summary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The whole benchmark: physical limits once, then rounds in which every broker runs once, in
 * alternation (A B A B…), so slow drift of the machine hits both alike. Writes the report, charts
 * and raw data at the end.
 */
final class Suite {

  private final List<BrokerLauncher> launchers;
  private final List<ClusterLauncher> clusterLaunchers;
  private final Map<String, String> skipped;
  private final Map<String, String> clusterSkipped = new LinkedHashMap<>();
  private final int rounds;
  private final ClusterSettings cluster;
  private final BrokerSettings baseSettings;
  private final Map<String, Map<String, String>> extraConfig;
  private final WorkloadSettings workloads;
  private final Path workDir;
  private final Path resultsDir;
  private final boolean measureLimits;
  private final Progress progress;

  /**
   * @param skipped brokers left out of this suite, with the reason to print in the report
   * @param extraConfig broker name → configs applied to that broker only
   */
  Suite(
      List<BrokerLauncher> launchers,
      List<ClusterLauncher> clusterLaunchers,
      Map<String, String> skipped,
      int rounds,
      ClusterSettings cluster,
      BrokerSettings baseSettings,
      Map<String, Map<String, String>> extraConfig,
      WorkloadSettings workloads,
      Path workDir,
      Path resultsDir,
      boolean measureLimits,
      Progress progress) {
    this.launchers = launchers;
    this.clusterLaunchers = clusterLaunchers;
    this.skipped = new LinkedHashMap<>(skipped);
    this.rounds = rounds;
    this.cluster = cluster;
    this.baseSettings = baseSettings;
    this.extraConfig = extraConfig;
    this.workloads = workloads;
    this.workDir = workDir;
    this.resultsDir = resultsDir;
    this.measureLimits = measureLimits;
    this.progress = progress;
  }

  /** Runs everything; returns the path of the report. */
  Path run() throws IOException, InterruptedException {
    long began = System.nanoTime();
    String runId = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path suiteDir = Files.createDirectories(workDir.resolve("runs").resolve(runId));
    Path rawDir = Files.createDirectories(resultsDir.resolve("raw").resolve(runId));
    progress.say(
        "suite "
            + runId
            + ": "
            + rounds
            + " round(s) of "
            + names()
            + ", then "
            + cluster.rounds()
            + " cluster round(s); work dir "
            + suiteDir);

    Map<String, String> limits =
        measureLimits
            ? PhysicalLimits.measure(suiteDir, progress)
            : Map.of("(skipped)", "--skip-limits");
    limits.forEach((k, v) -> progress.say("  " + k + ": " + v));
    RawResults.writeJson(rawDir.resolve("limits.json"), limits);

    AtomicReference<Double> highRate =
        new AtomicReference<>(workloads.e2eRate() > 0 ? workloads.e2eRate() : null);
    List<RunResult> results = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      if (workloads.e2eRate() <= 0) {
        // Set anew by the round's first broker (Kafka): both brokers of a round get the same load,
        // and one bad round cannot skew the load of all the others.
        highRate.set(null);
      }
      for (BrokerLauncher launcher : launchers) {
        if (skipped.containsKey(launcher.name())) {
          continue;
        }
        BrokerSettings settings = settingsFor(launcher.name());
        Path runDir = suiteDir.resolve(launcher.name() + "-r" + round);
        RunResult result =
            new BrokerRun(launcher, round, runDir, settings, workloads, highRate, progress).run();
        results.add(result);
        RawResults.writeRun(rawDir, result);
        if (result.values().isEmpty()) {
          // It never came up: later rounds would only repeat the failure.
          skipped.put(launcher.name(), "failed to start — " + firstLine(result.notes()));
        }
      }
    }
    runClusters(suiteDir, rawDir, results);
    RawResults.writeCsv(rawDir, results);

    Files.createDirectories(resultsDir);
    Summary summary = new Summary(results);
    List<String> targets = names();
    List<String> charts;
    try {
      charts = Charts.writeAll(resultsDir, summary, targets);
    } catch (IOException e) {
      progress.say("charts: " + e.getMessage());
      charts = List.of();
    }
    Map<String, String> displayNames = new LinkedHashMap<>();
    launchers.forEach(l -> displayNames.put(l.name(), l.displayName()));
    ReportContext ctx =
        new ReportContext(
            LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm")),
            Machine.describe(),
            rounds,
            minutes(System.nanoTime() - began),
            targets,
            displayNames,
            skipped,
            settingsLines(results),
            limits,
            charts,
            cluster.rounds(),
            clusterSkipped);
    Path report = resultsDir.resolve("report.md");
    MarkdownReport.write(report, summary, ctx);
    Files.writeString(
        rawDir.resolve("report.md"), Files.readString(report), StandardCharsets.UTF_8);
    progress.say("report: " + report + " (raw data: " + rawDir + ")");
    return report;
  }

  /**
   * Workload 6: after the single-node rounds, rounds of its own in which each system's cluster runs
   * once, in the same alternation. A system skipped (or failed to start) on its own is skipped here
   * too; a cluster that fails to come up is not tried again.
   */
  private void runClusters(Path suiteDir, Path rawDir, List<RunResult> results)
      throws IOException, InterruptedException {
    for (ClusterLauncher launcher : clusterLaunchers) {
      String why = skipped.get(launcher.name());
      if (why != null) {
        clusterSkipped.put(launcher.name(), why);
      }
    }
    for (int round = 1; round <= cluster.rounds(); round++) {
      for (ClusterLauncher launcher : clusterLaunchers) {
        if (clusterSkipped.containsKey(launcher.name())) {
          continue;
        }
        BrokerSettings settings = settingsFor(launcher.name(), cluster.heap());
        Path runDir = suiteDir.resolve(launcher.name() + "-cluster-r" + round);
        RunResult result =
            new ClusterRun(launcher, round, runDir, settings, cluster, workloads, progress).run();
        results.add(result);
        RawResults.writeRun(rawDir, result);
        if (result.values().isEmpty()) {
          clusterSkipped.put(launcher.name(), "failed to start — " + firstLine(result.notes()));
        }
      }
    }
  }

  private BrokerSettings settingsFor(String name) {
    return settingsFor(name, baseSettings.heap());
  }

  private BrokerSettings settingsFor(String name, String heap) {
    return new BrokerSettings(
        heap,
        baseSettings.jvmFlags(),
        baseSettings.segmentBytes(),
        baseSettings.flushIntervalMessages(),
        baseSettings.numPartitions(),
        extraConfig.getOrDefault(name, Map.of()));
  }

  private List<String> names() {
    List<String> names = new ArrayList<>();
    launchers.forEach(l -> names.add(l.name()));
    return names;
  }

  private List<String> settingsLines(List<RunResult> results) {
    List<String> lines = new ArrayList<>();
    lines.add(
        "JVM: -Xms"
            + baseSettings.heap()
            + " -Xmx"
            + baseSettings.heap()
            + " "
            + String.join(" ", baseSettings.jvmFlags()));
    for (BrokerLauncher launcher : launchers) {
      List<String> own = launcher.ownJvmOptions();
      if (!own.isEmpty()) {
        lines.add(
            launcher.displayName()
                + " adds the JVM options it ships for a broker: "
                + String.join(" ", own));
      }
    }
    lines.add(
        String.format(
            Locale.ROOT,
            "log.segment.bytes=%d, log.flush.interval.messages=%d, num.partitions=%d",
            baseSettings.segmentBytes(),
            baseSettings.flushIntervalMessages(),
            baseSettings.numPartitions()));
    lines.add(
        "Workloads 1–5: single node, 127.0.0.1 listeners, clients in the harness JVM"
            + " (kafka-clients 4.4.0)");
    if (cluster.rounds() > 0) {
      StringBuilder layout =
          new StringBuilder(
              String.format(
                  Locale.ROOT,
                  "Workload 6: %d rounds after the single-node ones; %d brokers per system, each"
                      + " -Xms%s -Xmx%s with the flags above, same log settings; up to %,d"
                      + " messages after an untimed warm-up of %d s, extended up to %d s until JIT"
                      + " compiler threads use ≤ %.0f%% of the cluster's CPU. ",
                  cluster.rounds(),
                  cluster.brokers(),
                  cluster.heap(),
                  cluster.heap(),
                  cluster.messages(),
                  cluster.warmup().toSeconds(),
                  cluster.warmupMax().toSeconds(),
                  ClusterRun.JIT_SETTLED * 100));
      clusterLaunchers.forEach(l -> layout.append(l.layout(cluster.brokers())).append(". "));
      lines.add(layout.toString().trim());
    }
    lines.add(
        String.format(
            Locale.ROOT,
            "Messages: batch of 1 %,d; batch of 50 %,d; modern %,d; each workload capped at %d s",
            workloads.batch1Messages(),
            workloads.batch50Messages(),
            workloads.modernMessages(),
            workloads.workloadTimeout().toSeconds()));
    lines.add(
        String.format(
            Locale.ROOT,
            "Latency: %d s warm-up + %d s measured per load; low load %,.0f msg/s; high load %s",
            workloads.e2eWarmup().toSeconds(),
            workloads.e2eMeasure().toSeconds(),
            workloads.lowRate(),
            workloads.e2eRate() > 0
                ? String.format(Locale.ROOT, "%,.0f msg/s (fixed)", workloads.e2eRate())
                : "half of Kafka's workload 3 in the same round"));
    lines.add(
        String.format(
            Locale.ROOT,
            "Untimed warm-up of %d s on each broker after start-up, before workload 1",
            workloads.warmup().toSeconds()));
    StringBuilder load =
        new StringBuilder("1-min load average as each run started (the machine is shared):");
    for (RunResult r : results) {
      load.append(
          String.format(
              Locale.ROOT,
              " %s%s r%d %.1f;",
              r.target(),
              r.phase().isEmpty() ? "" : " " + r.phase(),
              r.round(),
              r.loadAverage()));
    }
    lines.add(load.toString());
    extraConfig.forEach(
        (name, config) -> {
          if (!config.isEmpty()) {
            lines.add(name + " only: " + config);
          }
        });
    return lines;
  }

  private static String firstLine(List<String> notes) {
    return notes.isEmpty() ? "no reason recorded" : notes.get(0).lines().findFirst().orElse("");
  }

  private static String minutes(long nanos) {
    long seconds = nanos / 1_000_000_000L;
    return String.format(Locale.ROOT, "%d min %02d s", seconds / 60, seconds % 60);
  }
}
