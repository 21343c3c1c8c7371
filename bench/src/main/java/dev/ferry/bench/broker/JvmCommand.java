package dev.ferry.bench.broker;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Builds the java command line shared by both brokers: same JVM, same heap, same flags. */
final class JvmCommand {

  private JvmCommand() {}

  static List<String> java(
      BrokerSettings settings, List<String> extraJvmArgs, String classpath, String mainClass) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xms" + settings.heap());
    command.add("-Xmx" + settings.heap());
    command.addAll(settings.jvmFlags());
    command.add("-Djava.awt.headless=true");
    command.addAll(extraJvmArgs);
    command.add("-cp");
    command.add(classpath);
    command.add(mainClass);
    return command;
  }
}
