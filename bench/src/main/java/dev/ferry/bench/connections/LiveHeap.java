package dev.ferry.bench.connections;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The live heap of another JVM, from {@code jcmd PID GC.class_histogram} (a full collection first,
 * so only reachable objects count): total bytes and bytes per class, to see what a connection costs
 * and which classes it is made of.
 */
final class LiveHeap {

  private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");
  private static final Pattern TOTAL = Pattern.compile("^Total\\s+(\\d+)\\s+(\\d+)");

  /** Live bytes in total and by class name. */
  record Snapshot(
      long totalBytes, Map<String, Long> bytesByClass, Map<String, Long> countByClass) {}

  private LiveHeap() {}

  static Snapshot of(long pid) throws IOException, InterruptedException {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    Process p =
        new ProcessBuilder(jcmd.toString(), Long.toString(pid), "GC.class_histogram")
            .redirectErrorStream(true)
            .start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("jcmd GC.class_histogram timed out for pid " + pid);
    }
    return parse(new String(out, StandardCharsets.UTF_8).lines().toList());
  }

  static Snapshot parse(List<String> lines) throws IOException {
    Map<String, Long> bytes = new HashMap<>();
    Map<String, Long> counts = new HashMap<>();
    for (String line : lines) {
      Matcher total = TOTAL.matcher(line);
      if (total.find()) {
        return new Snapshot(Long.parseLong(total.group(2)), bytes, counts);
      }
      Matcher row = ROW.matcher(line);
      if (row.find()) {
        bytes.merge(row.group(3), Long.parseLong(row.group(2)), Long::sum);
        counts.merge(row.group(3), Long.parseLong(row.group(1)), Long::sum);
      }
    }
    throw new IOException("no Total line in the class histogram: " + lines);
  }
}
