package dev.ferry.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;

/** Facts about the machine and checkout the numbers came from, and its scratch space. */
public final class Machine {

  private Machine() {}

  /** The 1-min load average, NaN if unreadable. */
  public static double loadAverage() {
    try {
      return Double.parseDouble(Files.readString(Path.of("/proc/loadavg")).split(" ")[0]);
    } catch (IOException | NumberFormatException e) {
      return Double.NaN;
    }
  }

  /** The short commit of the git checkout at {@code home}, "unknown" if git cannot tell. */
  public static String gitCommit(Path home) {
    try {
      Process p =
          new ProcessBuilder("git", "-C", home.toString(), "rev-parse", "--short", "HEAD")
              .redirectErrorStream(true)
              .start();
      String s = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor();
      return s;
    } catch (IOException e) {
      return "unknown";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "unknown";
    }
  }

  /** Deletes a run's scratch directory and everything below it; absent is fine. */
  public static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  /**
   * Deletes a run's scratch directory where a failure to delete must not end the benchmark: the
   * figures are already taken, so it is only reported.
   */
  public static void deleteQuietly(Path dir) {
    try {
      deleteRecursively(dir);
    } catch (IOException e) {
      System.err.println("bench: could not delete " + dir + ": " + e.getMessage());
    }
  }

  public static String describe() {
    String cpu = "unknown CPU";
    long memKb = 0;
    try {
      for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
        if (line.startsWith("model name")) {
          cpu = line.substring(line.indexOf(':') + 1).trim();
          break;
        }
      }
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          memKb = Long.parseLong(line.replaceAll("[^0-9]", ""));
          break;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // keep the defaults: the report still says what it knows
    }
    return String.format(
        Locale.ROOT,
        "Machine: %d cores (%s), %.0f GiB RAM, Linux %s, Java %s.",
        Runtime.getRuntime().availableProcessors(),
        cpu,
        memKb / 1024.0 / 1024.0,
        System.getProperty("os.version"),
        System.getProperty("java.version"));
  }
}
