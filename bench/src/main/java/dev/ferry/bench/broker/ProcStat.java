package dev.ferry.bench.broker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Reads a process's own CPU time and resident memory from Linux procfs. CPU time is what the kernel
 * charged to the broker's threads (user + system), so it counts the broker's work, not the load
 * generator's, even though both share the machine.
 */
public final class ProcStat {

  private static final long CLOCK_TICKS_PER_SECOND = readClockTicks();

  private ProcStat() {}

  /** User + system CPU seconds consumed so far by {@code pid}; NaN once the process is gone. */
  public static double cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      return (double) parseCpuTicks(stat) / CLOCK_TICKS_PER_SECOND;
    } catch (IOException e) {
      return Double.NaN;
    }
  }

  /**
   * CPU seconds (user + system) so far of each thread group of {@code pid}, keyed by the thread's
   * name with digits folded to {@code #} (so {@code ferry-network-processor-0} and {@code -1} add
   * up as {@code ferry-network-processor-#}, and the JVM's GC and compiler threads group by kind).
   * Threads that ended are not counted; empty once the process is gone.
   */
  public static java.util.Map<String, Double> cpuSecondsByThread(long pid) {
    java.util.Map<String, Double> out = new java.util.TreeMap<>();
    Path tasks = Path.of("/proc", Long.toString(pid), "task");
    try (java.util.stream.Stream<Path> list = Files.list(tasks)) {
      for (Path task : (Iterable<Path>) list::iterator) {
        try {
          String stat = Files.readString(task.resolve("stat"));
          String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
          String group = name.replaceAll("[0-9]+", "#");
          out.merge(group, (double) parseCpuTicks(stat) / CLOCK_TICKS_PER_SECOND, Double::sum);
        } catch (IOException | RuntimeException e) {
          // the thread ended between the listing and the read
        }
      }
    } catch (IOException e) {
      return java.util.Map.of();
    }
    return out;
  }

  /** Resident set size in bytes (VmRSS); -1 once the process is gone. */
  public static long rssBytes(long pid) {
    try {
      String status = Files.readString(Path.of("/proc", Long.toString(pid), "status"));
      return parseRssKb(status) * 1024;
    } catch (IOException e) {
      return -1;
    }
  }

  /**
   * utime + stime in clock ticks from a /proc/PID/stat line. The command name (field 2) may hold
   * spaces and parentheses, so fields are counted from the last ')'.
   */
  static long parseCpuTicks(String statLine) {
    String afterComm = statLine.substring(statLine.lastIndexOf(')') + 2);
    String[] fields = afterComm.trim().split(" +");
    // fields[0] is field 3 (state); utime is field 14 and stime field 15.
    return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
  }

  static long parseRssKb(String status) {
    for (String line : status.split("\n")) {
      if (line.startsWith("VmRSS:")) {
        String[] parts = line.substring("VmRSS:".length()).trim().split(" +");
        return Long.parseLong(parts[0]);
      }
    }
    return -1;
  }

  private static long readClockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return 100;
      }
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
      return Long.parseLong(out);
    } catch (IOException | NumberFormatException e) {
      return 100; // the value on every mainstream Linux build
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }

  public static long clockTicksPerSecond() {
    return CLOCK_TICKS_PER_SECOND;
  }
}
