package dev.ferry.reliability;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A seeded random sequence of faults: the same seed, broker count and budget always give the same
 * schedule, so a failing run can be replayed. The first faults cover every {@link Fault.Kind} once
 * (in a seeded order, the pause among them a long one) so even a short schedule exercises each; the
 * rest are drawn at random.
 */
final class FaultSchedule {

  private final long seed;
  private final List<Fault> faults;

  private FaultSchedule(long seed, List<Fault> faults) {
    this.seed = seed;
    this.faults = List.copyOf(faults);
  }

  /**
   * @param budget total time the schedule should take, counting quiet periods and pauses but not
   *     restarts (those take as long as they take)
   * @param maxPause pauses are drawn up to this; pass more than the ZooKeeper session timeout to
   *     have some pauses expire the session
   */
  static FaultSchedule random(long seed, int brokers, Duration budget, Duration maxPause) {
    Random random = new Random(seed);
    List<Fault.Kind> first = new ArrayList<>(List.of(Fault.Kind.values()));
    Collections.shuffle(first, random);
    List<Fault> faults = new ArrayList<>();
    long left = budget.toMillis();
    while (true) {
      Fault.Kind kind =
          faults.size() < first.size()
              ? first.get(faults.size())
              : Fault.Kind.values()[random.nextInt(Fault.Kind.values().length)];
      long quiet = 1_000 + random.nextInt(3_000);
      long pause = 0;
      if (kind == Fault.Kind.PAUSE) {
        // The first pause is a long one (the top quarter of the range), so a short schedule still
        // outlives a session timeout of half of maxPause.
        double low = faults.size() < first.size() ? 0.75 : 0.1;
        pause = (long) ((low + random.nextDouble() * (1 - low)) * maxPause.toMillis());
      }
      if (quiet + pause > left) {
        break;
      }
      left -= quiet + pause;
      faults.add(
          new Fault(
              kind, random.nextInt(brokers), Duration.ofMillis(quiet), Duration.ofMillis(pause)));
    }
    return new FaultSchedule(seed, faults);
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
