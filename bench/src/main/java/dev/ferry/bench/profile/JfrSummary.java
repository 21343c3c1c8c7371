package dev.ferry.bench.profile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedMethod;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Turns a Flight Recorder file into a Markdown profile: where the broker's CPU samples land, by the
 * method on top of the stack (self time) and by the innermost Ferry method on the stack (the Ferry
 * code responsible, library time included), and how many bytes each thread allocated.
 *
 * <p>Usage: {@code JfrSummary FILE.jfr [TOP] [FROM_EPOCH_MS TO_EPOCH_MS]}; the Markdown goes to
 * standard output. A window keeps only the events that started in it (one workload of a run, as
 * {@code bench/security} logs the windows in its {@code threads.tsv}).
 */
public final class JfrSummary {

  private final Map<String, Long> selfSamples = new HashMap<>();
  private final Map<String, Long> ferrySamples = new HashMap<>();
  private final Map<String, Long> threadSamples = new HashMap<>();
  private final Map<String, Long> allocationByTopFerryFrame = new HashMap<>();
  private long samples;
  private long allocationSamples;
  private long fromMs = Long.MIN_VALUE;
  private long toMs = Long.MAX_VALUE;

  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      System.err.println("usage: JfrSummary FILE.jfr [TOP]");
      System.exit(2);
    }
    int top = args.length > 1 ? Integer.parseInt(args[1]) : 25;
    JfrSummary summary = new JfrSummary();
    if (args.length > 3) {
      summary.fromMs = Long.parseLong(args[2]);
      summary.toMs = Long.parseLong(args[3]);
    }
    try (RecordingFile file = new RecordingFile(Path.of(args[0]))) {
      while (file.hasMoreEvents()) {
        summary.accept(file.readEvent());
      }
    }
    System.out.print(summary.markdown(args[0], top));
  }

  private void accept(RecordedEvent event) {
    long at = event.getStartTime().toEpochMilli();
    if (at < fromMs || at > toMs) {
      return;
    }
    String type = event.getEventType().getName();
    RecordedStackTrace stack = event.getStackTrace();
    if (stack == null || stack.getFrames().isEmpty()) {
      return;
    }
    List<RecordedFrame> frames = stack.getFrames();
    if (type.equals("jdk.ExecutionSample")) {
      samples++;
      selfSamples.merge(name(frames.get(0)), 1L, Long::sum);
      ferrySamples.merge(innermostFerryFrame(frames), 1L, Long::sum);
      if (event.hasField("sampledThread") && event.getThread("sampledThread") != null) {
        String thread = event.getThread("sampledThread").getJavaName();
        threadSamples.merge(threadFamily(thread), 1L, Long::sum);
      }
    } else if (type.equals("jdk.ObjectAllocationSample")) {
      long weight = event.getLong("weight");
      allocationSamples += weight;
      allocationByTopFerryFrame.merge(innermostFerryFrame(frames), weight, Long::sum);
    }
  }

  /** Network threads are numbered per processor; one row for all of them reads better. */
  private static String threadFamily(String thread) {
    return thread == null ? "(unknown)" : thread.replaceAll("-\\d+$", "-N");
  }

  private static String innermostFerryFrame(List<RecordedFrame> frames) {
    for (RecordedFrame frame : frames) {
      RecordedMethod method = frame.getMethod();
      if (method != null && method.getType().getName().startsWith("dev.ferry.")) {
        return name(frame);
      }
    }
    return "(no Ferry frame: JVM or library thread)";
  }

  private static String name(RecordedFrame frame) {
    RecordedMethod method = frame.getMethod();
    if (method == null) {
      return "(unknown)";
    }
    String type = method.getType().getName();
    return type.substring(type.lastIndexOf('.') + 1) + "." + method.getName();
  }

  private String markdown(String file, int top) {
    StringBuilder out = new StringBuilder();
    out.append("Profile of `").append(file).append("`: ").append(samples);
    out.append(" CPU samples, ").append(String.format("%,d", allocationSamples / (1 << 20)));
    out.append(" MiB of sampled allocation.\n\n");
    table(out, "CPU by thread", "thread", threadSamples, samples, top);
    table(out, "CPU by method on top of the stack (self)", "method", selfSamples, samples, top);
    table(
        out,
        "CPU by innermost Ferry method on the stack (inclusive of the library code it calls)",
        "Ferry method",
        ferrySamples,
        samples,
        top);
    table(
        out,
        "Allocation by innermost Ferry method on the stack",
        "Ferry method",
        allocationByTopFerryFrame,
        allocationSamples,
        top);
    return out.toString();
  }

  private static void table(
      StringBuilder out, String title, String what, Map<String, Long> counts, long total, int top) {
    out.append("### ").append(title).append("\n\n");
    out.append("| ").append(what).append(" | share |\n|---|---:|\n");
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(top)
        .forEach(
            e ->
                out.append("| `")
                    .append(e.getKey())
                    .append("` | ")
                    .append(String.format("%.1f%%", 100.0 * e.getValue() / Math.max(1, total)))
                    .append(" |\n"));
    out.append('\n');
  }
}
