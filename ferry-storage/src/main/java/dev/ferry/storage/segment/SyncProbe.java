package dev.ferry.storage.segment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A test seam for power-loss simulation, off unless the system property {@value #PROPERTY} names a
 * file: then, each time a partition's segments have been forced to disk up to an offset, a line
 * {@code <partition dir> <offset>} is appended to it. A test that kills the broker can cut each log
 * back to what had reached the disk — what a power loss may leave — and check what survives. Off,
 * it costs one null check per flush.
 */
final class SyncProbe {

  static final String PROPERTY = "ferry.storage.syncProbe";

  private static final FileChannel PROBE = open(System.getProperty(PROPERTY));

  private SyncProbe() {}

  private static FileChannel open(String file) {
    if (file == null || file.isEmpty()) {
      return null;
    }
    try {
      return FileChannel.open(
          Path.of(file),
          StandardOpenOption.CREATE,
          StandardOpenOption.WRITE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot open the sync probe " + file, e);
    }
  }

  /** Everything of the log in {@code dir} below {@code offset} is on disk. */
  static void synced(Path dir, long offset) {
    if (PROBE == null) {
      return;
    }
    ByteBuffer line =
        ByteBuffer.wrap(
            (dir.toAbsolutePath() + " " + offset + "\n").getBytes(StandardCharsets.UTF_8));
    synchronized (PROBE) {
      try {
        while (line.hasRemaining()) {
          PROBE.write(line);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot write the sync probe", e);
      }
    }
  }
}
