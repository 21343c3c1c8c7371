package dev.ferry.bench.broker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/** Writes broker configuration as a sorted Java properties file, one key a line. */
final class ConfigFiles {

  private ConfigFiles() {}

  static void writeProperties(Path file, String header, Map<String, String> config)
      throws IOException {
    StringBuilder text = new StringBuilder("# ").append(header).append('\n');
    for (Map.Entry<String, String> e : new TreeMap<>(config).entrySet()) {
      text.append(e.getKey()).append('=').append(e.getValue()).append('\n');
    }
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }
}
