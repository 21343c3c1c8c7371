package dev.ferry.reliability;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Simulates a power loss of a killed broker: every partition log is cut back to what its last flush
 * had forced to disk, as the storage's sync probe ({@code -Dferry.storage.syncProbe=FILE}) reported
 * it — the worst a power loss may leave (the OS may have written more of the page cache, never
 * less). Segments begun past that point are deleted with their indexes; the segment holding it is
 * truncated at the first batch at or past it. Index and checkpoint files are left as they are, as a
 * power loss would: recovery must cope.
 */
final class PowerLoss {

  private PowerLoss() {}

  /** The JVM option that turns the probe on, writing to {@code probe}. */
  static String probeOption(Path probe) {
    return "-Dferry.storage.syncProbe=" + probe.toAbsolutePath();
  }

  /**
   * Cuts every partition directory under {@code logDir} back to its synced offset (0 if the probe
   * never reported one); returns the bytes dropped per partition directory name.
   */
  static Map<String, Long> dropUnsynced(Path logDir, Path probe) throws IOException {
    Map<Path, Long> synced = new HashMap<>();
    if (Files.exists(probe)) {
      for (String line : Files.readAllLines(probe)) {
        int space = line.lastIndexOf(' ');
        try {
          synced.merge(
              Path.of(line.substring(0, space)),
              Long.parseLong(line.substring(space + 1)),
              Math::max);
        } catch (RuntimeException e) {
          // A line torn by the kill: the flush it reports may not have finished.
        }
      }
    }
    Map<String, Long> dropped = new HashMap<>();
    try (Stream<Path> dirs = Files.list(logDir)) {
      for (Path dir : dirs.filter(Files::isDirectory).toList()) {
        long offset = synced.getOrDefault(dir.toAbsolutePath(), 0L);
        dropped.put(dir.getFileName().toString(), cut(dir, offset));
      }
    }
    return dropped;
  }

  private static long cut(Path dir, long offset) throws IOException {
    List<Path> segments;
    try (Stream<Path> files = Files.list(dir)) {
      segments = files.filter(f -> f.getFileName().toString().endsWith(".log")).sorted().toList();
    }
    long dropped = 0;
    for (int i = 0; i < segments.size(); i++) {
      Path segment = segments.get(i);
      String name = segment.getFileName().toString();
      String base = name.substring(0, name.length() - ".log".length());
      if (i > 0 && Long.parseLong(base) >= offset) {
        // A segment begun after the last flush: gone with its indexes.
        dropped += Files.size(segment);
        for (String suffix : List.of(".log", ".index", ".timeindex")) {
          Files.deleteIfExists(dir.resolve(base + suffix));
        }
        continue;
      }
      try (FileChannel ch =
          FileChannel.open(segment, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        long size = ch.size();
        long keep = firstBatchAtOrPast(ch, offset);
        if (keep < size) {
          ch.truncate(keep);
          dropped += size - keep;
        }
      }
    }
    return dropped;
  }

  /** The position of the first batch whose base offset is {@code offset} or more, else the size. */
  private static long firstBatchAtOrPast(FileChannel ch, long offset) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(12);
    long pos = 0;
    long size = ch.size();
    while (pos + 12 <= size) {
      header.clear();
      ch.read(header, pos);
      long baseOffset = header.getLong(0);
      int length = header.getInt(8);
      if (baseOffset >= offset || length <= 0) {
        return pos;
      }
      pos += 12L + length;
    }
    return Math.min(pos, size);
  }
}
