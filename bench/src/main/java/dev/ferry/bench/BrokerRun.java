package dev.ferry.bench;

import dev.ferry.bench.broker.BrokerLauncher;
import dev.ferry.bench.broker.BrokerProcess;
import dev.ferry.bench.broker.BrokerSettings;
import dev.ferry.bench.report.Figure;
import dev.ferry.bench.report.RunResult;
import dev.ferry.bench.workload.ClientConfigs;
import dev.ferry.bench.workload.ConsumerRun;
import dev.ferry.bench.workload.LatencyRun;
import dev.ferry.bench.workload.Payloads;
import dev.ferry.bench.workload.ProducerRun;
import dev.ferry.bench.workload.StartupProbe;
import dev.ferry.bench.workload.Topics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;

/**
 * One round on one broker: start it fresh, run workloads 1–5 in order, stop it, delete its data. A
 * workload that fails is noted and the next one still runs, as long as the broker lives, so a
 * broker that lacks one feature still gets the figures it can earn.
 */
final class BrokerRun {

  private static final int PAPER_SIZE = 200;
  private static final int MODERN_SIZE = 1024;
  private static final int MODERN_PARTITIONS = 6;
  private static final int BATCH1_WINDOW = 1_000;
  private static final int BATCH50_WINDOW = 5_000;
  private static final int MODERN_WINDOW = 10_000;

  private final BrokerLauncher launcher;
  private final int round;
  private final Path runDir;
  private final BrokerSettings brokerSettings;
  private final WorkloadSettings settings;
  private final AtomicReference<Double> highRate;
  private final Progress progress;

  /** Messages the batch-of-50 test left in its topic: what the consumer test reads back. */
  private long batch50Acked;

  /**
   * @param highRate the high-load latency rate shared by the runs of a round; set by the round's
   *     first run that measures workload 3 unless fixed by the caller
   */
  BrokerRun(
      BrokerLauncher launcher,
      int round,
      Path runDir,
      BrokerSettings brokerSettings,
      WorkloadSettings settings,
      AtomicReference<Double> highRate,
      Progress progress) {
    this.launcher = launcher;
    this.round = round;
    this.runDir = runDir;
    this.brokerSettings = brokerSettings;
    this.settings = settings;
    this.highRate = highRate;
    this.progress = progress;
  }

  RunResult run() throws InterruptedException {
    RunResult result = new RunResult(launcher.name(), round);
    String tag = launcher.name() + " r" + round;
    BrokerProcess broker = null;
    try {
      Files.createDirectories(runDir);
      result.loadAverage(Machine.loadAverage());
      progress.say(tag + ": starting " + launcher.displayName());
      broker = launcher.launch(runDir, brokerSettings);
      double startupMs = StartupProbe.awaitFirstProduce(broker, settings.startupTimeout());
      result.put(Figure.STARTUP_MS, startupMs);
      result.put(Figure.RSS_IDLE_MB, broker.rssBytes() / 1e6);
      progress.say(String.format("%s: ready in %.0f ms (pid %d)", tag, startupMs, broker.pid()));
      BrokerProcess b = broker;
      step(result, b, tag, "warm-up", () -> warmUp(b, tag));
      step(result, b, tag, "batch of 1", () -> paperProducer(b, result, tag, true));
      step(result, b, tag, "batch of 50", () -> paperProducer(b, result, tag, false));
      step(result, b, tag, "consumer", () -> consumer(b, result, tag));
      step(result, b, tag, "modern", () -> modern(b, result, tag));
      step(result, b, tag, "latency high", () -> latency(b, result, tag, true));
      step(result, b, tag, "latency low", () -> latency(b, result, tag, false));
      // Workload 6 (three-broker cluster, RF 3) needs clusters, not this single broker:
      // ClusterRun, in its own rounds after these.
    } catch (IOException | RuntimeException e) {
      result.note("run failed: " + e.getMessage());
      progress.say(tag + ": FAILED: " + e.getMessage());
    } finally {
      if (broker != null) {
        broker.close();
        progress.say(tag + ": stopped; log " + broker.logFile());
      }
      Machine.deleteQuietly(runDir.resolve("data"));
    }
    return result;
  }

  private interface Step {
    void run() throws Exception;
  }

  private void step(RunResult result, BrokerProcess broker, String tag, String name, Step step)
      throws InterruptedException {
    broker.checkAlive();
    try {
      step.run();
    } catch (InterruptedException e) {
      throw e;
    } catch (Exception e) {
      result.note(name + " failed: " + e);
      progress.say(tag + ": " + name + " FAILED: " + e);
      broker.checkAlive(); // a dead broker ends the run; a live one goes on to the next workload
    }
  }

