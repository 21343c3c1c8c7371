package dev.ferry.bench;

import dev.ferry.bench.broker.BrokerLauncher;
import dev.ferry.bench.broker.BrokerProcess;
import dev.ferry.bench.broker.BrokerSettings;
import dev.ferry.bench.broker.FerryLauncher;
import dev.ferry.bench.broker.KafkaLauncher;
import dev.ferry.bench.broker.ProcStat;
import dev.ferry.bench.workload.StartupProbe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Start-up of the standalone brokers only (workload 5 of the suite, issue 17), many times and
 * quickly: a fresh broker process on an empty data dir, launch to the first acknowledged produce,
 * Kafka then Ferry alternating (A B A B), with the suite's JVM settings. Also the broker process's
 * CPU time at that moment (all its threads, JIT included), which grows much less than the wall time
 * with the load of a shared machine, and its RSS. Writes {@code bench/results/startup.md}.
 *
 * <pre>
 *   bench/startup            7 rounds
 *   bench/startup --rounds 3
 *   bench/startup --variant scaled10::-XX:CompileThresholdScaling=10 --variant base:/tmp/base:
 * </pre>
 *
 * <p>{@code --variant NAME:HOME:OPTIONS} adds a Ferry variant to every round, for A/B comparisons
 * in the same window: the build at HOME (empty: {@code --ferry-home}) with the comma-separated JVM
 * OPTIONS after the shipped ones. Variants are reported beside Ferry, each with its ratio to Kafka.
 * {@code --no-kafka} leaves Kafka out (a quick look at Ferry alone; its report has no ratios);
 * {@code --threads} prints each start's CPU by thread at its first ack.
 */
public final class StartupBench {

  private static final Duration STARTUP = Duration.ofSeconds(120);

  /** {@code --threads}: print each start's CPU by thread at the first ack. */
  private static boolean THREADS;

  /** One start: wall ms, broker CPU ms, RSS MB, the 1-min load average before it. */
  private record Sample(double wallMs, double cpuMs, double rssMb, double load) {}

