package dev.ferry.bench;

import dev.ferry.bench.broker.BrokerLauncher;
import dev.ferry.bench.broker.BrokerSettings;
import dev.ferry.bench.broker.ClusterLauncher;
import dev.ferry.bench.broker.FerryClusterLauncher;
import dev.ferry.bench.broker.FerryLauncher;
import dev.ferry.bench.broker.KafkaClusterLauncher;
import dev.ferry.bench.broker.KafkaLauncher;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/** Command line of the benchmark harness; bench/run is the usual way in. */
@Command(
    name = "bench/run",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Runs identical workloads against Apache Kafka 4.4.0 and Ferry, alternating A B A B,",
      "and writes bench/results/report.md with charts next to it."
    })
public final class BenchCli implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--rounds", description = "Rounds per broker (default: ${DEFAULT-VALUE}).")
  int rounds = 3;

  @Option(
      names = "--skip-ferry",
      description = "Run Kafka only (until Ferry's broker serves produce and fetch).")
  boolean skipFerry;

  @Option(names = "--skip-kafka", description = "Run Ferry only.")
  boolean skipKafka;

  @Option(
      names = "--quick",
      description =
          "Small counts and one round, for trying the harness (about 2 min per broker); explicit"
              + " workload 6 options still apply.")
  boolean quick;

  @Option(
      names = "--batch1-messages",
      description = "Workload 1, batch of 1 (default: ${DEFAULT-VALUE}).")
  long batch1Messages = 200_000;

  @Option(
      names = "--batch50-messages",
      description = "Workload 1, batch of 50; read back by workload 2 (default: ${DEFAULT-VALUE}).")
  long batch50Messages = 2_000_000;

  @Option(names = "--modern-messages", description = "Workload 3 (default: ${DEFAULT-VALUE}).")
  long modernMessages = 600_000;

  @Option(
      names = "--cluster-rounds",
      description =
          "Rounds of workload 6 (three-broker cluster, RF 3) per system, run after the"
              + " single-node rounds (default: ${DEFAULT-VALUE}).")
  int clusterRounds = 2;

  @Option(names = "--skip-cluster", description = "Do not run workload 6.")
  boolean skipCluster;

  @Option(
      names = "--only-cluster",
      description = "Run workload 6 only (no single-node rounds), to try the cluster quickly.")
  boolean onlyCluster;

  @Option(
      names = "--cluster-messages",
      description = "Workload 6 message count (default: ${DEFAULT-VALUE}).")
  long clusterMessages = 600_000;

  @Option(
      names = "--cluster-warmup-seconds",
      description = "Untimed warm-up on each fresh cluster (default: ${DEFAULT-VALUE}).")
  long clusterWarmupSeconds = 10;

  @Option(
      names = "--cluster-warmup-max-seconds",
      description =
          "The warm-up goes on past --cluster-warmup-seconds until JIT compiler threads use at"
              + " most 10% of the cluster's CPU, up to this (default: ${DEFAULT-VALUE}).")
  long clusterWarmupMaxSeconds = 60;

  @Option(
      names = "--cluster-heap",
      description = "-Xms and -Xmx of every cluster broker, both systems (default: --heap).")
  String clusterHeap;

  @Option(
      names = "--e2e-rate",
      description =
          "High-load latency rate in msg/s; 0 = half of workload 3 on the first run (default).")
  double e2eRate = 0;

  @Option(
      names = "--low-rate",
      description = "Low-load latency rate in msg/s (default: ${DEFAULT-VALUE}).")
  double lowRate = 1_000;

  @Option(names = "--e2e-warmup-seconds", description = "Default: ${DEFAULT-VALUE}.")
  long e2eWarmupSeconds = 2;

  @Option(
      names = "--e2e-seconds",
      description = "Measured seconds per latency load (default: ${DEFAULT-VALUE}).")
  long e2eSeconds = 10;

  @Option(
      names = "--warmup-seconds",
      description = "Untimed warm-up on each broker before workload 1 (default: ${DEFAULT-VALUE}).")
  long warmupSeconds = 15;

  @Option(
      names = "--workload-timeout-seconds",
      description =
          "Workloads 1-3 stop after this many seconds if their message count is not reached yet"
              + " and report the rate over what they did (default: ${DEFAULT-VALUE}).")
  long workloadTimeoutSeconds = 15;

  @Option(
      names = "--startup-timeout-seconds",
      description =
          "Per broker; a cluster gets this times its broker count (default: ${DEFAULT-VALUE}).")
  long startupTimeoutSeconds = 90;

  @Option(
      names = "--heap",
      description = "-Xms and -Xmx of both brokers (default: ${DEFAULT-VALUE}).")
  String heap = "1g";

  @Option(
      names = "--jvm-flag",
      description =
          "JVM flag for both brokers, repeatable (default: Kafka's start-script GC flags).")
  List<String> jvmFlags = new ArrayList<>(BrokerSettings.KAFKA_GC_FLAGS);

  @Option(names = "--segment-bytes", description = "log.segment.bytes (default: ${DEFAULT-VALUE}).")
  long segmentBytes = 1L << 30;

  @Option(
      names = "--flush-interval-messages",
      description = "log.flush.interval.messages (default: never; the OS writes back).")
  long flushIntervalMessages = Long.MAX_VALUE;

  @Option(
      names = "--kafka-config",
      description = "Extra config for Kafka only, key=value, repeatable.")
  Map<String, String> kafkaConfig = new LinkedHashMap<>();

  @Option(
      names = "--ferry-config",
      description = "Extra config for Ferry only (passed as --override), key=value, repeatable.")
  Map<String, String> ferryConfig = new LinkedHashMap<>();

  @Option(names = "--skip-limits", description = "Do not measure the machine's physical limits.")
  boolean skipLimits;

  @Option(names = "--kafka-lib", description = "Kafka jars (default: ${DEFAULT-VALUE}).")
  Path kafkaLib = Path.of("bench/work/kafka-lib");

  @Option(
      names = "--ferry-home",
      description = "Ferry repository root (default: ${DEFAULT-VALUE}).")
  Path ferryHome = Path.of(".");

  @Option(names = "--work-dir", description = "Data and logs (default: ${DEFAULT-VALUE}).")
  Path workDir = Path.of("bench/work");

  @Option(names = "--results-dir", description = "Report and charts (default: ${DEFAULT-VALUE}).")
  Path resultsDir = Path.of("bench/results");

  @Override
  public Integer call() throws Exception {
    // Brokers run in their own directories: every path handed to them must be absolute.
    kafkaLib = kafkaLib.toAbsolutePath().normalize();
    ferryHome = ferryHome.toAbsolutePath().normalize();
    workDir = workDir.toAbsolutePath().normalize();
    resultsDir = resultsDir.toAbsolutePath().normalize();
    if (quick) {
      rounds = 1;
      batch1Messages = 30_000;
      batch50Messages = 300_000;
      modernMessages = 100_000;
      e2eWarmupSeconds = 1;
      e2eSeconds = 4;
      warmupSeconds = 6;
      // Workload 6's sizes give way to explicit values, to try the cluster with --quick.
      ParseResult parsed = spec.commandLine().getParseResult();
      if (!parsed.hasMatchedOption("--cluster-rounds")) {
        clusterRounds = 1;
      }
      if (!parsed.hasMatchedOption("--cluster-messages")) {
        clusterMessages = 100_000;
      }
      if (!parsed.hasMatchedOption("--cluster-warmup-seconds")) {
        clusterWarmupSeconds = 5;
      }
      if (!parsed.hasMatchedOption("--cluster-warmup-max-seconds")) {
        clusterWarmupMaxSeconds = 20;
      }
    }
    if (skipCluster && onlyCluster) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--skip-cluster and --only-cluster exclude each other");
    }
    List<BrokerLauncher> launchers = new ArrayList<>();
    Map<String, String> skipped = new LinkedHashMap<>();
    launchers.add(new KafkaLauncher(kafkaLib));
    launchers.add(new FerryLauncher(ferryHome));
    if (skipKafka) {
      skipped.put("kafka", "skipped (--skip-kafka)");
    }
    if (skipFerry) {
      skipped.put("ferry", "skipped (--skip-ferry)");
    }
    BrokerSettings settings =
        new BrokerSettings(
            heap, List.copyOf(jvmFlags), segmentBytes, flushIntervalMessages, 1, Map.of());
    WorkloadSettings workloads =
        new WorkloadSettings(
            batch1Messages,
            batch50Messages,
            modernMessages,
            e2eRate,
            lowRate,
            Duration.ofSeconds(e2eWarmupSeconds),
            Duration.ofSeconds(e2eSeconds),
            Duration.ofSeconds(warmupSeconds),
            Duration.ofSeconds(workloadTimeoutSeconds),
            Duration.ofSeconds(startupTimeoutSeconds));
    ClusterSettings cluster =
        new ClusterSettings(
            skipCluster ? 0 : clusterRounds,
            3,
            clusterHeap == null ? heap : clusterHeap,
            clusterMessages,
            Duration.ofSeconds(clusterWarmupSeconds),
            Duration.ofSeconds(Math.max(clusterWarmupSeconds, clusterWarmupMaxSeconds)));
    List<ClusterLauncher> clusterLaunchers =
        List.of(new KafkaClusterLauncher(kafkaLib), new FerryClusterLauncher(ferryHome));
    try (Progress progress = new Progress(System.err)) {
      new Suite(
              launchers,
              clusterLaunchers,
              skipped,
              onlyCluster ? 0 : rounds,
              cluster,
              settings,
              Map.of("kafka", kafkaConfig, "ferry", ferryConfig),
              workloads,
              workDir,
              resultsDir,
              !skipLimits,
              progress)
          .run();
    }
    return 0;
  }

  public static void main(String[] args) {
    System.exit(new CommandLine(new BenchCli()).execute(args));
  }
}
