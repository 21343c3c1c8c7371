package dev.ferry.bench.stock;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code jcmd PID COMMAND ARGS...} against a JVM this harness started, bounded in time. */
final class Jcmd {

  private Jcmd() {}

  static String run(long pid, String... commandAndArgs) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString());
    command.add(Long.toString(pid));
    command.addAll(List.of(commandAndArgs));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    // jcmd exits 0 when the diagnostic command itself fails; its output says so.
    if (!p.waitFor(60, TimeUnit.SECONDS)
        || p.exitValue() != 0
        || out.contains("Could not")
        || out.contains("Exception")
        || out.contains("No recording")) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " failed: " + out);
    }
    return out;
  }
}