  /**
   * Untimed: produce with the paper's and the modern settings, then read back, so the broker's JIT
   * has compiled its produce and fetch paths before the first measurement.
   */
  private void warmUp(BrokerProcess broker, String tag) throws Exception {
    // The batch-of-1 path (one request per message) is the slowest to warm up: it gets 40%.
    Duration phase = settings.warmup().dividedBy(5);
    if (phase.isZero()) {
      return;
    }
    progress.say(tag + ": warming up for " + settings.warmup().toSeconds() + " s");
    Topics.create(broker.bootstrapServers(), "warmup", 1);
    ProducerRun.Result batched =
        ProducerRun.run(
            ClientConfigs.paperBatchOf50(broker.bootstrapServers()),
            "warmup",
            Long.MAX_VALUE,
            Payloads.text(PAPER_SIZE, 1),
            BATCH50_WINDOW,
            phase,
            progress,
            tag + " warm-up");
    ProducerRun.run(
        ClientConfigs.paperBatchOf1(broker.bootstrapServers()),
        "warmup",
        Long.MAX_VALUE,
        Payloads.text(PAPER_SIZE, 1),
        BATCH1_WINDOW,
        phase.multipliedBy(2),
        progress,
        tag + " warm-up");
    ConsumerRun.run(
        ClientConfigs.consumer(broker.bootstrapServers()),
        "warmup",
        1,
        batched.acked(),
        PAPER_SIZE,
        phase,
        progress,
        tag + " warm-up");
    Topics.create(broker.bootstrapServers(), "warmup-modern", MODERN_PARTITIONS);
    ProducerRun.run(
        ClientConfigs.modern(broker.bootstrapServers()),
        "warmup-modern",
        Long.MAX_VALUE,
        Payloads.text(MODERN_SIZE, 1),
        MODERN_WINDOW,
        phase,
        progress,
        tag + " warm-up");
  }

  private void paperProducer(BrokerProcess broker, RunResult result, String tag, boolean single)
      throws Exception {
    String topic = single ? "paper-b1" : "paper-b50";
    Topics.create(broker.bootstrapServers(), topic, 1);
    Properties config =
        single
            ? ClientConfigs.paperBatchOf1(broker.bootstrapServers())
            : ClientConfigs.paperBatchOf50(broker.bootstrapServers());
    long messages = single ? settings.batch1Messages() : settings.batch50Messages();
    double cpu0 = broker.cpuSeconds();
    ProducerRun.Result r =
        ProducerRun.run(
            config,
            topic,
            messages,
            Payloads.text(PAPER_SIZE, 200),
            single ? BATCH1_WINDOW : BATCH50_WINDOW,
            settings.workloadTimeout(),
            progress,
            tag + " producer " + (single ? "batch of 1" : "batch of 50"));
    double cpu = broker.cpuSeconds() - cpu0;
    checkProduced(result, topic, r);
    if (!single) {
      batch50Acked = r.acked();
    }
    result.put(single ? Figure.B1_MSGS : Figure.B50_MSGS, r.messagesPerSecond());
    result.put(single ? Figure.B1_MBPS : Figure.B50_MBPS, r.messagesPerSecond() * PAPER_SIZE / 1e6);
    result.put(single ? Figure.B1_CPU : Figure.B50_CPU, cpu * 1e6 / r.acked());
    result.put(single ? Figure.B1_RPR : Figure.B50_RPR, r.recordsPerRequest());
    progress.say(
        String.format(
            "%s: %s %,.0f msg/s, broker CPU %.1f µs/msg, %.1f records/request",
            tag, topic, r.messagesPerSecond(), cpu * 1e6 / r.acked(), r.recordsPerRequest()));
  }

  private void consumer(BrokerProcess broker, RunResult result, String tag) {
    if (batch50Acked == 0) {
      throw new IllegalStateException("nothing to read: the batch-of-50 producer did not finish");
    }
    long expected = batch50Acked;
    double cpu0 = broker.cpuSeconds();
    ConsumerRun.Result r =
        ConsumerRun.run(
            ClientConfigs.consumer(broker.bootstrapServers()),
            "paper-b50",
            1,
            expected,
            PAPER_SIZE,
            settings.workloadTimeout(),
            progress,
            tag + " consumer");
    double cpu = broker.cpuSeconds() - cpu0;
    if (r.messages() == 0) {
      throw new IllegalStateException("read nothing back in " + settings.workloadTimeout());
    }
    if (r.anomalies() > 0) {
      throw new IllegalStateException(
          r.anomalies() + " anomalies reading back, first: " + r.firstAnomaly());
    }
    result.put(Figure.CONS_MSGS, r.messagesPerSecond());
    result.put(Figure.CONS_MBPS, r.bytes() / r.seconds() / 1e6);
    result.put(Figure.CONS_CPU, cpu * 1e6 / r.messages());
    progress.say(
        String.format(
            "%s: consumer %,.0f msg/s, %.0f MB/s, broker CPU %.2f µs/msg",
            tag, r.messagesPerSecond(), r.bytes() / r.seconds() / 1e6, cpu * 1e6 / r.messages()));
  }

