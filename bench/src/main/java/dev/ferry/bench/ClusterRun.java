package dev.ferry.bench;

import dev.ferry.bench.broker.BrokerCluster;
import dev.ferry.bench.broker.BrokerProcess;
import dev.ferry.bench.broker.BrokerSettings;
import dev.ferry.bench.broker.ClusterLauncher;
import dev.ferry.bench.broker.CompilerThreads;
import dev.ferry.bench.report.Figure;
import dev.ferry.bench.report.RunResult;
import dev.ferry.bench.workload.ClientConfigs;
import dev.ferry.bench.workload.ClusterReadiness;
import dev.ferry.bench.workload.Payloads;
import dev.ferry.bench.workload.ProducerRun;
import dev.ferry.bench.workload.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * Workload 6 on one system in one round: start a fresh cluster, wait until every broker is
 * registered, warm up, then run workload 3's producer against a replicated topic, reading every
 * process's CPU time before and after; stop the cluster and delete its data.
 */
final class ClusterRun {

  static final String PHASE = "cluster";
  static final int PARTITIONS = 6;
  static final short REPLICATION_FACTOR = 3;
  static final Map<String, String> TOPIC_CONFIG = Map.of("min.insync.replicas", "2");
  private static final int MESSAGE_SIZE = 1024;
  private static final int WINDOW = 10_000;

  /** Warm-up ends once JIT compiler threads use at most this share of the cluster's CPU. */
  static final double JIT_SETTLED = 0.10;

  private static final Duration WARMUP_SLICE = Duration.ofSeconds(5);

  private final ClusterLauncher launcher;
  private final int round;
  private final Path runDir;
  private final BrokerSettings brokerSettings;
  private final ClusterSettings cluster;
  private final WorkloadSettings workloads;
  private final Progress progress;

  ClusterRun(
      ClusterLauncher launcher,
      int round,
      Path runDir,
      BrokerSettings brokerSettings,
      ClusterSettings cluster,
      WorkloadSettings workloads,
      Progress progress) {
    this.launcher = launcher;
    this.round = round;
    this.runDir = runDir;
    this.brokerSettings = brokerSettings;
    this.cluster = cluster;
    this.workloads = workloads;
    this.progress = progress;
  }

  RunResult run() throws InterruptedException {
    RunResult result = new RunResult(launcher.name(), round, PHASE);
    String tag = launcher.name() + " cluster r" + round;
    BrokerCluster running = null;
    try {
      Files.createDirectories(runDir);
      result.loadAverage(Machine.loadAverage());
      progress.say(tag + ": starting " + cluster.brokers() + " brokers");
      running = launcher.launch(runDir, brokerSettings, cluster.brokers());
      // Three or four JVMs start at once on the same cores: each gets the single-node allowance.
      double startupMs =
          ClusterReadiness.awaitAllBrokers(
              running, workloads.startupTimeout().multipliedBy(cluster.brokers()));
      result.put(Figure.CLUSTER_STARTUP_MS, startupMs);
      progress.say(
          String.format(
              "%s: %d brokers registered in %.0f ms (pids %s)",
              tag, cluster.brokers(), startupMs, pids(running)));
      warmUp(running, result, tag);
      measure(running, result, tag);
    } catch (IOException | ExecutionException | TimeoutException | RuntimeException e) {
      result.note("cluster run failed: " + e.getMessage());
      progress.say(tag + ": FAILED: " + e.getMessage());
    } finally {
      if (running != null) {
        long stopping = System.nanoTime();
        running.close();
        progress.say(
            String.format(
                "%s: stopped in %.1f s; logs %s",
                tag, (System.nanoTime() - stopping) / 1e9, running.logFiles()));
      }
      Machine.deleteQuietly(runDir.resolve("data"));
    }
    return result;
  }

