package dev.ferry.bench.scale;

import dev.ferry.bench.Machine;
import dev.ferry.bench.Progress;
import dev.ferry.bench.broker.BrokerCluster;
import dev.ferry.bench.broker.BrokerLauncher;
import dev.ferry.bench.broker.BrokerProcess;
import dev.ferry.bench.broker.BrokerSettings;
import dev.ferry.bench.workload.StartupProbe;
import dev.ferry.bench.workload.Topics;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;

/**
 * One system, one broker, one topic of N partitions (RF 1): start, create, Metadata, produce, then
 * a clean restart on the same data (SIGTERM, wait, relaunch) timed until every partition is served
 * again.
 */
final class SingleBrokerScale {

  private static final Duration STARTUP = Duration.ofSeconds(180);

  /**
   * How long a broker may take to stop after SIGTERM before it is killed (a restart after a kill is
   * not a clean restart). systemd's default stop timeout is 90 s; 300 s leaves room on a loaded
   * machine, and the time taken is reported.
   */
  private static final long SHUTDOWN_GRACE_SECONDS = 300;

  private final ScaleSteps steps;
  private final Progress progress;

  SingleBrokerScale(ScaleSteps steps, Progress progress) {
    this.steps = steps;
    this.progress = progress;
  }

  ScalePoint run(
      BrokerLauncher launcher, Path runDir, BrokerSettings settings, int partitions, int round) {
    ScalePoint point = new ScalePoint(launcher.name(), "single", round, partitions, partitions);
    point.loadBefore = Machine.loadAverage();
    progress.say(
        String.format(
            "%s, one broker, %,d partitions (round %d, load %.1f)",
            launcher.name(), partitions, round, point.loadBefore));
    BrokerProcess broker = null;
    try {
      broker = launcher.launch(runDir, settings);
      StartupProbe.awaitFirstProduce(broker, STARTUP);
      point.rssIdleMb = ScaleSteps.megabytes(broker.rssBytes());
      BrokerCluster one = alone(broker);
      steps.createTopic(one, partitions, (short) 1, point);
      steps.metadata(broker, point);
      steps.produce(one, partitions, point);
      point.rssMb = ScaleSteps.megabytes(broker.rssBytes());

      long stop = System.nanoTime();
      boolean exited = broker.stop(SHUTDOWN_GRACE_SECONDS);
      point.shutdownMs = ScaleSteps.millisSince(stop);
      if (!exited) {
        point.note +=
            "not stopped within "
                + SHUTDOWN_GRACE_SECONDS
                + " s of SIGTERM: killed, so the restart recovered an unclean shutdown. ";
        progress.say("  " + launcher.name() + ": did not stop within the grace; SIGKILL");
      }
      broker = broker.relaunch();
      try (Admin admin = Topics.admin(broker.bootstrapServers(), steps.createTimeout())) {
        Topics.awaitServed(admin, ScaleSteps.TOPIC, partitions, steps.createTimeout());
      }
      point.restartMs = (System.nanoTime() - broker.launchNanos()) / 1e6;
      point.restartCpuMs = 1000 * broker.cpuSeconds();
      point.rssRestartMb = ScaleSteps.megabytes(broker.rssBytes());
      progress.say(
          String.format(
              "  %s: shutdown %,.0f ms; restart to all partitions served %,.0f ms (CPU %,.0f"
                  + " ms), RSS %,.0f MB",
              launcher.name(),
              point.shutdownMs,
              point.restartMs,
              point.restartCpuMs,
              point.rssRestartMb));
    } catch (Exception e) {
      point.note += e.toString().replace('\n', ' ') + ". ";
      progress.say("  " + launcher.name() + ": FAILED " + e);
      if (broker != null) {
        progress.say(broker.logTail(15));
      }
    } finally {
      if (broker != null) {
        broker.close();
      }
      point.loadAfter = Machine.loadAverage();
    }
    return point;
  }

  /** A single broker seen as a system of one process, so the shared steps can sum its CPU. */
  private static BrokerCluster alone(BrokerProcess broker) {
    return new BrokerCluster(
        broker.name(), List.of(broker), List.of(), List.of(), broker.launchNanos());
  }
}
