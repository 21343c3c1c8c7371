package dev.ferry.reliability;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies a {@link FaultSchedule} to a list of brokers, one fault at a time, and logs each. */
final class FaultInjector {

  private static final Logger log = LoggerFactory.getLogger(FaultInjector.class);

  private final List<ManagedBroker> brokers;
  private final Map<Fault.Kind, Integer> injected = new EnumMap<>(Fault.Kind.class);
  private final List<String> timeline = new ArrayList<>();

  FaultInjector(List<ManagedBroker> brokers) {
    this.brokers = brokers;
  }

  /** Runs every fault of {@code schedule} in order; returns when the last broker is back. */
  void run(FaultSchedule schedule) throws Exception {
    log.info("Running {}", schedule);
    long t0 = System.nanoTime();
    for (Fault fault : schedule.faults()) {
      Thread.sleep(fault.quietBefore().toMillis());
      ManagedBroker target = brokers.get(fault.broker());
      long start = System.nanoTime();
      switch (fault.kind()) {
        case KILL -> target.killAndRestart();
        case PAUSE -> target.pauseFor(fault.duration());
        case CLEAN_RESTART -> target.restartCleanly();
      }
      long tookMs = (System.nanoTime() - start) / 1_000_000;
      injected.merge(fault.kind(), 1, Integer::sum);
      String line =
          String.format(
              "t=%6.1fs %s: broker %d back after %d ms",
              (start - t0) / 1e9, fault, target.brokerId(), tookMs);
      timeline.add(line);
      log.info(line);
    }
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