  /**
   * Untimed: workload 3's producer on a replicated topic, in slices, for at least the configured
   * warm-up and then until the JIT compiler threads use at most {@link #JIT_SETTLED} of the
   * cluster's CPU over a slice (or the cap is reached). Three fresh JVMs on two shared cores take
   * much longer to compile their hot paths than one, and compiling is not what workload 6 measures.
   */
  private void warmUp(BrokerCluster running, RunResult result, String tag)
      throws InterruptedException, ExecutionException, TimeoutException {
    if (cluster.warmup().isZero()) {
      return;
    }
    progress.say(
        String.format(
            "%s: warming up for %d–%d s (until JIT threads use ≤ %.0f%% of the CPU)",
            tag, cluster.warmup().toSeconds(), cluster.warmupMax().toSeconds(), JIT_SETTLED * 100));
    Topics.create(
        running.bootstrapServers(), "warmup-rf3", PARTITIONS, REPLICATION_FACTOR, TOPIC_CONFIG);
    long start = System.nanoTime();
    double jitShare;
    while (true) {
      double[] cpu0 = running.cpuSeconds();
      CompilerThreads.Snapshot jit0 = CompilerThreads.snapshot(running.all());
      ProducerRun.Result r =
          ProducerRun.run(
              ClientConfigs.modern(running.bootstrapServers()),
              "warmup-rf3",
              Long.MAX_VALUE,
              Payloads.text(MESSAGE_SIZE, 1),
              WINDOW,
              WARMUP_SLICE,
              progress,
              tag + " warm-up");
      double jit = CompilerThreads.snapshot(running.all()).secondsSince(jit0);
      double cpu = sum(running.cpuSeconds()) - sum(cpu0);
      running.checkAlive();
      if (r.acked() == 0) {
        throw new IllegalStateException("warm-up: no message acknowledged; " + r.firstError());
      }
      jitShare = cpu > 0 ? jit / cpu : 0;
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      progress.say(
          String.format(
              "  %s warm-up: %,.0f msg/s, cluster CPU %.1f µs/msg, JIT threads %.0f%% of it",
              tag, r.messagesPerSecond(), cpu * 1e6 / r.acked(), jitShare * 100));
      if (elapsed.compareTo(cluster.warmup()) >= 0 && jitShare <= JIT_SETTLED) {
        break;
      }
      if (elapsed.compareTo(cluster.warmupMax()) >= 0) {
        result.note(
            String.format(
                "warm-up stopped at its %d s cap with JIT compiler threads still at %.0f%% of"
                    + " the cluster's CPU",
                cluster.warmupMax().toSeconds(), jitShare * 100));
        break;
      }
    }
    progress.say(
        String.format(
            "%s: warmed up in %.0f s; JIT threads used %.0f%% of the CPU in the last %d s",
            tag, (System.nanoTime() - start) / 1e9, jitShare * 100, WARMUP_SLICE.toSeconds()));
  }

  private static double sum(double[] values) {
    double sum = 0;
    for (double v : values) {
      sum += v;
    }
    return sum;
  }

  private void measure(BrokerCluster running, RunResult result, String tag)
      throws InterruptedException, ExecutionException, TimeoutException {
    String topic = "cluster-rf3";
    Topics.create(running.bootstrapServers(), topic, PARTITIONS, REPLICATION_FACTOR, TOPIC_CONFIG);
    double[] cpu0 = running.cpuSeconds();
    CompilerThreads.Snapshot jit0 = CompilerThreads.snapshot(running.all());
    ProducerRun.Result r =
        ProducerRun.run(
            ClientConfigs.modern(running.bootstrapServers()),
            topic,
            cluster.messages(),
            Payloads.text(MESSAGE_SIZE, 1024),
            WINDOW,
            workloads.workloadTimeout(),
            progress,
            tag + " producer");
    double[] cpu1 = running.cpuSeconds();
    double jit = CompilerThreads.snapshot(running.all()).secondsSince(jit0);
    running.checkAlive();
    BrokerRun.checkProduced(result, topic, r, workloads.workloadTimeout(), progress);
    List<BrokerProcess> processes = running.all();
    double total = 0;
    double helpers = 0;
    StringBuilder perProcess = new StringBuilder();
    for (int i = 0; i < processes.size(); i++) {
      double seconds = cpu1[i] - cpu0[i];
      total += seconds;
      if (running.helpers().contains(processes.get(i))) {
        helpers += seconds;
      }
      perProcess.append(
          String.format(" %s %.1f;", processes.get(i).name(), seconds * 1e6 / r.acked()));
    }
    double rssMb = running.rssBytes() / 1e6;
    StringBuilder rssPerProcess = new StringBuilder();
    for (BrokerProcess p : processes) {
      rssPerProcess.append(String.format(" %s %.0f;", p.name(), p.rssBytes() / 1e6));
    }
    result.put(Figure.CLUSTER_MSGS, r.messagesPerSecond());
    result.put(Figure.CLUSTER_MBPS, r.messagesPerSecond() * MESSAGE_SIZE / 1e6);
    result.put(Figure.CLUSTER_RPR, r.recordsPerRequest());
    result.put(Figure.CLUSTER_CPU, total * 1e6 / r.acked());
    if (!running.helpers().isEmpty()) {
      result.put(Figure.CLUSTER_ZK_CPU, helpers * 1e6 / r.acked());
    }
    result.put(Figure.CLUSTER_JIT_CPU, jit * 1e6 / r.acked());
    result.put(Figure.CLUSTER_RSS_MB, rssMb);
    progress.say(
        String.format(
            "%s: RF %d %,.0f msg/s (%.0f MB/s), %.1f records/request, CPU %.1f µs/msg summed (per"
                + " process:%s), RSS %.0f MB summed (%s)",
            tag,
            REPLICATION_FACTOR,
            r.messagesPerSecond(),
            r.messagesPerSecond() * MESSAGE_SIZE / 1e6,
            r.recordsPerRequest(),
            total * 1e6 / r.acked(),
            perProcess,
            rssMb,
            rssPerProcess.toString().trim()));
  }

  private static String pids(BrokerCluster running) {
    StringBuilder s = new StringBuilder();
    for (BrokerProcess p : running.all()) {
      s.append(s.length() == 0 ? "" : ", ").append(p.name()).append(' ').append(p.pid());
    }
    return s.toString();
  }
}
