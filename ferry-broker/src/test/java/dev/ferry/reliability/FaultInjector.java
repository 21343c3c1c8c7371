package dev.ferry.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies a {@link FaultSchedule} to a list of brokers (and, in a cluster, their ZooKeeper
 * ensemble), one fault at a time, and logs each. A fault is over when its target is back: the
 * restarted process serves again, the paused one was continued.
 *
 * <p>How a fault's {@link Fault#target} picks its victim: the broker at {@code target % brokers}
 * for KILL, PAUSE and CLEAN_RESTART; for the leader kinds, whoever leads partition {@code target %
 * partitions} at that moment; for KILL_FOLLOWER, follower number {@code target / partitions}
 * (modulo the follower count) of that partition; for KILL_ZOOKEEPER, node {@code target % nodes}.
 */
final class FaultInjector {

  private static final Logger log = LoggerFactory.getLogger(FaultInjector.class);

  /** How long a partition may be without a leader when a fault wants to hit its leader. */
  private static final Duration LEADER_WAIT = Duration.ofSeconds(60);

  private final List<ManagedBroker> brokers;
  private final ZooKeeperEnsemble zookeeper;
  private final PartitionLeaders leaders;
  private final int partitions;
  private final Map<Fault.Kind, Integer> injected = new EnumMap<>(Fault.Kind.class);
  private final List<String> timeline = new ArrayList<>();

  /** For single-broker kinds only. */
  FaultInjector(List<ManagedBroker> brokers) {
    this(brokers, null, null, 1);
  }

  /**
   * @param zookeeper the ensemble the brokers share, for KILL_ZOOKEEPER
   * @param leaders where leaders and followers are looked up
   * @param partitions partitions of the topic {@code leaders} describes
   */
  FaultInjector(
      List<ManagedBroker> brokers,
      ZooKeeperEnsemble zookeeper,
      PartitionLeaders leaders,
      int partitions) {
    this.brokers = brokers;
    this.zookeeper = zookeeper;
    this.leaders = leaders;
    this.partitions = partitions;
  }

  /** Runs every fault of {@code schedule} in order; returns when the last target is back. */
  void run(FaultSchedule schedule) throws Exception {
    log.info("Running {}", schedule);
    long t0 = System.nanoTime();
    for (Fault fault : schedule.faults()) {
      Thread.sleep(fault.quietBefore().toMillis());
      long start = System.nanoTime();
      String victim = inject(fault);
      long tookMs = (System.nanoTime() - start) / 1_000_000;
      injected.merge(fault.kind(), 1, Integer::sum);
      String line =
          String.format(
              "t=%6.1fs %s: %s, back after %d ms", (start - t0) / 1e9, fault, victim, tookMs);
      timeline.add(line);
      log.info(line);
    }
  }

  /** Applies one fault; returns what it hit, for the timeline. */
  private String inject(Fault fault) throws Exception {
    int partition = fault.target() % partitions;
    switch (fault.kind()) {
      case KILL -> {
        ManagedBroker b = brokerAt(fault.target());
        b.killAndRestart();
        return "broker " + b.brokerId();
      }
      case PAUSE -> {
        ManagedBroker b = brokerAt(fault.target());
        b.pauseFor(fault.duration());
        return "broker " + b.brokerId();
      }
      case CLEAN_RESTART -> {
        ManagedBroker b = brokerAt(fault.target());
        b.restartCleanly();
        return "broker " + b.brokerId();
      }
      case KILL_LEADER -> {
        PartitionLeaders.Replicas r = leaders.await(partition, LEADER_WAIT);
        brokerWithId(r.leader()).killAndRestart(fault.duration());
        return String.format(
            "broker %d (leader of partition %d, ISR %s)", r.leader(), partition, r.isr());
      }
      case PAUSE_LEADER -> {
        PartitionLeaders.Replicas r = leaders.await(partition, LEADER_WAIT);
        brokerWithId(r.leader()).pauseFor(fault.duration());
        return String.format(
            "broker %d (leader of partition %d, ISR %s)", r.leader(), partition, r.isr());
      }
      case KILL_FOLLOWER -> {
        PartitionLeaders.Replicas r = leaders.await(partition, LEADER_WAIT);
        int follower = r.followers().get((fault.target() / partitions) % r.followers().size());
        brokerWithId(follower).killAndRestart(fault.duration());
        return String.format(
            "broker %d (follower of partition %d, leader %d, ISR %s)",
            follower, partition, r.leader(), r.isr());
      }
      case KILL_ZOOKEEPER -> {
        int index = fault.target() % zookeeper.size();
        zookeeper.killAndRestart(index, fault.duration());
        return "zookeeper node " + zookeeper.nodeId(index) + " of " + zookeeper.size();
      }
    }
    throw new IllegalArgumentException("Unknown fault kind " + fault.kind());
  }

  private ManagedBroker brokerAt(int target) {
    return brokers.get(target % brokers.size());
  }

  private ManagedBroker brokerWithId(int id) {
    return brokers.stream()
        .filter(b -> b.brokerId() == id)
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("No broker with id " + id));
  }

  /** How many faults of each kind were injected. */
  Map<Fault.Kind, Integer> injected() {
    return injected;
  }

  int total() {
    return injected.values().stream().mapToInt(Integer::intValue).sum();
  }

  List<String> timeline() {
    return timeline;
  }
}
