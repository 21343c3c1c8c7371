package dev.ferry.it;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A client program in a JVM of its own, on the test's class path, so a test can SIGKILL it; the
 * lines it prints are collected as they come.
 */
record ChildJvm(Process process, List<String> lines) {

  static ChildJvm start(Class<?> main, List<String> args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main.getName());
    cmd.addAll(args);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    List<String> lines = new CopyOnWriteArrayList<>();
    OutputPump.start(
        p, main.getSimpleName() + "-output", lines::add, e -> {}); // died: its output ends here
    return new ChildJvm(p, lines);
  }

  boolean printed(String line) {
    return lines.contains(line);
  }
}
