package dev.ferry.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * A seeded random sequence of faults: the same seed, kinds, target count and budget always give the
 * same schedule, so a failing run can be replayed. The first faults cover every kind once (in a
 * seeded order, a pause among them a long one) so even a short schedule exercises each; these are
 * in even if they overrun the budget. The rest are drawn at random while the budget lasts.
 *
 * <p>In a cluster, which broker a leader or follower fault hits is decided at injection time (it is
 * whoever leads then), so a replay repeats the schedule exactly but the victims only as far as the
 * cluster behaves the same. The {@link #NETWORK} and {@link #DISK} kinds choose their victims from
 * the seed alone (broker indexes), so a replay repeats those exactly.
 */
final class FaultSchedule {

  /** What can happen to a single broker (with its embedded ZooKeeper). */
  static final List<Fault.Kind> SINGLE_BROKER =
      List.of(Fault.Kind.KILL, Fault.Kind.PAUSE, Fault.Kind.CLEAN_RESTART);

  /** What can happen to a cluster of brokers sharing a separate ZooKeeper. */
  static final List<Fault.Kind> CLUSTER =
      List.of(
          Fault.Kind.KILL_LEADER,
          Fault.Kind.KILL_FOLLOWER,
          Fault.Kind.PAUSE_LEADER,
          Fault.Kind.CLEAN_RESTART,
          Fault.Kind.KILL_ZOOKEEPER,
          Fault.Kind.POWER_LOSS_LEADER);

  /**
   * Network partitions in Jepsen's shapes and overlapping faults, for a cluster of three brokers in
   * a {@link NetworkLab}.
   */
  static final List<Fault.Kind> NETWORK =
      List.of(
          Fault.Kind.ISOLATE,
          Fault.Kind.CUT_FROM_BROKERS,
          Fault.Kind.BRIDGE,
          Fault.Kind.CUT_FROM_ZOOKEEPER,
          Fault.Kind.ISOLATE_WHILE_PAUSED,
          Fault.Kind.KILL_DURING_ELECTION);

  /** Disk faults on one broker of a cluster whose log dirs are {@link FullDisks}. */
  static final List<Fault.Kind> DISK = List.of(Fault.Kind.DISK_FULL);

  private final long seed;
  private final List<Fault> faults;

  /**
   * The kinds a run's {@code ferry.faults.kinds} names: a comma-separated list of families — {@code
   * all} ({@link #NETWORK}, {@link #CLUSTER}, then {@link #DISK}), {@code cluster}, {@code
   * network}, {@code disk} ({@link #DISK}) — and {@link Fault.Kind} names, e.g. {@code ISOLATE} for
   * one shape alone. {@link #DISK} joined {@code all} once a full disk took the broker's log dir
   * offline and halted it (Kafka's behaviour) instead of stopping a replica fetcher thread for
   * good; seeds recorded with {@code all} before that replay with {@code
   * ISOLATE,...,POWER_LOSS_LEADER} spelled out. The order matters for replays: the same seed draws
   * the same schedule only from the same list.
   */
  static List<Fault.Kind> kinds(String choice) {
    List<Fault.Kind> kinds = new ArrayList<>();
    for (String token : choice.split(",")) {
      List<Fault.Kind> named =
          switch (token.trim().toLowerCase(Locale.ROOT)) {
            case "all" -> {
              List<Fault.Kind> all = new ArrayList<>(NETWORK);
              all.addAll(CLUSTER);
              all.addAll(DISK);
              yield all;
            }
            case "cluster" -> CLUSTER;
            case "network" -> NETWORK;
            case "disk" -> DISK;
            default -> List.of(Fault.Kind.valueOf(token.trim().toUpperCase(Locale.ROOT)));
          };
      for (Fault.Kind kind : named) {
        if (!CLUSTER.contains(kind) && !NETWORK.contains(kind) && !DISK.contains(kind)) {
          throw new IllegalArgumentException(kind + " is a single-broker fault");
        }
        if (!kinds.contains(kind)) {
          kinds.add(kind);
        }
      }
    }
    return List.copyOf(kinds);
  }

  private FaultSchedule(long seed, List<Fault> faults) {
    this.seed = seed;
    this.faults = List.copyOf(faults);
  }

  /**
   * The single-broker schedule: {@link #SINGLE_BROKER} kinds on {@code brokers} brokers.
   *
   * @param budget total time the schedule should take, counting quiet periods and pauses but not
   *     restarts (those take as long as they take)
   * @param maxPause pauses are drawn up to this; pass more than the ZooKeeper session timeout to
   *     have some pauses expire the session
   */
  static FaultSchedule random(long seed, int brokers, Duration budget, Duration maxPause) {
    return random(seed, SINGLE_BROKER, brokers, budget, maxPause, Duration.ZERO);
  }

  /**
   * @param kinds the kinds to draw from
   * @param targets each fault's {@link Fault#target} is drawn from [0, targets)
   * @param budget total time the schedule should take, counting quiet periods, pauses and the time
   *     killed processes stay down, but not restarts (those take as long as they take)
   * @param maxPause {@code PAUSE}s are drawn up to this; {@code PAUSE_LEADER}s between half of it
   *     plus one second and all of it, so with twice the session timeout every leader pause
   *     outlives the session by at least a second
   * @param maxDown processes killed by the leader, follower and ZooKeeper kinds stay down up to
   *     this before their restart
   */
  static FaultSchedule random(
      long seed,
      List<Fault.Kind> kinds,
      int targets,
      Duration budget,
      Duration maxPause,
      Duration maxDown) {
    Random random = new Random(seed);
    List<Fault.Kind> first = new ArrayList<>(kinds);
    Collections.shuffle(first, random);
    List<Fault> faults = new ArrayList<>();
    long left = budget.toMillis();
    while (true) {
      boolean covering = faults.size() < first.size();
      Fault.Kind kind =
          covering ? first.get(faults.size()) : kinds.get(random.nextInt(kinds.size()));
      long quiet = 1_000 + random.nextInt(3_000);
      long timed =
          switch (kind) {
            // The first pause is a long one (the top quarter of the range), so a short schedule
            // still outlives a session timeout of half of maxPause.
            case PAUSE -> (long) (fraction(random, covering ? 0.75 : 0.1) * maxPause.toMillis());
            case PAUSE_LEADER -> {
              long min = Math.min(maxPause.toMillis(), maxPause.toMillis() / 2 + 1_000);
              yield min + (long) (random.nextDouble() * (maxPause.toMillis() - min));
            }
            case KILL_LEADER,
                KILL_FOLLOWER,
                KILL_ZOOKEEPER,
                KILL_DURING_ELECTION,
                POWER_LOSS_LEADER ->
                (long) (random.nextDouble() * maxDown.toMillis());
            // Partitions of half of maxPause to all of it: with twice the session timeout, some
            // outlive the session and some do not.
            case ISOLATE,
                CUT_FROM_BROKERS,
                BRIDGE,
                CUT_FROM_ZOOKEEPER,
                ISOLATE_WHILE_PAUSED,
                DISK_FULL ->
                (long) (fraction(random, 0.5) * maxPause.toMillis());
            case KILL, CLEAN_RESTART -> 0;
          };
      // The faults covering each kind are always in, even past the budget.
      if (!covering && quiet + timed > left) {
        break;
      }
      left -= quiet + timed;
      faults.add(
          new Fault(
              kind, random.nextInt(targets), Duration.ofMillis(quiet), Duration.ofMillis(timed)));
    }
    return new FaultSchedule(seed, faults);
  }

  /** Uniform in [low, 1). */
  private static double fraction(Random random, double low) {
    return low + random.nextDouble() * (1 - low);
  }

  long seed() {
    return seed;
  }

  List<Fault> faults() {
    return faults;
  }

  @Override
  public String toString() {
    return "FaultSchedule(seed " + seed + ", " + faults.size() + " faults: " + faults + ")";
  }
}