  private void modern(BrokerProcess broker, RunResult result, String tag) throws Exception {
    Topics.create(broker.bootstrapServers(), "modern", MODERN_PARTITIONS);
    double cpu0 = broker.cpuSeconds();
    ProducerRun.Result r =
        ProducerRun.run(
            ClientConfigs.modern(broker.bootstrapServers()),
            "modern",
            settings.modernMessages(),
            Payloads.text(MODERN_SIZE, 1024),
            MODERN_WINDOW,
            settings.workloadTimeout(),
            progress,
            tag + " producer modern");
    double cpu = broker.cpuSeconds() - cpu0;
    checkProduced(result, "modern", r);
    result.put(Figure.MOD_MSGS, r.messagesPerSecond());
    result.put(Figure.MOD_MBPS, r.messagesPerSecond() * MODERN_SIZE / 1e6);
    result.put(Figure.MOD_CPU, cpu * 1e6 / r.acked());
    result.put(Figure.MOD_COMPRESSION, r.compressionRate());
    result.put(Figure.RSS_MODERN_MB, broker.rssBytes() / 1e6);
    highRate.compareAndSet(null, Math.floor(r.messagesPerSecond() / 2));
    progress.say(
        String.format(
            "%s: modern %,.0f msg/s (%.0f MB/s), broker CPU %.1f µs/msg, RSS %.0f MB",
            tag,
            r.messagesPerSecond(),
            r.messagesPerSecond() * MODERN_SIZE / 1e6,
            cpu * 1e6 / r.acked(),
            broker.rssBytes() / 1e6));
  }

  private void latency(BrokerProcess broker, RunResult result, String tag, boolean high)
      throws Exception {
    Double rate = high ? highRate.get() : Double.valueOf(settings.lowRate());
    if (rate == null) {
      throw new IllegalStateException("no offered load: workload 3 has not been measured yet");
    }
    String topic = high ? "e2e-high" : "e2e-low";
    Topics.create(broker.bootstrapServers(), topic, MODERN_PARTITIONS);
    double cpu0 = broker.cpuSeconds();
    LatencyRun.Result r =
        LatencyRun.run(
            ClientConfigs.latency(broker.bootstrapServers()),
            ClientConfigs.consumer(broker.bootstrapServers()),
            topic,
            MODERN_PARTITIONS,
            rate,
            Payloads.text(MODERN_SIZE, 4096),
            settings.e2eWarmup(),
            settings.e2eMeasure(),
            progress,
            tag + " latency " + (high ? "high" : "low"));
    double cpu = broker.cpuSeconds() - cpu0;
    if (r.failed() > 0 || r.received() < r.sent()) {
      result.note(
          String.format(
              "latency %s: %d sends failed, %d of %d received",
              high ? "high" : "low", r.failed(), r.received(), r.sent()));
    }
    Histogram h = r.latencyMicros();
    result.putLatency(high ? "high" : "low", h);
    result.put(high ? Figure.E2E_HIGH_RATE : Figure.E2E_LOW_RATE, r.offeredRate());
    result.put(high ? Figure.E2E_HIGH_P50 : Figure.E2E_LOW_P50, h.getValueAtPercentile(50) / 1e3);
    result.put(high ? Figure.E2E_HIGH_P99 : Figure.E2E_LOW_P99, h.getValueAtPercentile(99) / 1e3);
    result.put(
        high ? Figure.E2E_HIGH_P999 : Figure.E2E_LOW_P999, h.getValueAtPercentile(99.9) / 1e3);
    result.put(high ? Figure.E2E_HIGH_MAX : Figure.E2E_LOW_MAX, h.getMaxValue() / 1e3);
    result.put(high ? Figure.E2E_HIGH_CPU : Figure.E2E_LOW_CPU, cpu * 1e6 / Math.max(1, r.sent()));
    progress.say(
        String.format(
            "%s: latency at %,.0f msg/s: p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms",
            tag,
            r.offeredRate(),
            h.getValueAtPercentile(50) / 1e3,
            h.getValueAtPercentile(99) / 1e3,
            h.getValueAtPercentile(99.9) / 1e3,
            h.getMaxValue() / 1e3));
  }

  private void checkProduced(RunResult result, String topic, ProducerRun.Result r) {
    checkProduced(result, topic, r, settings.workloadTimeout(), progress);
  }

  /**
   * Fails the step if nothing was acknowledged, notes failed sends in the report, and says when the
   * time cap cut a workload short (its rate is then over the messages it did).
   */
  static void checkProduced(
      RunResult result, String topic, ProducerRun.Result r, Duration cap, Progress progress) {
    if (r.acked() == 0) {
      throw new IllegalStateException(topic + ": no message acknowledged; " + r.firstError());
    }
    if (r.failed() > 0) {
      result.note(topic + ": " + r.failed() + " sends failed, first: " + r.firstError());
    }
    if (r.capped()) {
      progress.say(
          String.format(
              "  %s: time cap of %d s reached after %,d messages; rate is over those",
              topic, cap.toSeconds(), r.acked()));
    }
  }
}
