package dev.ferry.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.ferry.it.BrokerProcess;
import dev.ferry.verify.CheckReport;
import dev.ferry.verify.WorkloadChecker;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Acknowledged records survive a seeded schedule of faults against a real cluster: three broker
 * JVMs sharing a ZooKeeper ensemble whose nodes are JVMs of their own, a topic with replication
 * factor 3 and min.insync.replicas=2, idempotent acks=all producers and a live consumer ({@link
 * WorkloadChecker}). The faults ({@link FaultSchedule#CLUSTER}): SIGKILL of a partition's current
 * leader, SIGKILL of a follower, SIGSTOP of a leader for longer than the ZooKeeper session (it is
 * fenced and replaced while frozen, then SIGCONT), a clean restart (controlled shutdown), SIGKILL
 * of a ZooKeeper node and its restart on the same data, and a power loss of a partition's leader
 * alone (SIGKILL, then its logs cut back to its last fsync: {@link PowerLoss}; with the default
 * flush settings that is often everything since its last segment roll). Killed processes stay down
 * for a random while. Where network namespaces can be made, the network nemeses join the same
 * schedule (see {@link #acknowledgedRecordsSurviveASeededScheduleOfClusterFaults}), and so does a
 * full disk on one broker ({@link Fault.Kind#DISK_FULL}, {@link FullDisks}) where a tmpfs can be
 * mounted: the broker halts on its failed log dir and is restarted once the space is back.
 *
 * <p>Afterwards: no acknowledged record lost, moved, duplicated or reordered, no read that later
 * changed, every partition back to a full ISR, and the three replicas of every partition identical
 * batch for batch.
 *
 * <p>System properties: {@code ferry.faults.seed} replays a schedule (the seed is always printed),
 * {@code ferry.faults.duration} (seconds, default 20; the faults that cover each kind once always
 * run, so the default suite's schedule is just those) sets the fault budget, {@code
 * ferry.faults.kinds} families ({@code all}, {@code cluster}, {@code network}, {@code disk}) and
 * {@link Fault.Kind} names, comma-separated ({@link FaultSchedule#kinds}; one shape alone, e.g.
 * {@code ISOLATE}), {@code ferry.faults.rate} the records per second per producer (default 300),
 * {@code ferry.faults.zookeepers} the ensemble size (default 3; 1 makes KILL_ZOOKEEPER take
 * ZooKeeper away from every broker).
 */
@Tag("slow")
class ClusterFaultInjectionTest {

  private static final Logger log = LoggerFactory.getLogger(ClusterFaultInjectionTest.class);

  private static final String TOPIC = "cluster-faults";
  private static final int BROKERS = 3;
  private static final int PARTITIONS = 3;

  /** Short, so that failover after a SIGKILL or a long pause is quick. */
  private static final int SESSION_TIMEOUT_MS = 4_000;

  /**
   * Each broker's log dir for {@link Fault.Kind#DISK_FULL}: room for a 300 s run's data (25-50 MB
   * per broker at the default rate) and the sparse, preallocated indexes.
   */
  private static final int DISK_MEGABYTES = 256;

  /** Session timeouts must lie within 2..20 ticks. */
  private static final int TICK_TIME_MS = 500;

  @TempDir Path dir;

  /**
   * Where network namespaces can be made ({@link NetworkLab}: root and iproute2), every broker runs
   * in one of its own and the {@link FaultSchedule#NETWORK} nemeses — partitions in Jepsen's shapes
   * and overlapping faults — join the {@link FaultSchedule#CLUSTER} faults in one schedule: one
   * cluster start and one final check (about half a minute on CI's two cores) instead of two.
   * Elsewhere the cluster faults run alone and the output says why. {@code ferry.faults.kinds}
   * picks {@code all} (the default), {@code cluster}, {@code network} or a list of kinds ({@link
   * FaultSchedule#kinds}) for long runs and replays of one family or shape; a choice with a network
   * kind is skipped where namespaces cannot be made.
   */
  @Test
  void acknowledgedRecordsSurviveASeededScheduleOfClusterFaults() throws Exception {
    String family = System.getProperty("ferry.faults.kinds", "all");
    int zookeepers = Integer.getInteger("ferry.faults.zookeepers", 3);
    List<Fault.Kind> kinds = new ArrayList<>(FaultSchedule.kinds(family));
    boolean all = family.equals("all");
    NetworkLab network = null;
    FullDisks disks = null;
    try {
      if (kinds.stream().anyMatch(FaultSchedule.NETWORK::contains)) {
        NetworkLab.Result lab = NetworkLab.create(BROKERS);
        assumeTrue(all || lab.lab().isPresent(), () -> "no network namespaces: " + lab.whyNot());
        if (lab.lab().isEmpty()) {
          System.out.println(
              "Network nemeses not run (no network namespaces: " + lab.whyNot() + ")");
          kinds.removeAll(FaultSchedule.NETWORK);
        }
        network = lab.lab().orElse(null);
      }
      if (kinds.stream().anyMatch(FaultSchedule.DISK::contains)) {
        List<Path> logDirs = new ArrayList<>();
        for (int id = 0; id < BROKERS; id++) {
          logDirs.add(ManagedBroker.logDir(dataDir(id)));
        }
        FullDisks.Result made = FullDisks.create(logDirs, DISK_MEGABYTES);
        assumeTrue(all || made.disks().isPresent(), () -> "no tmpfs: " + made.whyNot());
        if (made.disks().isEmpty()) {
          System.out.println("Disk faults not run (no tmpfs: " + made.whyNot() + ")");
          kinds.removeAll(FaultSchedule.DISK);
        }
        disks = made.disks().orElse(null);
      }
      run(kinds, zookeepers, network, disks);
    } finally {
      if (disks != null) {
        disks.close();
      }
      if (network != null) {
        network.close();
      }
    }
  }

  private Path dataDir(int brokerId) {
    return dir.resolve("broker-" + brokerId);
  }

  private void run(List<Fault.Kind> kinds, int zookeepers, NetworkLab network, FullDisks disks)
      throws Exception {
    String name =
        network == null ? "ClusterFaultInjectionTest" : "ClusterFaultInjectionTest+network";
    long seed = Long.getLong("ferry.faults.seed", System.nanoTime());
    Duration budget = Duration.ofSeconds(Long.getLong("ferry.faults.duration", 20));
    int rate = Integer.getInteger("ferry.faults.rate", 300);
    // Leader pauses of 5-8 s (always past the 4 s session); killed processes down for up to 6 s,
    // sometimes shorter than the session (the restart waits out the stale registration),
    // sometimes longer (the ISR shrinks and acks=all goes on with two replicas).
    FaultSchedule schedule =
        FaultSchedule.random(
            seed,
            kinds,
            2 * PARTITIONS,
            budget,
            Duration.ofMillis(2L * SESSION_TIMEOUT_MS),
            Duration.ofMillis(3L * SESSION_TIMEOUT_MS / 2));
    System.out.println(name + " seed " + seed + " (replay with -Dferry.faults.seed=" + seed + ")");
    System.out.println(schedule);

    long t0 = System.nanoTime();
    LoadAverage load = new LoadAverage(5);
    List<ManagedBroker> brokers = new ArrayList<>();
    CheckReport report;
    long producerRestarts;
    FaultInjector injector;
    Map<Integer, Integer> finalIsr;
    try (ZooKeeperEnsemble zk =
        new ZooKeeperEnsemble(
            dir, zookeepers, TICK_TIME_MS, network == null ? "127.0.0.1" : "0.0.0.0")) {
      zk.start();
      for (int id = 0; id < BROKERS; id++) {
        Path data = dataDir(id);
        brokers.add(
            network == null
                ? new ManagedBroker(
                    id,
                    data,
                    brokerConfig(zk.connectString()),
                    "127.0.0.1",
                    List.of(),
                    data.resolve("sync-probe"))
                : new ManagedBroker(
                    id,
                    data,
                    brokerConfig(zk.connectString(network.zooKeeperAddress())),
                    network.hostAddress(id),
                    network.launcher(id),
                    data.resolve("sync-probe")));
      }
      try {
        ManagedBroker.startAll(brokers);
        String bootstrap =
            brokers.stream().map(ManagedBroker::bootstrap).collect(Collectors.joining(","));
        PartitionLeaders leaders = new PartitionLeaders(() -> bootstrap, TOPIC);
        injector = new FaultInjector(brokers, zk, leaders, PARTITIONS, network, disks);
        WorkloadChecker.Settings settings =
            new WorkloadChecker.Settings(
                TOPIC,
                PARTITIONS,
                3,
                rate,
                Duration.ofSeconds(120),
                (short) BROKERS,
                Map.of("min.insync.replicas", "2"));
        try (WorkloadChecker checker = new WorkloadChecker(() -> bootstrap, settings)) {
          checker.start(Duration.ofSeconds(60));
          await().atMost(Duration.ofSeconds(60)).until(() -> checker.acknowledged() >= 300);
          awaitFullIsr(leaders, Duration.ofSeconds(60));
          System.out.printf(
              "Cluster up and writing after %d ms%n", (System.nanoTime() - t0) / 1_000_000);
          injector.run(schedule);
          // The healed cluster must go on acknowledging, and heal completely: a partition left
          // with a short ISR (or none) is stuck.
          long before = checker.acknowledged();
          try {
            await()
                .atMost(Duration.ofSeconds(90))
                .until(() -> checker.acknowledged() >= before + 300);
            finalIsr = awaitFullIsr(leaders, Duration.ofSeconds(90));
          } catch (ConditionTimeoutException e) {
            // Stuck, or only slow on a loaded machine: the timeline, the load and the broker logs
            // (target/broker-process-<pid>.log) tell which.
            System.out.printf(
                "Not healed after the faults (seed %d): %s; acknowledged %d (%d before the"
                    + " wait); %s; now %.1f%n",
                seed,
                e.getMessage(),
                checker.acknowledged(),
                before,
                load.summary(),
                LoadAverage.oneMinute());
            injector.timeline().forEach(System.out::println);
            throw e;
          }
          checker.stopProducing(Duration.ofSeconds(150));
          report = checker.check(Duration.ofSeconds(90));
          producerRestarts = checker.producerRestarts();
        }
        // Followers learn the final high watermark on their next fetch: wait until every replica
        // reports it before stopping them. If they never agree, the comparison of the logs on
        // disk below fails and says which partitions and batches differ.
        ReplicaGauges gauges = new ReplicaGauges(TOPIC, PARTITIONS);
        try {
          await()
              .atMost(Duration.ofSeconds(30))
              .pollInterval(Duration.ofMillis(100))
              .ignoreExceptions()
              .until(() -> gauges.everyReplicaCommittedItsLogEnd(brokers));
        } catch (ConditionTimeoutException e) {
          System.out.println("Replica gauges did not agree within 30 s: " + e.getMessage());
        }
      } finally {
        load.close();
        for (ManagedBroker b : brokers) {
          b.close();
        }
      }
    }
    long wallMs = (System.nanoTime() - t0) / 1_000_000;
    String summary =
        report.summary()
            + String.format(
                " Faults injected (seed %d, %d ZooKeeper node(s)): %s; producer restarts: %d;"
                    + " brokers logged %d leaderships taken, %d follower truncations, %d"
                    + " registrations (3 at start; restarts and expired sessions add one each);"
                    + " %,d ms wall clock, %s.",
                seed,
                zookeepers,
                injector.injected(),
                producerRestarts,
                countLines(brokers, "Leading " + TOPIC),
                countLines(brokers, "Truncating " + TOPIC),
                countLines(brokers, "Registered broker"),
                wallMs,
                load.summary());
    System.out.println(summary);
    injector.timeline().forEach(System.out::println);
    log.info(summary);

    assertThat(injector.total()).isEqualTo(schedule.faults().size());
    assertThat(injector.injected().keySet()).containsExactlyInAnyOrderElementsOf(kinds);
    assertThat(finalIsr).as("ISR size by partition at the end").containsOnlyKeys(0, 1, 2);
    assertThat(finalIsr.values()).containsOnly(BROKERS);
    assertThat(report.acknowledged()).isGreaterThan(3_000);
    WorkloadAssertions.assertNothingLostDuplicatedOrReordered(
        report, FailureEvidence.collect(name + "-" + seed, brokers, TOPIC, report));
    assertReplicasIdentical(brokers);
  }

  private Map<String, String> brokerConfig(String zookeeperConnect) throws IOException {
    return Map.of(
        // Fixed for the broker's lifetime: the end of the run reads its gauges.
        "metrics.port",
        Integer.toString(BrokerProcess.freePort()),
        "zookeeper.connect",
        zookeeperConnect,
        // Committed offsets replicated like the data: a broker's power loss must not take the
        // live consumer's commits back.
        "offsets.topic.replication.factor",
        "3",
        "zookeeper.session.timeout.ms",
        Integer.toString(SESSION_TIMEOUT_MS),
        // A restart on a busy machine may need longer than one short session to load metadata.
        "zookeeper.connection.timeout.ms",
        "30000",
        "replica.lag.time.max.ms",
        "5000",
        "replica.fetch.backoff.ms",
        "100",
        "controlled.shutdown.timeout.ms",
        "5000",
        // Leadership also moves back to the preferred replica after restarts: more churn.
        "leader.imbalance.check.interval.seconds",
        "5");
  }

  /** Lines containing {@code text} in the output of every incarnation of every broker. */
  private static long countLines(List<ManagedBroker> brokers, String text) {
    return brokers.stream()
        .flatMap(b -> b.output().stream())
        .filter(line -> line.contains(text))
        .count();
  }

  /** Waits until every partition has a leader and all replicas in its ISR; returns the sizes. */
  private static Map<Integer, Integer> awaitFullIsr(PartitionLeaders leaders, Duration timeout) {
    List<Map<Integer, Integer>> last = new ArrayList<>(List.of(Map.of()));
    await()
        .atMost(timeout)
        .pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(
            () -> {
              Map<Integer, Integer> sizes = leaders.isrSizes();
              last.set(0, sizes);
              return sizes.size() == PARTITIONS
                  && sizes.values().stream().allMatch(s -> s == BROKERS);
            });
    return last.get(0);
  }

  /** Every partition's replicas, read from the stopped brokers' disks, hold the same batches. */
  private void assertReplicasIdentical(List<ManagedBroker> brokers) {
    for (int p = 0; p < PARTITIONS; p++) {
      ReplicaFingerprint reference = null;
      for (ManagedBroker b : brokers) {
        ReplicaFingerprint f = ReplicaFingerprint.of(b.logDir().resolve(TOPIC + "-" + p));
        System.out.printf(
            "partition %d on broker %d: %d batches, log end %d, high watermark %d%n",
            p, b.brokerId(), f.batches().size(), f.logEndOffset(), f.highWatermark());
        assertThat(f.highWatermark())
            .as("high watermark of partition %d on broker %d", p, b.brokerId())
            .isEqualTo(f.logEndOffset());
        if (reference == null) {
          reference = f;
        } else {
          assertThat(f.batches())
              .as("partition %d on broker %d vs broker %d", p, b.brokerId(), 0)
              .containsExactlyElementsOf(reference.batches());
        }
      }
    }
  }
}
