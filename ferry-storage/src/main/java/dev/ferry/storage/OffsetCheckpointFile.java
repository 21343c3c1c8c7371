package dev.ferry.storage;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A per-log-dir text file of one offset per partition, in Kafka's checkpoint layout: a version line
 * ({@code 0}), an entry count line, then {@code topic partition offset} lines. Written to a temp
 * file, fsynced and atomically renamed so a crash leaves either the old or the new file.
 */
final class OffsetCheckpointFile {

  private static final Logger log = LoggerFactory.getLogger(OffsetCheckpointFile.class);
  private static final int VERSION = 0;

  private final Path file;

  OffsetCheckpointFile(Path file) {
    this.file = file;
  }

  Path file() {
    return file;
  }

  void write(Map<TopicPartition, Long> offsets) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel ch =
            FileChannel.open(
                tmp,
                StandardOpenOption.CREATE,
                StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING);
        BufferedWriter w =
            new BufferedWriter(
                new OutputStreamWriter(Channels.newOutputStream(ch), StandardCharsets.UTF_8))) {
      w.write(Integer.toString(VERSION));
      w.newLine();
      w.write(Integer.toString(offsets.size()));
      w.newLine();
      for (Map.Entry<TopicPartition, Long> e : offsets.entrySet()) {
        w.write(e.getKey().topic() + " " + e.getKey().partition() + " " + e.getValue());
        w.newLine();
      }
      w.flush();
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    DirSync.fsync(file.getParent());
  }

  /**
   * Reads the file; a missing file is an empty map. A malformed file is logged and treated as
   * empty, which only costs a longer recovery (offsets fall back to the safe defaults).
   */
  Map<TopicPartition, Long> read() {
    Map<TopicPartition, Long> result = new HashMap<>();
    List<String> lines;
    try {
      lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return result;
    } catch (IOException e) {
      log.warn("Cannot read checkpoint file {}; ignoring it", file, e);
      return result;
    }
    try {
      if (lines.size() < 2 || Integer.parseInt(lines.get(0).trim()) != VERSION) {
        throw new IllegalArgumentException("bad header");
      }
      int count = Integer.parseInt(lines.get(1).trim());
      if (lines.size() < 2 + count) {
        throw new IllegalArgumentException("expected " + count + " entries");
      }
      for (int i = 0; i < count; i++) {
        String[] parts = lines.get(2 + i).trim().split(" ");
        if (parts.length != 3) {
          throw new IllegalArgumentException("bad line '" + lines.get(2 + i) + "'");
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
