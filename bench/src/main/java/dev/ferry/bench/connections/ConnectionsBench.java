package dev.ferry.bench.connections;

import dev.ferry.bench.Machine;
import dev.ferry.bench.broker.BrokerLauncher;
import dev.ferry.bench.broker.BrokerProcess;
import dev.ferry.bench.broker.BrokerSettings;
import dev.ferry.bench.broker.FerryLauncher;
import dev.ferry.bench.broker.KafkaLauncher;
import dev.ferry.bench.report.Stats;
import dev.ferry.bench.workload.StartupProbe;
import dev.ferry.bench.workload.Topics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Many connections (issue 20): {@code --pairs} producers and as many consumers (the active clients)
 * measured alone, then again while {@code --idle} more connections stay open after their
 * ApiVersions exchange; Kafka 4.4.0 and Ferry in the order Kafka, Ferry, Ferry, Kafka. Reports the
 * active clients' paced end-to-end latency and unpaced throughput in both states, the broker's CPU
 * while only the idle connections are open, and its memory per idle connection: RSS delta and live
 * heap delta (after a full GC) over the idle count, with the classes that grew most. Writes {@code
 * bench/results/connections.md}.
 */
public final class ConnectionsBench {

  private static final Duration STARTUP = Duration.ofSeconds(120);
  private static final String TOPIC = "active";

  /** One broker run. */
  record Run(
      String broker,
      double loadBefore,
      double loadAfter,
      ActiveClients.Result alone,
      ActiveClients.Result withIdle,
      ActiveClients.Result aloneAgain,
      double idleOpenSeconds,
      double rssPerIdleBytes,
      double heapPerIdleBytes,
      double quietCpuMsPerSecondBefore,
      double quietCpuMsPerSecondAfter,
      int closedByBroker,
      List<String> topGrowth) {

    double p99Ratio() {
      return withIdle.p99Ms() / ((alone.p99Ms() + aloneAgain.p99Ms()) / 2);
    }

    double throughputRatio() {
      return withIdle.maxThroughput() / ((alone.maxThroughput() + aloneAgain.maxThroughput()) / 2);
    }
  }

  private final Path kafkaLib;
  private final Path ferryHome;
  private final int idle;
  private final int pairs;
  private final double rate;
  private final int cycles;
  final List<Run> runs = new ArrayList<>();

  ConnectionsBench(Path kafkaLib, Path ferryHome, int idle, int pairs, double rate, int cycles) {
    this.kafkaLib = kafkaLib;
    this.ferryHome = ferryHome;
    this.idle = idle;
    this.pairs = pairs;
    this.rate = rate;
    this.cycles = cycles;
  }

