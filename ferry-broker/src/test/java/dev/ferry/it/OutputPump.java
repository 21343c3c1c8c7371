package dev.ferry.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/** Reads what a child process prints, line by line, on a daemon thread, until its end of file. */
final class OutputPump {

  private OutputPump() {}

  /**
   * Starts the thread {@code name}: each line of {@code process}'s output goes to {@code onLine}; a
   * failed read (the process died) goes to {@code onFailure} and ends it.
   */
  static Thread start(
      Process process, String name, Consumer<String> onLine, Consumer<IOException> onFailure) {
    Thread t =
        new Thread(
            () -> {
              try (BufferedReader r =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                  onLine.accept(line);
                }
              } catch (IOException e) {
                onFailure.accept(e);
              }
            },
            name);
    t.setDaemon(true);
    t.start();
    return t;
  }
}
