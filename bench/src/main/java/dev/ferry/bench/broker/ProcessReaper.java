package dev.ferry.bench.broker;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Kills the broker processes this harness started when the JVM exits on any path (normal end,
 * exception, Ctrl-C). Only processes registered here are touched, each by its own handle.
 */
public final class ProcessReaper {

  private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

  static {
    Runtime.getRuntime()
        .addShutdownHook(new Thread(ProcessReaper::killAll, "bench-process-reaper"));
  }

  private ProcessReaper() {}

  public static void register(Process process) {
    LIVE.add(process);
  }

  public static void unregister(Process process) {
    LIVE.remove(process);
  }

  private static void killAll() {
    for (Process p : LIVE) {
      if (p.isAlive()) {
        System.err.println("bench: killing broker pid " + p.pid() + " on exit");
        p.destroyForcibly();
      }
    }
  }
}
