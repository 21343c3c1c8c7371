package dev.ferry.bench.broker;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * CPU time of the HotSpot JIT compiler threads ("C1 CompilerThreadN", "C2 CompilerThreadN") of a
 * set of processes, from /proc/PID/task/TID. A broker still compiling its hot paths spends much of
 * its CPU there; a warm-up can run until that share is small, so both systems are measured in
 * steady state. HotSpot starts and stops compiler threads as needed, so a snapshot keeps each
 * thread's own count and a delta only adds what each thread did since.
 */
public final class CompilerThreads {

  private static final String[] PREFIXES = {"C1 CompilerThre", "C2 CompilerThre"};

  private CompilerThreads() {}

  /** A snapshot: pid → (tid → clock ticks so far) of compiler threads. */
  public record Snapshot(Map<Long, Map<Long, Long>> ticks) {

    /** Compiler-thread CPU seconds between {@code before} and this snapshot. */
    public double secondsSince(Snapshot before) {
      long sum = 0;
      for (Map.Entry<Long, Map<Long, Long>> process : ticks.entrySet()) {
        Map<Long, Long> earlier = before.ticks.getOrDefault(process.getKey(), Map.of());
        for (Map.Entry<Long, Long> thread : process.getValue().entrySet()) {
          sum += Math.max(0, thread.getValue() - earlier.getOrDefault(thread.getKey(), 0L));
        }
      }
      return (double) sum / ProcStat.clockTicksPerSecond();
    }
  }

  public static Snapshot snapshot(List<BrokerProcess> processes) {
    Map<Long, Map<Long, Long>> all = new HashMap<>();
    for (BrokerProcess p : processes) {
      all.put(p.pid(), threadTicks(p.pid()));
    }
    return new Snapshot(all);
  }

  private static Map<Long, Long> threadTicks(long pid) {
    Map<Long, Long> ticks = new HashMap<>();
    try (DirectoryStream<Path> tasks =
        Files.newDirectoryStream(Path.of("/proc/" + pid + "/task"))) {
      for (Path task : tasks) {
        try {
          if (isCompiler(Files.readString(task.resolve("comm")))) {
            ticks.put(
                Long.parseLong(task.getFileName().toString()),
                ProcStat.parseCpuTicks(Files.readString(task.resolve("stat"))));
          }
        } catch (IOException | RuntimeException e) {
          // the thread ended between listing and reading: it no longer counts
        }
      }
    } catch (IOException e) {
      // the process is gone: nothing to count
    }
    return ticks;
  }

  static boolean isCompiler(String comm) {
    for (String prefix : PREFIXES) {
      if (comm.startsWith(prefix)) {
        return true;
      }
    }
    return false;
  }
}
