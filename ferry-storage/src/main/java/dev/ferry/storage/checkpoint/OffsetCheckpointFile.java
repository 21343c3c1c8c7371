package dev.ferry.storage.checkpoint;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A per-log-dir text file of one offset per partition, in Kafka's checkpoint layout: a version line
 * ({@code 0}), an entry count line, then {@code topic partition offset} lines (see {@link
 * TextCheckpoint}).
 */
public final class OffsetCheckpointFile {

  private static final Logger log = LoggerFactory.getLogger(OffsetCheckpointFile.class);
  private final Path file;

  public OffsetCheckpointFile(Path file) {
    this.file = file;
  }

  Path file() {
    return file;
  }

  public void write(Map<TopicPartition, Long> offsets) throws IOException {
    List<String> lines = new ArrayList<>(offsets.size());
    for (Map.Entry<TopicPartition, Long> e : offsets.entrySet()) {
      lines.add(e.getKey().topic() + " " + e.getKey().partition() + " " + e.getValue());
    }
    TextCheckpoint.write(file, lines);
  }

  /**
   * Reads the file; a missing file is an empty map. A malformed file is logged and treated as
   * empty, which only costs a longer recovery (offsets fall back to the safe defaults).
   */
  public Map<TopicPartition, Long> read() {
    Map<TopicPartition, Long> result = new HashMap<>();
    List<String> lines;
    try {
      lines = TextCheckpoint.read(file);
    } catch (NoSuchFileException e) {
      return result;
    } catch (IOException e) {
      log.warn("Cannot read checkpoint file {}; ignoring it", file, e);
      return result;
    } catch (RuntimeException e) {
      log.warn("Malformed checkpoint file {} ({}); ignoring it", file, e.getMessage());
      return result;
    }
    try {
      for (String line : lines) {
        String[] parts = line.split(" ");
        if (parts.length != 3) {
          throw new IllegalArgumentException("bad line '" + line + "'");
        }
        result.put(
            new TopicPartition(parts[0], Integer.parseInt(parts[1])), Long.parseLong(parts[2]));
      }
    } catch (RuntimeException e) {
      log.warn("Malformed checkpoint file {} ({}); ignoring it", file, e.getMessage());
      result.clear();
    }
    return result;
  }
}
