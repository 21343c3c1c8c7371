package dev.ferry.it;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A Ferry broker in its own JVM, so a test can SIGKILL it mid-write. Its output is kept for
 * assertions on log lines.
 */
public final class BrokerProcess implements AutoCloseable {

  /**
   * The client compiler only: a broker JVM starts with about a third less CPU (no C2 compilations
   * competing for the cores), which matters where tests start and restart brokers dozens of times
   * on a two-core machine; the light test workloads do not need C2's code.
   */
  public static final String FAST_START = "-XX:TieredStopAtLevel=1";

  private final Process process;
  private final List<String> output = new CopyOnWriteArrayList<>();
  private final CountDownLatch ready = new CountDownLatch(1);

  /** Reads the process's output into {@link #output}; ends at its end of file. */
  private final Thread pump;

  private BrokerProcess(Process process) {
    this.process = process;
    pump =
        OutputPump.start(
            process,
            "broker-process-output",
            line -> {
              output.add(line);
              if (line.contains("listening on")) {
                ready.countDown();
              }
            },
            e -> {}); // the process died; its output ends here
  }

  /** Starts a broker JVM with {@code overrides} and waits (bounded) until it listens. */
  public static BrokerProcess start(Map<String, String> overrides) throws Exception {
    return start(List.of(), overrides);
  }

  /**
   * Like {@link #start(Map)}, with the JVM's open-files limit set to {@code openFilesLimit} ({@code
   * ulimit -n} in a shell that then execs the JVM).
   */
  public static BrokerProcess startWithOpenFilesLimit(
      int openFilesLimit, Map<String, String> overrides) throws Exception {
    return start(
        List.of("sh", "-c", "ulimit -n \"$0\" && exec \"$@\"", Integer.toString(openFilesLimit)),
        overrides);
  }

