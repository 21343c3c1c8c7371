package dev.ferry.bench.broker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One running broker JVM that this harness started. Closing it stops the process (SIGTERM, then
 * SIGKILL after a grace period) and waits for it, so no broker outlives its run.
 */
public final class BrokerProcess implements AutoCloseable {

  private static final long GRACEFUL_STOP_SECONDS = 20;
  private static final long FORCED_STOP_SECONDS = 10;

  private final String name;
  private final Process process;
  private final long launchNanos;
  private final String bootstrapServers;
  private final Path logFile;
  private final Path dataDir;
  private final List<String> command;
  private final Path workDir;
  private final Map<String, String> listeners = new LinkedHashMap<>();

  private BrokerProcess(
      String name,
      Process process,
      long launchNanos,
      String bootstrapServers,
      Path logFile,
      Path dataDir,
      List<String> command,
      Path workDir) {
    this.name = name;
    this.process = process;
    this.launchNanos = launchNanos;
    this.bootstrapServers = bootstrapServers;
    this.logFile = logFile;
    this.dataDir = dataDir;
    this.command = List.copyOf(command);
    this.workDir = workDir;
  }

  /**
   * Starts {@code command} with stdout and stderr appended to {@code logFile}. The launch time is
   * taken just before the fork: start-up time is measured from there.
   */
  public static BrokerProcess launch(
      String name,
      List<String> command,
      Path workDir,
      String bootstrapServers,
      Path logFile,
      Path dataDir)
      throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
    long launchNanos = System.nanoTime();
    Process process = builder.start();
    ProcessReaper.register(process);
    return new BrokerProcess(
        name, process, launchNanos, bootstrapServers, logFile, dataDir, command, workDir);
  }

  /**
   * Starts this broker's command again, in the same directory, on the same data and ports, with
   * output appended to the same log: a restart. Stop this process first ({@link #close}); the new
   * process's launch time is taken just before its fork.
   */
  public BrokerProcess relaunch() throws IOException {
    if (process.isAlive()) {
      throw new IllegalStateException(name + " (pid " + pid() + ") is still running");
    }
    BrokerProcess again = launch(name, command, workDir, bootstrapServers, logFile, dataDir);
    again.listeners.putAll(listeners);
    return again;
  }

  /** SIGKILL, as a crash: no shutdown hook runs. Waits (bounded) until the process is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(FORCED_STOP_SECONDS, TimeUnit.SECONDS);
  }

  public String name() {
    return name;
  }

  public long pid() {
    return process.pid();
  }

  public long launchNanos() {
    return launchNanos;
  }

  public String bootstrapServers() {
    return bootstrapServers;
  }

  /**
   * The address (host:port) of one of {@link BrokerSettings#extraListeners()}, by its name.
   *
   * @throws IllegalArgumentException if the broker has no such listener
   */
  public String bootstrapServers(String listener) {
    String address = listeners.get(listener);
    if (address == null) {
      throw new IllegalArgumentException(name + " has no listener " + listener);
    }
    return address;
  }

  /** Records where the launcher put an extra listener. */
  BrokerProcess withListener(String listener, String address) {
    listeners.put(listener, address);
    return this;
  }

  public Path logFile() {
    return logFile;
  }

  public Path dataDir() {
    return dataDir;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public double cpuSeconds() {
    return ProcStat.cpuSeconds(process.pid());
  }

  public long rssBytes() {
    return ProcStat.rssBytes(process.pid());
  }

  /** The last {@code lines} lines of the broker's log, for error messages. */
  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  /** Throws with the log tail if the broker has died, so a crash is reported, not waited on. */
  public void checkAlive() {
    if (!process.isAlive()) {
      throw new BrokerDiedException(
          name
              + " (pid "
              + pid()
              + ") exited with code "
              + process.exitValue()
              + "; log tail:\n"
              + logTail(30));
    }
  }

  /**
   * Sends SIGTERM without waiting, so several processes can shut down side by side; {@link #close}
   * then waits for this one.
   */
  public void requestStop() {
    if (process.isAlive()) {
      process.destroy();
    }
  }

  /**
   * A clean stop timed by the caller: SIGTERM, then up to {@code graceSeconds} for the process to
   * exit on its own (SIGKILL after that). Returns whether it exited on its own. A broker with
   * thousands of partitions flushes and closes each log on the way out; stopped with {@link
   * #close}'s 20 s grace it was killed mid-shutdown and its next start recovered every log.
   */
  public boolean stop(long graceSeconds) throws InterruptedException {
    if (!process.isAlive()) {
      return true;
    }
    process.destroy();
    if (process.waitFor(graceSeconds, TimeUnit.SECONDS)) {
      return true;
    }
    process.destroyForcibly();
    process.waitFor(FORCED_STOP_SECONDS, TimeUnit.SECONDS);
    return false;
  }

  @Override
  public void close() {
    try {
      if (process.isAlive()) {
        process.destroy();
        if (!process.waitFor(GRACEFUL_STOP_SECONDS, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          process.waitFor(FORCED_STOP_SECONDS, TimeUnit.SECONDS);
        }
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    } finally {
      ProcessReaper.unregister(process);
    }
  }

  /** Lists a command for a log line. */
  static String describe(List<String> command) {
    List<String> quoted = new ArrayList<>();
    for (String part : command) {
      quoted.add(part.contains(" ") ? "'" + part + "'" : part);
    }
    return String.join(" ", quoted);
  }

  /** The broker process ended while the harness still needed it. */
  public static final class BrokerDiedException extends RuntimeException {
    public BrokerDiedException(String message) {
      super(message);
    }
  }
}
