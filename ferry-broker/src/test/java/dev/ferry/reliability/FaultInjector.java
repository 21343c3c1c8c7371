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

  /** How long a power loss waits for its partition to have every replica in sync again. */
  private static final Duration FULL_ISR_WAIT = Duration.ofSeconds(30);

  private final List<ManagedBroker> brokers;
  private final ZooKeeperEnsemble zookeeper;
  private final PartitionLeaders leaders;
  private final int partitions;
  private final NetworkLab network;
  private final FullDisks disks;
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
    this(brokers, zookeeper, leaders, partitions, null);
  }

  /**
   * @param network the lab the brokers run in (broker {@code i} of the list on host {@code i}), for
   *     the {@link FaultSchedule#NETWORK} kinds; null for none
   */
  FaultInjector(
      List<ManagedBroker> brokers,
      ZooKeeperEnsemble zookeeper,
      PartitionLeaders leaders,
      int partitions,
      NetworkLab network) {
    this(brokers, zookeeper, leaders, partitions, network, null);
  }

  /**
   * @param disks the brokers' log dirs (broker {@code i} of the list on disk {@code i}), for {@link
   *     Fault.Kind#DISK_FULL}; null for none
   */
  FaultInjector(
      List<ManagedBroker> brokers,
      ZooKeeperEnsemble zookeeper,
      PartitionLeaders leaders,
      int partitions,
      NetworkLab network,
      FullDisks disks) {
    this.disks = disks;
    this.brokers = brokers;
    this.zookeeper = zookeeper;
    this.leaders = leaders;
    this.partitions = partitions;
    this.network = network;
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
        long stopMs = b.restartCleanly();
        return String.format("broker %d (stopped in %,d ms)", b.brokerId(), stopMs);
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
      case POWER_LOSS_LEADER -> {
        // One node's power loss loses nothing acknowledged only while another replica is in sync:
        // a leader that is the whole ISR holds the only copy the next election trusts, so losing
        // its unsynced tail loses data in Kafka's design too (reliability.md). Wait, bounded,
        // until every replica is back in the ISR; skip the fault if the partition never heals.
        PartitionLeaders.Replicas r = leaders.await(partition, LEADER_WAIT);
        long deadline = System.nanoTime() + FULL_ISR_WAIT.toNanos();
        while (r.isr().size() <= r.followers().size() && System.nanoTime() < deadline) {
          Thread.sleep(50);
          r = leaders.await(partition, LEADER_WAIT);
        }
        if (r.isr().size() <= r.followers().size()) {
          return String.format(
              "skipped: partition %d's ISR %s did not become full within %s",
              partition, r.isr(), FULL_ISR_WAIT);
        }
        Map<String, Long> dropped = brokerWithId(r.leader()).losePower(fault.duration());
        return String.format(
            "broker %d (leader of partition %d, ISR %s), unsynced bytes dropped %s",
            r.leader(), partition, r.isr(), dropped);
      }
      case KILL_ZOOKEEPER -> {
        int index = fault.target() % zookeeper.size();
        zookeeper.killAndRestart(index, fault.duration());
        return "zookeeper node " + zookeeper.nodeId(index) + " of " + zookeeper.size();
      }
      case ISOLATE,
          CUT_FROM_BROKERS,
          BRIDGE,
          CUT_FROM_ZOOKEEPER,
          ISOLATE_WHILE_PAUSED,
          KILL_DURING_ELECTION -> {
        return injectNetworkFault(fault);
      }
      case DISK_FULL -> {
        return fillDisk(fault);
      }
    }
    throw new IllegalArgumentException("Unknown fault kind " + fault.kind());
  }

  /**
   * The {@link FaultSchedule#NETWORK} kinds. Victims come from the seed alone: broker {@code v =
   * target % n} and a second one, {@code (v + 1 + (target / n) % (n - 1)) % n}.
   */
  private String injectNetworkFault(Fault fault) throws Exception {
    int n = brokers.size();
    int v = fault.target() % n;
    int second = (v + 1 + (fault.target() / n) % (n - 1)) % n;
    String led = ledBy(v);
    String ledSecond = ledBy(second);
    long d = fault.duration().toMillis();
    switch (fault.kind()) {
      case ISOLATE -> {
        isolate(v);
        Thread.sleep(d);
        network.heal();
        return String.format("broker %d (%s) cut from brokers and ZooKeeper", id(v), led);
      }
      case CUT_FROM_BROKERS -> {
        for (int o = 0; o < n; o++) {
          if (o != v) {
            network.cut(v, o);
          }
        }
        Thread.sleep(d);
        network.heal();
        return String.format("broker %d (%s) cut from the other brokers", id(v), led);
      }
      case BRIDGE -> {
        network.cut(v, second);
        Thread.sleep(d);
        network.heal();
        return String.format(
            "brokers %d (%s) and %d (%s) cut from each other, the rest bridging",
            id(v), led, id(second), ledSecond);
      }
      case CUT_FROM_ZOOKEEPER -> {
        network.cutFromZooKeeper(v);
        Thread.sleep(d);
        network.heal();
        return String.format("broker %d (%s) cut from ZooKeeper", id(v), led);
      }
      case ISOLATE_WHILE_PAUSED -> {
        isolate(v);
        Thread.sleep(d / 4);
        ManagedBroker paused = brokers.get(second);
        paused.pause();
        try {
          Thread.sleep(d / 2);
        } finally {
          paused.resume();
        }
        Thread.sleep(d / 4);
        network.heal();
        return String.format(
            "broker %d (%s) isolated, broker %d (%s) paused for the middle %d ms",
            id(v), led, id(second), ledSecond, d / 2);
      }
      case KILL_DURING_ELECTION -> {
        // The gap falls inside the first broker's failover: its session has not even expired.
        long gap = Math.max(100, Math.min(1_000, d / 8));
        ManagedBroker first = brokers.get(v);
        ManagedBroker then = brokers.get(second);
        first.kill();
        Thread.sleep(gap);
        then.kill();
        Thread.sleep(d);
        // Both back at once, as after a rack's power returns (and a JVM start costs seconds).
        ManagedBroker.startAll(List.of(first, then));
        return String.format(
            "broker %d (%s) killed, broker %d (%s) %d ms later",
            id(v), led, id(second), ledSecond, gap);
      }
      default -> throw new IllegalArgumentException("Not a network fault: " + fault.kind());
    }
  }

  /**
   * {@link Fault.Kind#DISK_FULL}: broker {@code target % n}'s log dir full for the fault's
   * duration. Should the broker stop on the failed disk (as Kafka does when its last log dir
   * fails), it is started again once the space is back, and the timeline says so.
   */
  private String fillDisk(Fault fault) throws Exception {
    int v = fault.target() % brokers.size();
    String led = ledBy(v);
    long ballast = disks.fill(v);
    long left = disks.usable(v);
    Thread.sleep(fault.duration().toMillis());
    disks.free(v);
    boolean died = brokers.get(v).restartIfDead();
    return String.format(
        "broker %d (%s) log dir full (%,d bytes of ballast, %,d left)%s",
        id(v), led, ballast, left, died ? "; the broker had stopped, restarted" : "");
  }

  private void isolate(int v) throws Exception {
    for (int o = 0; o < brokers.size(); o++) {
      if (o != v) {
        network.cut(v, o);
      }
    }
    network.cutFromZooKeeper(v);
  }

  private int id(int index) {
    return brokers.get(index).brokerId();
  }

  /** Which partitions broker {@code index} leads now, for the timeline. */
  private String ledBy(int index) throws InterruptedException {
    List<Integer> led = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      if (leaders.await(p, LEADER_WAIT).leader() == id(index)) {
        led.add(p);
      }
    }
    return led.isEmpty() ? "leads nothing" : "leads " + led;
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
