package dev.ferry.storage.checkpoint;

import dev.ferry.storage.segment.DirSync;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Kafka's checkpoint text layout shared by every checkpoint file: a version line ({@code 0}), an
 * entry count line, then one line per entry. Written to a {@code .tmp} sibling, fsynced and
 * atomically renamed (then the directory fsynced), so a crash leaves either the old or the new
 * file.
 */
public final class TextCheckpoint {

  static final int VERSION = 0;

  private TextCheckpoint() {}

  public static void write(Path file, List<String> entries) throws IOException {
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
      w.write(Integer.toString(entries.size()));
      w.newLine();
      for (String e : entries) {
        w.write(e);
        w.newLine();
      }
      w.flush();
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    DirSync.fsync(file.getParent());
  }

  /**
   * The entry lines of {@code file}, trimmed.
   *
   * @throws java.nio.file.NoSuchFileException the file does not exist
   * @throws IllegalArgumentException the version is unknown or fewer entries than announced
   */
  public static List<String> read(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    if (lines.size() < 2 || Integer.parseInt(lines.get(0).trim()) != VERSION) {
      throw new IllegalArgumentException("bad header");
    }
    int count = Integer.parseInt(lines.get(1).trim());
    if (count < 0 || lines.size() < 2 + count) {
      throw new IllegalArgumentException("expected " + count + " entries");
    }
    return lines.subList(2, 2 + count).stream().map(String::trim).toList();
  }
}
