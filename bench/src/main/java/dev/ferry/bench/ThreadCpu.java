package dev.ferry.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where a broker's CPU went during one workload, by thread group (the kernel's thread names, which
 * it cuts to 15 characters, digits folded): network threads, request handlers, the JIT compilers,
 * the garbage collector. Tells a per-request cost (network, handlers) from a warm-up one (compiler
 * threads) when two workloads' CPU per message differ. Appended to a tab-separated file.
 */
final class ThreadCpu {

  private ThreadCpu() {}

  /**
   * Appends one line per thread group that used CPU between {@code before} and {@code after}:
   * label, the window (epoch ms, for a Flight Recording's {@code JfrSummary FILE TOP FROM TO}; and
   * CLOCK_MONOTONIC seconds, for {@code perf record -k mono} and {@code perf report --time
   * FROM,TO}), group, CPU seconds, CPU µs per message.
   *
   * @param window epoch ms from and to, then System.nanoTime() from and to
   */
  static void append(
      Path file,
      String label,
      long[] window,
      Map<String, Double> before,
      Map<String, Double> after,
      long msgs) {
    List<String> lines = new ArrayList<>();
    after.forEach(
        (group, seconds) -> {
          double used = seconds - before.getOrDefault(group, 0.0);
          if (used > 0) {
            lines.add(
                String.format(
                    Locale.ROOT,
                    "%s\t%d\t%d\t%.6f,%.6f\t%s\t%.3f\t%.3f",
                    label,
                    window[0],
                    window[1],
                    window[2] / 1e9,
                    window[3] / 1e9,
                    group,
                    used,
                    msgs == 0 ? 0.0 : used * 1e6 / msgs));
          }
        });
    try {
      Files.write(file, lines, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
