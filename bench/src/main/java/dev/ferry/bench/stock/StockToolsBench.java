package dev.ferry.bench.stock;

import dev.ferry.bench.Machine;
import dev.ferry.bench.broker.BrokerLauncher;
import dev.ferry.bench.broker.BrokerProcess;
import dev.ferry.bench.broker.BrokerSettings;
import dev.ferry.bench.broker.CompilerThreads;
import dev.ferry.bench.broker.FerryLauncher;
import dev.ferry.bench.broker.KafkaLauncher;
import dev.ferry.bench.broker.ProcStat;
import dev.ferry.bench.report.Stats;
import dev.ferry.bench.workload.StartupProbe;
import dev.ferry.bench.workload.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The suite's produce/consume/latency workloads run with Kafka's own perf tools instead of the
 * harness's clients (issue 20): {@code ProducerPerformance}, {@code ConsumerPerformance} and {@code
 * EndToEndLatency} from kafka-tools 4.4.0, each a JVM of its own, against Kafka 4.4.0 and Ferry in
 * the order Kafka, Ferry, Ferry, Kafka per cycle (so drift of a shared machine hits both alike).
 * For every workload: the tool's throughput, the broker's CPU per message (utime+stime of the
 * broker process from /proc over the tool's run), the tool's own CPU per message (to tell when the
 * client is the bound) and the tool's latency percentiles. Writes {@code
 * bench/results/stock-tools.md}.
 */
public final class StockToolsBench {

  private static final String PRODUCER = "org.apache.kafka.tools.ProducerPerformance";
  private static final String CONSUMER = "org.apache.kafka.tools.ConsumerPerformance";
  private static final String E2E = "org.apache.kafka.tools.EndToEndLatency";
  private static final Duration STARTUP = Duration.ofSeconds(120);
  private static final long TOOL_TIMEOUT_SECONDS = 300;

  /**
   * The warm-up repeats its settling pass until the JIT compiler threads take at most this share of
   * the broker's CPU over a pass: both brokers are then measured in steady state, not while their
   * compilers still work on the produce path (with batches of 1, C2 outweighed every other thread
   * of both brokers after the first, fixed warm-up).
   */
  static final double JIT_SETTLED = 0.10;

  /**
   * Settling stops after this many passes even if the compilers are still busy. A bound in passes,
   * not seconds, so a loaded machine (where one pass took two minutes) still gives every broker the
   * same number of chances; the seconds cap is only a backstop.
   */
  static final int SETTLE_MAX_PASSES = 4;

  static final int SETTLE_MAX_SECONDS = 600;

  /** batch.size that fits 50 records of 200 bytes and not 51 (as the suite's workload 1). */
  private static final int BATCH_50_BYTES = 61 + 50 * 209 + 50;

  /** Figures of one workload in one broker run. */
  record Sample(
      double load,
      double recordsPerSecond,
      double brokerCpuUsPerRecord,
      double clientCpuUsPerRecord,
      double p50Ms,
      double p99Ms,
      double p999Ms,
      double avgMs,
      String threads) {}

  private final Path kafkaLib;
  private final Path ferryHome;
  private final Options options;

  /** workload → broker → samples, in run order. */
  private final Map<String, Map<String, List<Sample>>> samples = new LinkedHashMap<>();

  private final Map<String, String> titles = new LinkedHashMap<>();
  private double halfKafkaMax = Double.NaN;

  /** One line per broker run: how many settling passes its warm-up took. */
  private final List<String> settling = new ArrayList<>();