  /**
   * Starts a broker JVM through {@code launcher} (a command that execs the rest, e.g. {@code ip
   * netns exec NAME} or {@code faketime ...}, so the process id stays the JVM's) and waits
   * (bounded) until it listens.
   */
  public static BrokerProcess start(List<String> launcher, Map<String, String> overrides)
      throws Exception {
    List<String> cmd = new ArrayList<>(launcher);
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx512m");
    cmd.add(FAST_START);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add("dev.ferry.broker.BrokerMain");
    for (Map.Entry<String, String> e : overrides.entrySet()) {
      cmd.add("--override");
      cmd.add(e.getKey() + "=" + e.getValue());
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    BrokerProcess bp = new BrokerProcess(p);
    if (!bp.ready.await(60, TimeUnit.SECONDS)) {
      bp.kill();
      throw new IllegalStateException("Broker did not start:\n" + String.join("\n", bp.output));
    }
    return bp;
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    if (process.waitFor(30, TimeUnit.SECONDS)) {
      awaitOutput();
    }
  }

  /**
   * Waits (bounded) until the output of a process that ended has been read to its end: on a busy
   * machine the reading thread may lag behind, and a copy taken at once would miss the last lines,
   * e.g. everything a broker logged while stopping.
   */
  private void awaitOutput() throws InterruptedException {
    pump.join(10_000);
  }

  public long pid() {
    return process.pid();
  }

  /** Descriptors the broker process has open now (Linux: entries of /proc/<pid>/fd). */
  public long openFileDescriptors() throws IOException {
    try (java.util.stream.Stream<Path> fds =
        java.nio.file.Files.list(Path.of("/proc", Long.toString(pid()), "fd"))) {
      return fds.count();
    }
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public List<String> output() {
    return output;
  }

  /** SIGSTOP: the whole JVM freezes (its embedded ZooKeeper too); sockets stay open. */
  public void pause() throws IOException, InterruptedException {
    signal("STOP");
  }

  /** SIGCONT after {@link #pause}. */
  public void resume() throws IOException, InterruptedException {
    signal("CONT");
  }

  /** How long a clean stop may take after SIGTERM before the broker counts as stuck. */
  public static final long STOP_BOUND_SECONDS = 30;

  /**
   * How long after SIGTERM a broker still running has its threads dumped: a clean stop's own bounds
   * (controlled shutdown 10 s, each stopping thread a few seconds) are mostly below it, so a stop
   * that is merely slow leaves evidence too.
   */
  public static final long SLOW_STOP_SECONDS = Long.getLong("ferry.test.slowStopSeconds", 15);

  /**
   * SIGTERM and wait (bounded) for the shutdown hook to stop the broker cleanly. A broker still
   * running {@link #SLOW_STOP_SECONDS} after the signal has its threads and heap dumped ({@code
   * jcmd PID Thread.print -l}, {@code GC.heap_info}) into its output, into {@code
   * target/broker-process-PID-slow-stop.txt} and onto this JVM's standard output (the test's
   * report). One still running after {@link #STOP_BOUND_SECONDS} is dumped again ({@code
   * -stuck-stop.txt}), SIGKILLed, and the stop fails.
   *
   * @return how long the stop took, in milliseconds
   */
  public long stopGracefully() throws InterruptedException {
    long t0 = System.nanoTime();
    terminate();
    if (process.waitFor(SLOW_STOP_SECONDS, TimeUnit.SECONDS)) {
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      awaitOutput();
      return ms;
    }
    dumpStop("slow", "still running " + SLOW_STOP_SECONDS + " s after SIGTERM");
    long left = TimeUnit.SECONDS.toNanos(STOP_BOUND_SECONDS) - (System.nanoTime() - t0);
    if (process.waitFor(Math.max(0, left), TimeUnit.NANOSECONDS)) {
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
      awaitOutput();
      return ms;
    }
    String message =
        "Broker " + pid() + " did not stop within " + STOP_BOUND_SECONDS + " s of SIGTERM";
    dumpStop("stuck", message);
    kill();
    throw new IllegalStateException(message + " (thread dumps in its output)");
  }

  /**
   * SIGTERM through the process handle. Not {@link Process#destroy()}: on Linux it also closes this
   * side of the process's pipes, so everything the broker logs while it stops would be lost (its
   * writes fail) — a stop looked silent although it logged.
   */
  private void terminate() {
    process.toHandle().destroy();
  }

  private void dumpStop(String kind, String why) throws InterruptedException {
    List<String> dump = new ArrayList<>();
    dump.add("---- Broker " + pid() + " " + why + "; its threads (jcmd Thread.print -l):");
    dump.addAll(jcmd("Thread.print", "-l"));
    dump.add("---- its heap (jcmd GC.heap_info):");
    dump.addAll(jcmd("GC.heap_info"));
    dump.add("---- end of the " + kind + "-stop dump of broker " + pid());
    output.addAll(dump);
    try {
      java.nio.file.Files.write(
          Path.of("target", "broker-process-" + pid() + "-" + kind + "-stop.txt"), dump);
    } catch (IOException e) {
      // The dump is in the output too.
    }
    dump.forEach(System.out::println);
  }

  /**
   * The answer of the broker JVM to a diagnostic command ({@code jcmd PID COMMAND...}, e.g. {@code
   * Thread.print -l}: every thread's stack and the locks it holds or waits for), bounded: 30 s; on
   * failure, lines that say why.
   */
  public List<String> jcmd(String... command) throws InterruptedException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
    cmd.add(Long.toString(pid()));
    cmd.addAll(List.of(command));
    List<String> lines = new CopyOnWriteArrayList<>();
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      Thread reader =
          OutputPump.start(
              p,
              "jcmd-output",
              lines::add,
              e -> lines.add("(reading jcmd's output failed: " + e + ")"));
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        lines.add("(jcmd did not answer within 30 s)");
      }
      reader.join(5_000);
    } catch (IOException e) {
      lines.add("(jcmd failed: " + e + ")");
    }
    return new ArrayList<>(lines);
  }

  private void signal(String name) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(pid())).start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IOException("kill -" + name + " " + pid() + " failed");
    }
  }

  /**
   * Stops the broker (SIGTERM, then SIGKILL) and keeps its output, to the end, under target/ for
   * diagnosis.
   */
  @Override
  public void close() {
    try {
      if (process.isAlive()) {
        terminate();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          kill();
        }
      }
      awaitOutput();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      java.nio.file.Files.write(
          Path.of("target", "broker-process-" + process.pid() + ".log"), output);
    } catch (IOException e) {
      // Diagnostics only.
    }
  }
}