  public static void main(String[] args) throws Exception {
    Path kafkaLib = Path.of("bench/work/kafka-lib");
    Path ferryHome = Path.of(".");
    int rounds = 7;
    Path out = Path.of("bench/results/startup.md");
    List<String[]> variants = new ArrayList<>();
    boolean withKafka = true;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--kafka-lib" -> kafkaLib = Path.of(args[++i]);
        case "--ferry-home" -> ferryHome = Path.of(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        case "--variant" -> variants.add(args[++i].split(":", 3));
        case "--no-kafka" -> withKafka = false;
        case "--threads" -> THREADS = true;
        default -> throw new IllegalArgumentException("Unknown argument " + args[i]);
      }
    }
    List<BrokerLauncher> launchers =
        new ArrayList<>(List.of(new KafkaLauncher(kafkaLib), new FerryLauncher(ferryHome)));
    if (!withKafka) {
      launchers.remove(0);
    }
    for (String[] v : variants) {
      if (v.length != 3) {
        throw new IllegalArgumentException(
            "--variant NAME:HOME:OPTIONS, got " + String.join(":", v));
      }
      Path home = v[1].isEmpty() ? ferryHome : Path.of(v[1]);
      List<String> options = v[2].isEmpty() ? List.of() : List.of(v[2].split(","));
      launchers.add(new FerryLauncher(home, v[0], options));
    }
    // The suite's defaults (BenchCli): the same heap and Kafka's start-script GC flags for both.
    BrokerSettings settings =
        new BrokerSettings(
            "1g", BrokerSettings.KAFKA_GC_FLAGS, 1L << 30, Long.MAX_VALUE, 1, Map.of());
    Path runs = Path.of("bench/work/runs/startup-" + Instant.now().getEpochSecond());
    Map<String, List<Sample>> samples = new LinkedHashMap<>();
    double loadBefore = Machine.loadAverage();
    for (int round = 1; round <= rounds; round++) {
      for (BrokerLauncher launcher : launchers) {
        Sample s = once(launcher, runs.resolve(launcher.name() + "-r" + round), settings);
        if (s != null) {
          samples.computeIfAbsent(launcher.name(), k -> new ArrayList<>()).add(s);
          say(
              String.format(
                  "%s r%d: %.0f ms, CPU %.0f ms, RSS %.0f MB (load %.1f)",
                  launcher.name(), round, s.wallMs, s.cpuMs, s.rssMb, s.load));
        }
      }
    }
    String report = report(samples, rounds, loadBefore, Machine.loadAverage());
    Files.createDirectories(out.getParent());
    Files.writeString(out, report);
    System.out.println(report);
  }

  private static Sample once(BrokerLauncher launcher, Path runDir, BrokerSettings settings)
      throws IOException, InterruptedException {
    Files.createDirectories(runDir);
    double load = Machine.loadAverage();
    try (BrokerProcess broker = launcher.launch(runDir, settings)) {
      double wallMs = StartupProbe.awaitFirstProduce(broker, STARTUP);
      if (THREADS) {
        // Where the CPU went, by thread (digits folded): main, JIT compilers, ZooKeeper's...
        StringBuilder line = new StringBuilder(launcher.name() + " CPU ms by thread:");
        ProcStat.cpuSecondsByThread(broker.pid()).entrySet().stream()
            .filter(e -> e.getValue() > 0)
            .sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
            .forEach(e -> line.append(String.format(" %s=%.0f", e.getKey(), e.getValue() * 1000)));
        say(line.toString());
      }
      return new Sample(wallMs, broker.cpuSeconds() * 1000, broker.rssBytes() / 1e6, load);
    } catch (RuntimeException e) {
      say(launcher.name() + ": FAILED " + e.getMessage());
      return null;
    } finally {
      Machine.deleteRecursively(runDir.resolve("data"));
    }
  }

  private static double median(
      List<Sample> samples, java.util.function.ToDoubleFunction<Sample> f) {
    double[] v = samples.stream().mapToDouble(f).sorted().toArray();
    if (v.length == 0) {
      return Double.NaN;
    }
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static String report(
      Map<String, List<Sample>> samples, int rounds, double loadBefore, double loadAfter) {
    List<Sample> kafka = samples.getOrDefault("kafka", List.of());
    List<Sample> ferry = samples.getOrDefault("ferry", List.of());
    StringBuilder md = new StringBuilder();
    md.append("# Standalone broker start-up: `bin/ferry start` vs Kafka 4.4's broker\n\n")
        .append("Generated by `bench/startup` (")
        .append(StartupBench.class.getName())
        .append(") on ")
        .append(Instant.now())
        .append(". ")
        .append(rounds)
        .append(" rounds, Kafka then Ferry in each (A B A B). Each run: a fresh broker process on")
        .append(" an empty data dir with the suite's JVM settings (`-Xms1g -Xmx1g`, Kafka's")
        .append(" start-script GC flags); Kafka as a single combined KRaft node, storage formatted")
        .append(" before launch (untimed); Ferry with its embedded ZooKeeper, `config/jvm.options`")
        .append(" and bin/ferry's class-data archive when present. Timed from process launch to")
        .append(
            " the first produce acknowledged (auto-created topic), as workload 5 of `bench/run`.")
        .append(
            " CPU: the broker process's utime+stime at that moment (all threads). Medians.\n\n");
    md.append("| measure | Kafka | Ferry | Ferry / Kafka |\n|---|---:|---:|---:|\n");
    row(md, "launch to first acked produce (ms)", kafka, ferry, Sample::wallMs);
    row(md, "broker CPU time to first ack (ms)", kafka, ferry, Sample::cpuMs);
    row(md, "RSS after start (MB)", kafka, ferry, Sample::rssMb);
    for (Map.Entry<String, List<Sample>> e : samples.entrySet()) {
      if (!e.getKey().equals("kafka") && !e.getKey().equals("ferry")) {
        row(md, e.getKey() + ": launch to first ack (ms)", kafka, e.getValue(), Sample::wallMs);
        row(md, e.getKey() + ": broker CPU to first ack (ms)", kafka, e.getValue(), Sample::cpuMs);
      }
    }
    md.append(
            String.format(
                "%nLoad average (1 min) before: %.1f, after: %.1f. A shared 2-core machine: wall"
                    + " times grow with the load; compare the ratio, and the CPU row.%n%n",
                loadBefore, loadAfter))
        .append("Runs (wall ms / CPU ms / load):\n\n");
    for (Map.Entry<String, List<Sample>> e : samples.entrySet()) {
      md.append("- ").append(e.getKey()).append(":");
      for (Sample s : e.getValue()) {
        md.append(String.format(" %.0f/%.0f/%.1f", s.wallMs, s.cpuMs, s.load));
      }
      md.append('\n');
    }
    return md.toString();
  }

  private static void row(
      StringBuilder md,
      String label,
      List<Sample> kafka,
      List<Sample> ferry,
      java.util.function.ToDoubleFunction<Sample> f) {
    double k = median(kafka, f);
    double fe = median(ferry, f);
    md.append(String.format("| %s | %,.0f | %,.0f | %.2f× |%n", label, k, fe, fe / k));
  }

  private static void say(String message) {
    System.err.println("[startup] " + message);
  }
}