  /**
   * @param variants other Ferry builds or JVM options run beside this one (A/B), each cycle Kafka,
   *     the variants, Ferry, then the same in reverse order next cycle
   * @param latency whether to run EndToEndLatency and the paced workloads (about 40 s a run)
   */
  record Options(
      int cycles,
      long batch1Records,
      long batch50Records,
      long defaultsRecords,
      long e2eRecords,
      int pacedSeconds,
      long warmupRecords,
      Path profile,
      List<Variant> variants,
      boolean latency,
      int settleMaxPasses,
      int settleMaxSeconds) {

    Options(
        int cycles,
        long batch1Records,
        long batch50Records,
        long defaultsRecords,
        long e2eRecords,
        int pacedSeconds,
        long warmupRecords,
        Path profile) {
      this(
          cycles,
          batch1Records,
          batch50Records,
          defaultsRecords,
          e2eRecords,
          pacedSeconds,
          warmupRecords,
          profile,
          List.of(),
          true,
          SETTLE_MAX_PASSES,
          SETTLE_MAX_SECONDS);
    }
  }

  /**
   * {@code --variant NAME=DIR[,JVM-OPTION...]}: Ferry built in DIR (e.g. an older commit, "." for
   * this one) with extra JVM options after the shipped ones.
   */
  record Variant(String name, Path home, List<String> jvmOptions) {
    static Variant parse(String spec) {
      int eq = spec.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("--variant NAME=DIR[,JVM-OPTION...]: " + spec);
      }
      String[] parts = spec.substring(eq + 1).split(",");
      return new Variant(
          spec.substring(0, eq), Path.of(parts[0]), List.of(parts).subList(1, parts.length));
    }
  }

  StockToolsBench(Path kafkaLib, Path ferryHome, Options options) {
    this.kafkaLib = kafkaLib;
    this.ferryHome = ferryHome;
    this.options = options;
  }

  public static void main(String[] args) throws Exception {
    Path kafkaLib = Path.of("bench/work/kafka-lib");
    Path ferryHome = Path.of(".");
    Path out = Path.of("bench/results/stock-tools.md");
    int cycles = 1;
    long batch1 = 30_000;
    long batch50 = 300_000;
    long defaults = 300_000;
    long e2e = 2_000;
    int paced = 10;
    long warmup = 200_000;
    Path profile = null;
    List<Variant> variants = new ArrayList<>();
    boolean latency = true;
    int settleMaxPasses = SETTLE_MAX_PASSES;
    int settleMax = SETTLE_MAX_SECONDS;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--kafka-lib" -> kafkaLib = Path.of(args[++i]);
        case "--ferry-home" -> ferryHome = Path.of(args[++i]);
        case "--out" -> out = Path.of(args[++i]);
        case "--cycles" -> cycles = Integer.parseInt(args[++i]);
        case "--batch1-records" -> batch1 = Long.parseLong(args[++i]);
        case "--batch50-records" -> batch50 = Long.parseLong(args[++i]);
        case "--defaults-records" -> defaults = Long.parseLong(args[++i]);
        case "--e2e-records" -> e2e = Long.parseLong(args[++i]);
        case "--paced-seconds" -> paced = Integer.parseInt(args[++i]);
        case "--warmup-records" -> warmup = Long.parseLong(args[++i]);
        case "--profile" -> profile = Path.of(args[++i]).toAbsolutePath();
        case "--variant" -> variants.add(Variant.parse(args[++i]));
        case "--no-latency" -> latency = false;
        case "--settle-max-passes" -> settleMaxPasses = Integer.parseInt(args[++i]);
        case "--settle-max-seconds" -> settleMax = Integer.parseInt(args[++i]);
        default -> throw new IllegalArgumentException("Unknown argument " + args[i]);
      }
    }
    StockToolsBench bench =
        new StockToolsBench(
            kafkaLib,
            ferryHome,
            new Options(
                cycles,
                batch1,
                batch50,
                defaults,
                e2e,
                paced,
                warmup,
                profile,
                variants,
                latency,
                settleMaxPasses,
                settleMax));
    String commit = Machine.gitCommit(ferryHome);
    double loadBefore = Machine.loadAverage();
    bench.runAll();
    if (profile != null) {
      return;
    }
    String report = bench.report(commit, loadBefore, Machine.loadAverage());
    Files.createDirectories(out.getParent());
    Files.writeString(out, report);
    System.out.println(report);
  }

  void runAll() throws Exception {
    BrokerLauncher kafka = new KafkaLauncher(kafkaLib);
    BrokerLauncher ferry = new FerryLauncher(ferryHome);
    Path runs = Path.of("bench/work/runs/stock-" + Instant.now().getEpochSecond());
    int n = 0;
    if (options.profile != null) {
      // A Flight Recorder profile of Ferry under the produce workloads only; no ratios.
      runBroker(ferry, runs.resolve("ferry-profile"));
      return;
    }
    List<BrokerLauncher> order = new ArrayList<>(List.of(kafka, ferry, ferry, kafka));
    if (!options.variants.isEmpty()) {
      order = new ArrayList<>();
      order.add(kafka);
      for (Variant v : options.variants) {
        order.add(new FerryLauncher(v.home(), v.name(), v.jvmOptions()));
      }
      order.add(ferry);
    }
    for (int cycle = 1; cycle <= options.cycles; cycle++) {
      List<BrokerLauncher> thisCycle = new ArrayList<>(order);
      if (!options.variants.isEmpty() && cycle % 2 == 0) {
        // Every other cycle backwards, so the machine's drift hits every broker alike.
        java.util.Collections.reverse(thisCycle);
      }
      for (BrokerLauncher launcher : thisCycle) {
        n++;
        runBroker(launcher, runs.resolve(launcher.name() + "-" + n));
      }
    }
  }

  private void runBroker(BrokerLauncher launcher, Path runDir) throws Exception {
    Files.createDirectories(runDir);
    BrokerSettings settings =
        new BrokerSettings(
            "1g",
            List.of(
                "-XX:+UseG1GC",
                "-XX:MaxGCPauseMillis=20",
                "-XX:InitiatingHeapOccupancyPercent=35",
                "-XX:+ExplicitGCInvokesConcurrent"),
            1L << 30,
            Long.MAX_VALUE,
            1,
            // Both brokers: KafkaLauncher always sets 0 (as Kafka's shipped server.properties);
            // Ferry kept its 3 s default, so its consume runs (a fresh group each) waited 3 s in
            // the first join, and that idle time counted in its CPU per record.
            Map.of("group.initial.rebalance.delay.ms", "0"));
    StockTool tool = new StockTool(kafkaLib, runDir);
    try (BrokerProcess broker = launcher.launch(runDir, settings)) {
      StartupProbe.awaitFirstProduce(broker, STARTUP);
      String bootstrap = broker.bootstrapServers();
      say(launcher.name() + " up at " + bootstrap + ", warming up");
      for (String t : List.of("warm", "b1", "b50", "defaults", "e2e", "paced-low", "paced-high")) {
        Topics.create(bootstrap, t, 1);
      }
      // Untimed: both JVMs compile their produce and fetch paths first.
      tool.run(
          "warmup",
          PRODUCER,
          producerArgs(bootstrap, "warm", options.warmupRecords, -1, List.of()),
          TOOL_TIMEOUT_SECONDS);
      tool.run(
          "warmup-b1",
          PRODUCER,
          producerArgs(bootstrap, "warm", options.warmupRecords / 10, -1, batchOfOne()),
          TOOL_TIMEOUT_SECONDS);
      // A group read too: the first one makes the broker create __consumer_offsets (50
      // partitions), which is set-up, not the consume workload's cost.
      tool.run(
          "warmup-consume",
          CONSUMER,
          List.of(
              "--bootstrap-server",
              bootstrap,
              "--topic",
              "warm",
              "--num-records",
              Long.toString(options.warmupRecords),
              "--group",
              "stock-perf-warmup",
              "--timeout",
              "60000",
              "--hide-header"),
          TOOL_TIMEOUT_SECONDS);
      settle(broker, tool, bootstrap);

      if (options.profile != null) {
        Jcmd.run(
            broker.pid(),
            "JFR.start",
            "name=stock",
            "settings=" + oneMillisecondProfile(runDir).toAbsolutePath());
      }
      produce(
          broker,
          tool,
          "b1",
          "produce, batch of 1 (acks=1, batch.size=1, linger.ms=0)",
          options.batch1Records,
          -1,
          batchOfOne());
      produce(
          broker,
          tool,
          "b50",
          "produce, batch of 50 (acks=1, linger.ms=1000)",
          options.batch50Records,
          -1,
          batchOfFifty());
      Sample defaults =
          produce(
              broker,
              tool,
              "defaults",
              "produce, client defaults (acks=all, idempotent, linger.ms=5, 16 KiB)",
              options.defaultsRecords,
              -1,
              List.of());
      if (launcher.name().equals("kafka") && Double.isNaN(halfKafkaMax)) {
        // (Set by the first Kafka run; later runs pace at the same rate.)
        halfKafkaMax = Math.max(1000, Math.round(defaults.recordsPerSecond() / 2));
      }
      consume(
          broker,
          tool,
          "consume",
          "consume the batch-of-50 topic (ConsumerPerformance, group)",
          "b50",
          options.batch50Records);
      if (options.profile != null) {
        Jcmd.run(broker.pid(), "JFR.dump", "name=stock", "filename=" + options.profile);
        Jcmd.run(broker.pid(), "JFR.stop", "name=stock");
        say("profile of the produce and consume workloads: " + options.profile);
        return;
      }
      if (!options.latency) {
        return;
      }
      endToEnd(broker, tool);
      long low = 1000;
      produce(
          broker,
          tool,
          "paced-low",
          "produce paced at 1,000 msg/s (client defaults): ack latency",
          low * options.pacedSeconds,
          low,
          List.of());
      long high = Math.round(halfKafkaMax);
      produce(
          broker,
          tool,
          "paced-high",
          "produce paced at half of Kafka's client-defaults maximum ("
              + high
              + " msg/s): ack latency",
          high * options.pacedSeconds,
          high,
          List.of());
    } catch (RuntimeException e) {
      say(launcher.name() + ": FAILED " + e.getMessage());
    } finally {
      Machine.deleteRecursively(runDir.resolve("data"));
    }
  }

  /**
   * Repeats a pass of the three produce workloads' settings (batches of 1, of 50, client defaults)
   * and a group read in 16 KiB fetches until the broker's JIT compiler threads take at most {@link
   * #JIT_SETTLED} of its CPU over one pass, or {@code --settle-max-seconds} have passed (the report
   * says which). The same rule for both brokers: each gets the passes it needs.
   */
  private void settle(BrokerProcess broker, StockTool tool, String bootstrap) throws Exception {
    long start = System.nanoTime();
    // Half the measured batch-of-1 count per pass (the slowest part: the client is the bound), five
    // and ten times that for the others.
    long b1 = Math.max(1000, options.batch1Records / 2);
    for (int pass = 1; ; pass++) {
      double cpuBefore = broker.cpuSeconds();
      CompilerThreads.Snapshot jitBefore = CompilerThreads.snapshot(List.of(broker));
      tool.run(
          "settle-b1-" + pass,
          PRODUCER,
          producerArgs(bootstrap, "warm", b1, -1, batchOfOne()),
          TOOL_TIMEOUT_SECONDS);
      tool.run(
          "settle-b50-" + pass,
          PRODUCER,
          producerArgs(bootstrap, "warm", b1 * 5, -1, batchOfFifty()),
          TOOL_TIMEOUT_SECONDS);
      tool.run(
          "settle-defaults-" + pass,
          PRODUCER,
          producerArgs(bootstrap, "warm", b1 * 5, -1, List.of()),
          TOOL_TIMEOUT_SECONDS);
      tool.run(
          "settle-consume-" + pass,
          CONSUMER,
          List.of(
              "--bootstrap-server",
              bootstrap,
              "--topic",
              "warm",
              "--num-records",
              Long.toString(b1 * 10),
              "--group",
              "stock-perf-settle-" + pass,
              // 16 KiB fetches: ~2,000 fetch requests a pass. The measured read takes ~60 of 1
              // MiB, and the warm-up's group read as few: too few for the JIT (Ferry's fetch path
              // still ran in the interpreter while measured, a third of its network thread's
              // samples).
              "--fetch-size",
              "16384",
              "--timeout",
              "60000",
              "--hide-header"),
          TOOL_TIMEOUT_SECONDS);
      double cpu = broker.cpuSeconds() - cpuBefore;
      double jit = CompilerThreads.snapshot(List.of(broker)).secondsSince(jitBefore);
      double seconds = (System.nanoTime() - start) / 1e9;
      String line =
          String.format(
              Locale.ROOT,
              "%s: %d settling pass(es), %.0f s; JIT compilers %.0f%% of the broker's CPU in the"
                  + " last (%.2f of %.2f s)",
              broker.name(),
              pass,
              seconds,
              cpu > 0 ? 100 * jit / cpu : 0,
              jit,
              cpu);
      if (jit <= JIT_SETTLED * cpu) {
        say(line);
        settling.add(line);
        return;
      }
      if (pass >= options.settleMaxPasses || seconds >= options.settleMaxSeconds) {
        say(line + ": cap reached, still compiling");
        settling.add(line + " — cap reached, still compiling");
        return;
      }
      say(line + ": another pass");
    }
  }

  /**
   * The JDK's {@code profile} settings with Java and native method sampling every 1 ms (instead of
   * 10 and 20 ms): thousands of samples from a run of a minute or two, not hundreds.
   */
  private static Path oneMillisecondProfile(Path dir) throws IOException {
    Path jdkProfile = Path.of(System.getProperty("java.home"), "lib", "jfr", "profile.jfc");
    String settings =
        Files.readString(jdkProfile)
            .replace(
                "<setting name=\"period\" control=\"method-sampling-java-interval\">10 ms",
                "<setting name=\"period\" control=\"method-sampling-java-interval\">1 ms")
            // Network threads spend much of their time in socket system calls, which Java
            // sampling does not see: sample native frames as often.
            .replace(
                "<setting name=\"period\" control=\"method-sampling-native-interval\">20 ms",
                "<setting name=\"period\" control=\"method-sampling-native-interval\">1 ms");
    return Files.writeString(dir.resolve("profile-1ms.jfc"), settings);
  }

  private static List<String> batchOfOne() {
    return List.of("acks=1", "batch.size=1", "linger.ms=0", "enable.idempotence=false");
  }

  private static List<String> batchOfFifty() {
    return List.of(
        "acks=1", "batch.size=" + BATCH_50_BYTES, "linger.ms=1000", "enable.idempotence=false");
  }

  private static List<String> producerArgs(
      String bootstrap, String topic, long records, long throughput, List<String> props) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--bootstrap-server",
                bootstrap,
                "--topic",
                topic,
                "--num-records",
                Long.toString(records),
                "--record-size",
                "200",
                "--throughput",
                Long.toString(throughput)));
    if (!props.isEmpty()) {
      args.add("--command-property");
      args.addAll(props);
    }
    return args;
  }

  private Sample produce(
      BrokerProcess broker,
      StockTool tool,
      String key,
      String title,
      long records,
      long rate,
      List<String> props)
      throws Exception {
    return measure(
        broker,
        tool,
        key,
        title,
        PRODUCER,
        producerArgs(broker.bootstrapServers(), key, records, rate, props),
        records,
        ToolOutput::producer);
  }

  private void consume(
      BrokerProcess broker, StockTool tool, String key, String title, String topic, long records)
      throws Exception {
    List<String> args =
        List.of(
            "--bootstrap-server",
            broker.bootstrapServers(),
            "--topic",
            topic,
            "--num-records",
            Long.toString(records),
            "--group",
            "stock-perf-" + System.nanoTime(),
            "--timeout",
            "60000",
            "--hide-header");
    measure(broker, tool, key, title, CONSUMER, args, records, ToolOutput::consumer);
  }

  private void endToEnd(BrokerProcess broker, StockTool tool) throws Exception {
    long records = options.e2eRecords;
    List<String> args =
        List.of(broker.bootstrapServers(), "e2e", Long.toString(records), "all", "200");
    measure(
        broker,
        tool,
        "e2e",
        "EndToEndLatency (one 200-byte record at a time, acks=all)",
        E2E,
        args,
        records,
        lines -> ToolOutput.endToEnd(lines, records));
  }

  private Sample measure(
      BrokerProcess broker,
      StockTool tool,
      String key,
      String title,
      String mainClass,
      List<String> args,
      long records,
      java.util.function.Function<List<String>, ToolOutput.Summary> parser)
      throws Exception {
    titles.putIfAbsent(key, title);
    double load = Machine.loadAverage();
    double cpuBefore = broker.cpuSeconds();
    Map<String, Double> threadsBefore = ProcStat.cpuSecondsByThread(broker.pid());
    StockTool.Result result = tool.run(key, mainClass, args, TOOL_TIMEOUT_SECONDS);
    double brokerCpu = broker.cpuSeconds() - cpuBefore;
    Map<String, Double> threadsAfter = ProcStat.cpuSecondsByThread(broker.pid());
    broker.checkAlive();
    ToolOutput.Summary s = parser.apply(result.lines());
    long done = s.records() > 0 ? s.records() : records;
    Sample sample =
        new Sample(
            load,
            s.recordsPerSecond(),
            brokerCpu * 1e6 / done,
            result.cpuSeconds() * 1e6 / done,
            s.p50Ms(),
            s.p99Ms(),
            s.p999Ms(),
            s.avgMs(),
            threadShares(threadsBefore, threadsAfter));
    samples
        .computeIfAbsent(key, k -> new LinkedHashMap<>())
        .computeIfAbsent(broker.name(), k -> new ArrayList<>())
        .add(sample);
    say(
        String.format(
            Locale.ROOT,
            "%s %s: %,.0f rec/s, broker %.2f µs/rec, client %.2f µs/rec,"
                + " p50/p99/p99.9 %.0f/%.0f/%.0f ms (load %.1f)",
            broker.name(),
            key,
            sample.recordsPerSecond,
            sample.brokerCpuUsPerRecord,
            sample.clientCpuUsPerRecord,
            sample.p50Ms,
            sample.p99Ms,
            sample.p999Ms,
            load));
    say(
        broker.name()
            + " "
            + key
            + " broker CPU by thread: "
            + threadShares(threadsBefore, threadsAfter));
    return sample;
  }

  /** The threads that used CPU during a run, largest first, in ms. */
  static String threadShares(Map<String, Double> before, Map<String, Double> after) {
    List<Map.Entry<String, Double>> used = new ArrayList<>();
    for (Map.Entry<String, Double> e : after.entrySet()) {
      double ms = (e.getValue() - before.getOrDefault(e.getKey(), 0.0)) * 1000;
      if (ms > 0) {
        used.add(Map.entry(e.getKey(), ms));
      }
    }
    used.sort(Map.Entry.<String, Double>comparingByValue().reversed());
    StringBuilder sb = new StringBuilder();
    for (Map.Entry<String, Double> e : used) {
      sb.append(String.format(Locale.ROOT, "%s %.0f ms; ", e.getKey(), e.getValue()));
    }
    return sb.toString();
  }

  String report(String commit, double loadBefore, double loadAfter) {
    StringBuilder md = new StringBuilder();
    md.append("# Kafka's stock perf tools: Ferry vs Kafka 4.4\n\n")
        .append("Generated by `bench/stock-tools` (")
        .append(getClass().getName())
        .append(") on ")
        .append(Instant.now())
        .append(", Ferry at commit `")
        .append(commit)
        .append("`. ")
        .append(options.cycles)
        .append(
            options.variants.isEmpty()
                ? " cycle(s) of Kafka, Ferry, Ferry, Kafka; medians over"
                : " cycle(s) of Kafka, "
                    + variantList()
                    + ", Ferry (every other cycle in"
                    + " reverse order); medians over")
        .append(" each broker's runs. Each run: a fresh broker (`-Xms1g -Xmx1g`, Kafka's G1")
        .append(" flags, never fsync, `group.initial.rebalance.delay.ms=0`), 1-partition topics,")
        .append(" an untimed warm-up (")
        .append(String.format(Locale.ROOT, "%,d", options.warmupRecords))
        .append(
            " records with client defaults, a tenth as many with batches of 1, then a group read")
        .append(" of them, so __consumer_offsets")
        .append(" exists before the consume workload, then passes of batch-of-1, batch-of-50,")
        .append(" client-defaults produce and a group read in 16 KiB fetches (~2,000 fetch")
        .append(" requests), repeated until the JIT compiler")
        .append(" threads take at most ")
        .append(Math.round(JIT_SETTLED * 100))
        .append("% of the broker's CPU over a pass (at most ")
        .append(options.settleMaxPasses)
        .append(" passes or ")
        .append(options.settleMaxSeconds)
        .append(" s), so both brokers are measured in steady state), then each")
        .append(" tool as its own JVM (`-Xmx512M`, as Kafka's scripts), 200-byte records.")
        .append(" Broker CPU: utime+stime of the broker process over the tool's run;")
        .append(" client CPU: the tool JVM's, start-up included. ProducerPerformance's")
        .append(" latency is send to acknowledgement, EndToEndLatency's send to consume of")
        .append(" one record at a time; both print whole milliseconds.\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "Load average (1 min) before: %.1f, after: %.1f (a 2-core machine shared with other"
                + " engineers' builds and tests).%n%n",
            loadBefore,
            loadAfter));
    md.append("| workload | measure | Kafka | Ferry | Ferry / Kafka |");
    for (Variant v : options.variants) {
      md.append(' ').append(v.name()).append(" | ").append(v.name()).append(" / Kafka | Ferry / ");
      md.append(v.name()).append(" |");
    }
    md.append("\n|---|---|---:|---:|---:|");
    md.append("---:|---:|---:|".repeat(options.variants.size()));
    md.append('\n');
    for (Map.Entry<String, Map<String, List<Sample>>> w : samples.entrySet()) {
      List<Sample> k = w.getValue().getOrDefault("kafka", List.of());
      List<Sample> f = w.getValue().getOrDefault("ferry", List.of());
      List<List<Sample>> vs = new ArrayList<>();
      for (Variant v : options.variants) {
        vs.add(w.getValue().getOrDefault(v.name(), List.of()));
      }
      String t = titles.get(w.getKey());
      row(md, t, "records/s", k, f, vs, Sample::recordsPerSecond, "%,.0f");
      row(md, "", "broker CPU µs/record", k, f, vs, Sample::brokerCpuUsPerRecord, "%.2f");
      row(md, "", "client CPU µs/record", k, f, vs, Sample::clientCpuUsPerRecord, "%.2f");
      if (!Double.isNaN(Stats.median(k, Sample::p99Ms))) {
        row(md, "", "latency p50 (ms)", k, f, vs, Sample::p50Ms, "%.0f");
        row(md, "", "latency p99 (ms)", k, f, vs, Sample::p99Ms, "%.0f");
        row(md, "", "latency p99.9 (ms)", k, f, vs, Sample::p999Ms, "%.0f");
      }
      if (!Double.isNaN(Stats.median(k, Sample::avgMs))) {
        row(md, "", "latency avg (ms)", k, f, vs, Sample::avgMs, "%.2f");
      }
    }
    for (Variant v : options.variants) {
      md.append("\nVariant `")
          .append(v.name())
          .append("`: Ferry built in `")
          .append(v.home())
          .append("` (commit `")
          .append(Machine.gitCommit(v.home()))
          .append("`)")
          .append(v.jvmOptions().isEmpty() ? "" : " with " + String.join(" ", v.jvmOptions()))
          .append(".\n");
    }
    md.append("\nWarm-up of each run (in run order):\n\n");
    for (String line : settling) {
      md.append("- ").append(line).append('\n');
    }
    md.append("\nEvery run (records/s, broker µs/rec, client µs/rec, p50/p99/p99.9 ms, load):\n\n");
    for (Map.Entry<String, Map<String, List<Sample>>> w : samples.entrySet()) {
      for (Map.Entry<String, List<Sample>> b : w.getValue().entrySet()) {
        md.append("- ").append(w.getKey()).append(' ').append(b.getKey()).append(':');
        for (Sample s : b.getValue()) {
          md.append(
              String.format(
                  Locale.ROOT,
                  " [%,.0f, %.2f, %.2f, %.0f/%.0f/%.0f, %.1f]",
                  s.recordsPerSecond,
                  s.brokerCpuUsPerRecord,
                  s.clientCpuUsPerRecord,
                  s.p50Ms,
                  s.p99Ms,
                  s.p999Ms,
                  s.load));
        }
        md.append('\n');
      }
    }
    md.append(
        "\nBroker CPU by thread over each run (ms, /proc; thread names as the kernel keeps them,"
            + " 15 characters, digits folded to #; Kafka's `data-plane-kafk` threads are its"
            + " network processors and request handlers, `C# CompilerThre` are the JIT compilers"
            + " of both JVMs):\n\n");
    for (Map.Entry<String, Map<String, List<Sample>>> w : samples.entrySet()) {
      for (Map.Entry<String, List<Sample>> b : w.getValue().entrySet()) {
        for (Sample s : b.getValue()) {
          md.append("- ")
              .append(w.getKey())
              .append(' ')
              .append(b.getKey())
              .append(": ")
              .append(s.threads())
              .append('\n');
        }
      }
    }
    return md.toString();
  }

  private String variantList() {
    List<String> names = new ArrayList<>();
    for (Variant v : options.variants) {
      names.add(v.name());
    }
    return String.join(", ", names);
  }

  private static void row(
      StringBuilder md,
      String workload,
      String measure,
      List<Sample> k,
      List<Sample> f,
      List<List<Sample>> variants,
      java.util.function.ToDoubleFunction<Sample> fn,
      String format) {
    double km = Stats.median(k, fn);
    double fm = Stats.median(f, fn);
    md.append("| ")
        .append(workload)
        .append(" | ")
        .append(measure)
        .append(" | ")
        .append(String.format(Locale.ROOT, format, km))
        .append(" | ")
        .append(String.format(Locale.ROOT, format, fm))
        .append(" | ")
        .append(ratio(fm, km))
        .append(" |");
    for (List<Sample> v : variants) {
      double vm = Stats.median(v, fn);
      md.append(' ')
          .append(String.format(Locale.ROOT, format, vm))
          .append(" | ")
          .append(ratio(vm, km))
          .append(" | ")
          .append(ratio(fm, vm))
          .append(" |");
    }
    md.append('\n');
  }

  private static String ratio(double numerator, double denominator) {
    return denominator > 0 ? String.format(Locale.ROOT, "%.2f×", numerator / denominator) : "–";
  }

  private static void say(String message) {
    System.err.println("[stock-tools] " + message);
  }
}
