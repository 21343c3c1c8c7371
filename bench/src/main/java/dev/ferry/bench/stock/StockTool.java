package dev.ferry.bench.stock;

import dev.ferry.bench.broker.ProcessReaper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs one of Kafka's stock tools (from the kafka-tools 4.4.0 jar in the Kafka lib directory) as a
 * JVM of its own, as {@code bin/kafka-producer-perf-test.sh} would (-Xmx512M), and returns its
 * output and the CPU time it used. The tool's CPU is read from this process's children counters
 * ({@code cutime}+{@code cstime} of /proc/self/stat), which the kernel adds a child's whole CPU
 * time to once it has been waited for.
 */
final class StockTool {

  /** Output lines of a finished tool, and its CPU seconds (all threads). */
  record Result(List<String> lines, double cpuSeconds) {}

  private final Path kafkaLib;
  private final Path logDir;

  StockTool(Path kafkaLib, Path logDir) {
    this.kafkaLib = kafkaLib;
    this.logDir = logDir;
  }

  Result run(String label, String mainClass, List<String> args, long timeoutSeconds)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx512M");
    command.add("-cp");
    command.add(kafkaLib.toAbsolutePath() + "/*");
    command.add(mainClass);
    command.addAll(args);
    Path log = logDir.resolve(label + ".log");
    Files.writeString(log, "# " + String.join(" ", command) + "\n");
    double childCpuBefore = childrenCpuSeconds();
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
    ProcessReaper.register(process);
    try {
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        throw new IllegalStateException(label + ": timed out after " + timeoutSeconds + " s");
      }
    } finally {
      ProcessReaper.unregister(process);
    }
    double cpu = childrenCpuSeconds() - childCpuBefore;
    List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          label + ": exit code " + process.exitValue() + "; see " + log.toAbsolutePath());
    }
    return new Result(lines, cpu);
  }

  /** cutime + cstime of this JVM: CPU of its waited-for children. */
  static double childrenCpuSeconds() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      return parseChildrenTicks(stat)
          / (double) dev.ferry.bench.broker.ProcStat.clockTicksPerSecond();
    } catch (IOException e) {
      return Double.NaN;
    }
  }

  static long parseChildrenTicks(String statLine) {
    String[] f = statLine.substring(statLine.lastIndexOf(')') + 2).trim().split(" +");
    // f[0] is field 3; cutime is field 16 and cstime field 17.
    return Long.parseLong(f[13]) + Long.parseLong(f[14]);
  }
}