  public static void main(String[] args) throws Exception {
    Path kafkaLib = Path.of("bench/work/kafka-lib");
    Path ferryHome = Path.of(".");
    Path out = Path.of("bench/results/connections.md");
    int idle = 10_000;
    int pairs = 50;
    double rate = 2_000;
    int cycles = 1;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--kafka-lib" -> kafkaLib = Path.of(args[++i]);
        case "--ferry-home" -> ferryHome = Path.of(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        case "--idle" -> idle = Integer.parseInt(args[++i]);
        case "--pairs" -> pairs = Integer.parseInt(args[++i]);
        case "--rate" -> rate = Double.parseDouble(args[++i]);
        case "--cycles" -> cycles = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("Unknown argument " + args[i]);
      }
    }
    ConnectionsBench bench = new ConnectionsBench(kafkaLib, ferryHome, idle, pairs, rate, cycles);
    bench.runAll();
    String report = bench.report(Machine.gitCommit(ferryHome));
    Files.createDirectories(out.getParent());
    Files.writeString(out, report);
    System.out.println(report);
  }

  void runAll() throws Exception {
    BrokerLauncher kafka = new KafkaLauncher(kafkaLib);
    BrokerLauncher ferry = new FerryLauncher(ferryHome);
    Path dir = Path.of("bench/work/runs/connections-" + Instant.now().getEpochSecond());
    int n = 0;
    for (int c = 0; c < cycles; c++) {
      for (BrokerLauncher launcher : List.of(kafka, ferry, ferry, kafka)) {
        n++;
        Run run = runOne(launcher, dir.resolve(launcher.name() + "-" + n));
        if (run != null) {
          runs.add(run);
          say("run done: " + run);
        }
      }
    }
  }

  private Run runOne(BrokerLauncher launcher, Path runDir) throws Exception {
    Files.createDirectories(runDir);
    BrokerSettings settings =
        new BrokerSettings(
            "1g",
            // AlwaysPreTouch: both heaps are resident from the start, so the RSS delta over the
            // idle connections is what they cost outside the heap, not eden pages touched for
            // the first time meanwhile (which depends on each broker's young-generation size).
            List.of(
                "-XX:+UseG1GC",
                "-XX:MaxGCPauseMillis=20",
                "-XX:InitiatingHeapOccupancyPercent=35",
                "-XX:+ExplicitGCInvokesConcurrent",
                "-XX:+AlwaysPreTouch"),
            1L << 30,
            Long.MAX_VALUE,
            1,
            Map.of());
    double loadBefore = Machine.loadAverage();
    try (BrokerProcess broker = launcher.launch(runDir, settings)) {
      StartupProbe.awaitFirstProduce(broker, STARTUP);
      Topics.create(broker.bootstrapServers(), TOPIC, pairs);
      String[] hostPort = broker.bootstrapServers().split(":");
      try (ActiveClients active = new ActiveClients(broker.bootstrapServers(), TOPIC, pairs)) {
        say(launcher.name() + ": " + active.connections() + " active clients, warming up");
        active.measure(rate, Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5));
        ActiveClients.Result alone =
            active.measure(
                rate, Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(6));
        say(launcher.name() + " alone: " + alone);
        double quietBefore = quietCpu(broker);
        LiveHeap.Snapshot heapBefore = LiveHeap.of(broker.pid());
        long rssBefore = broker.rssBytes();
        long t0 = System.nanoTime();
        ActiveClients.Result withIdle;
        double openSeconds;
        double quietAfter;
        LiveHeap.Snapshot heapAfter;
        long rssAfter;
        int closed;
        try (IdleConnections idleConnections =
            IdleConnections.open(hostPort[0], Integer.parseInt(hostPort[1]), idle, 300)) {
          openSeconds = (System.nanoTime() - t0) / 1e9;
          say(
              launcher.name()
                  + ": "
                  + idleConnections.size()
                  + " idle connections open in "
                  + String.format(Locale.ROOT, "%.1f s", openSeconds));
          quietAfter = quietCpu(broker);
          heapAfter = LiveHeap.of(broker.pid());
          rssAfter = broker.rssBytes();
          withIdle =
              active.measure(
                  rate, Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(6));
          say(launcher.name() + " with idle: " + withIdle);
          closed = idleConnections.countClosedByBroker();
        }
        // Alone once more: the run's drift (JIT, page cache, the machine's other jobs) shows in
        // the difference between the two measurements without the idle connections.
        ActiveClients.Result aloneAgain =
            active.measure(
                rate, Duration.ofSeconds(2), Duration.ofSeconds(10), Duration.ofSeconds(6));
        say(launcher.name() + " alone again: " + aloneAgain);
        broker.checkAlive();
        return new Run(
            launcher.name(),
            loadBefore,
            Machine.loadAverage(),
            alone,
            withIdle,
            aloneAgain,
            openSeconds,
            (rssAfter - rssBefore) / (double) idle,
            (heapAfter.totalBytes() - heapBefore.totalBytes()) / (double) idle,
            quietBefore,
            quietAfter,
            closed,
            growth(heapBefore, heapAfter));
      }
    } catch (RuntimeException e) {
      say(launcher.name() + ": FAILED " + e);
      return null;
    } finally {
      Machine.deleteRecursively(runDir.resolve("data"));
    }
  }

  /** Broker CPU ms per second over 5 s with no produce (consumers long-polling only). */
  private static double quietCpu(BrokerProcess broker) throws InterruptedException {
    double before = broker.cpuSeconds();
    long t = System.nanoTime();
    Thread.sleep(5_000);
    return (broker.cpuSeconds() - before) * 1000 / ((System.nanoTime() - t) / 1e9);
  }

  /** The classes whose live bytes grew most, with bytes and instances per idle connection. */
  private List<String> growth(LiveHeap.Snapshot before, LiveHeap.Snapshot after) {
    List<String> out = new ArrayList<>();
    after.bytesByClass().entrySet().stream()
        .map(
            e ->
                Map.entry(
                    e.getKey(), e.getValue() - before.bytesByClass().getOrDefault(e.getKey(), 0L)))
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(12)
        .forEach(
            e -> {
              long count =
                  after.countByClass().getOrDefault(e.getKey(), 0L)
                      - before.countByClass().getOrDefault(e.getKey(), 0L);
              out.add(
                  String.format(
                      Locale.ROOT,
                      "%s: %.1f B, %.2f instances per connection",
                      e.getKey(),
                      e.getValue() / (double) idle,
                      count / (double) idle));
            });
    return out;
  }

  String report(String commit) {
    StringBuilder md = new StringBuilder();
    md.append("# Many connections: ")
        .append(String.format(Locale.ROOT, "%,d", idle))
        .append(" idle + ")
        .append(2 * pairs)
        .append(" active clients, Ferry vs Kafka 4.4\n\n")
        .append("Generated by `bench/connections` (")
        .append(getClass().getName())
        .append(") on ")
        .append(Instant.now())
        .append(", Ferry at commit `")
        .append(commit)
        .append("`. ")
        .append(cycles)
        .append(" cycle(s) of Kafka, Ferry, Ferry, Kafka; medians over each")
        .append(" broker's runs. Each run: a fresh broker (`-Xms1g -Xmx1g`, Kafka's G1 flags,")
        .append(" `-XX:+AlwaysPreTouch` so the heap is resident from the start), a")
        .append(" topic of ")
        .append(pairs)
        .append(" partitions, ")
        .append(pairs)
        .append(
            " producers (acks=1, linger.ms=0, 200-byte records, each to its own partition) and ")
        .append(pairs)
        .append(" consumers (assign, one partition each) in the harness JVM.")
        .append(" Measured first alone, then with ")
        .append(String.format(Locale.ROOT, "%,d", idle))
        .append(" more connections open that each sent ApiVersions v3 and then nothing (raw")
        .append(" sockets, source addresses 127.0.0.1–4), then alone again after closing them")
        .append(" (the two alone measurements show the run's own drift). Paced phase: ")
        .append(String.format(Locale.ROOT, "%,.0f", rate))
        .append(" records/s in total for 10 s after 2 s of warm-up, end-to-end latency from the")
        .append(
            " scheduled send time to the consumer's poll; unpaced phase: 6 s with at most 5,000")
        .append(" unacknowledged records, acknowledged records/s. Memory per idle connection: the")
        .append(" broker's RSS delta and live-heap delta (`jcmd GC.class_histogram`, after a full")
        .append(
            " GC) over the idle count. Quiet CPU: the broker's CPU over 5 s without produce.\n\n");
    List<Run> k = runs.stream().filter(r -> r.broker.equals("kafka")).toList();
    List<Run> f = runs.stream().filter(r -> r.broker.equals("ferry")).toList();
    md.append("| measure | Kafka | Ferry | Ferry / Kafka |\n|---|---:|---:|---:|\n");
    row(md, "active alone: paced p50 (ms)", k, f, r -> r.alone.p50Ms(), "%.2f");
    row(md, "active alone: paced p99 (ms)", k, f, r -> r.alone.p99Ms(), "%.2f");
    row(md, "active alone: paced p99.9 (ms)", k, f, r -> r.alone.p999Ms(), "%.2f");
    row(md, "active alone: delivered records/s", k, f, r -> r.alone.deliveredPerSecond(), "%,.0f");
    row(md, "active alone: unpaced acked records/s", k, f, r -> r.alone.maxThroughput(), "%,.0f");
    row(md, "with idle: paced p50 (ms)", k, f, r -> r.withIdle.p50Ms(), "%.2f");
    row(md, "with idle: paced p99 (ms)", k, f, r -> r.withIdle.p99Ms(), "%.2f");
    row(md, "with idle: paced p99.9 (ms)", k, f, r -> r.withIdle.p999Ms(), "%.2f");
    row(md, "with idle: delivered records/s", k, f, r -> r.withIdle.deliveredPerSecond(), "%,.0f");
    row(md, "with idle: unpaced acked records/s", k, f, r -> r.withIdle.maxThroughput(), "%,.0f");
    row(md, "alone again: paced p99 (ms)", k, f, r -> r.aloneAgain.p99Ms(), "%.2f");
    row(
        md,
        "alone again: unpaced acked records/s",
        k,
        f,
        r -> r.aloneAgain.maxThroughput(),
        "%,.0f");
    row(md, "p99 with idle / mean of both alone (same run)", k, f, Run::p99Ratio, "%.2f");
    row(
        md,
        "unpaced throughput with idle / mean of both alone",
        k,
        f,
        Run::throughputRatio,
        "%.2f");
    row(md, "RSS per idle connection (bytes)", k, f, Run::rssPerIdleBytes, "%,.0f");
    row(md, "live heap per idle connection (bytes)", k, f, Run::heapPerIdleBytes, "%,.0f");
    row(md, "quiet CPU before idle (ms/s)", k, f, Run::quietCpuMsPerSecondBefore, "%.1f");
    row(md, "quiet CPU with idle (ms/s)", k, f, Run::quietCpuMsPerSecondAfter, "%.1f");
    row(md, "time to open the idle connections (s)", k, f, Run::idleOpenSeconds, "%.1f");
    md.append("\nEvery run:\n\n");
    for (Run r : runs) {
      md.append(
          String.format(
              Locale.ROOT,
              "- %s (load %.1f → %.1f): alone p50/p99/p99.9 %.2f/%.2f/%.2f ms, %,.0f delivered/s,"
                  + " unpaced %,.0f/s; with idle %.2f/%.2f/%.2f ms, %,.0f delivered/s, unpaced %,.0f/s;"
                  + " alone again %.2f/%.2f/%.2f ms, unpaced %,.0f/s;"
                  + " RSS %,.0f B and heap %,.0f B per idle connection; quiet CPU %.1f → %.1f ms/s;"
                  + " idle closed by the broker by the end: %d%n",
              r.broker,
              r.loadBefore,
              r.loadAfter,
              r.alone.p50Ms(),
              r.alone.p99Ms(),
              r.alone.p999Ms(),
              r.alone.deliveredPerSecond(),
              r.alone.maxThroughput(),
              r.withIdle.p50Ms(),
              r.withIdle.p99Ms(),
              r.withIdle.p999Ms(),
              r.withIdle.deliveredPerSecond(),
              r.withIdle.maxThroughput(),
              r.aloneAgain.p50Ms(),
              r.aloneAgain.p99Ms(),
              r.aloneAgain.p999Ms(),
              r.aloneAgain.maxThroughput(),
              r.rssPerIdleBytes,
              r.heapPerIdleBytes,
              r.quietCpuMsPerSecondBefore,
              r.quietCpuMsPerSecondAfter,
              r.closedByBroker));
      for (String g : r.topGrowth) {
        md.append("  - ").append(g).append('\n');
      }
    }
    return md.toString();
  }

  private static void row(
      StringBuilder md,
      String label,
      List<Run> k,
      List<Run> f,
      java.util.function.ToDoubleFunction<Run> fn,
      String format) {
    double km = Stats.median(k, fn);
    double fm = Stats.median(f, fn);
    md.append("| ")
        .append(label)
        .append(" | ")
        .append(String.format(Locale.ROOT, format, km))
        .append(" | ")
        .append(String.format(Locale.ROOT, format, fm))
        .append(" | ")
        .append(km != 0 ? String.format(Locale.ROOT, "%.2f×", fm / km) : "–")
        .append(" |\n");
  }

  private static void say(String message) {
    System.err.println("[connections] " + message);
  }
}
