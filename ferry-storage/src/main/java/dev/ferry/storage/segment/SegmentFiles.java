package dev.ferry.storage.segment;

import dev.ferry.storage.txn.TransactionIndex;
import java.nio.file.Path;

/**
 * How a segment's files are named, as in Kafka: the base offset in 20 digits, then the file's kind
 * ({@code .log}, {@code .index}, {@code .timeindex}, {@code .txnindex}), then an optional state
 * suffix ({@code .deleted}, {@code .cleaned}, {@code .swap}) that start-up reads to finish or undo
 * what a crash interrupted.
 */
public final class SegmentFiles {

  private SegmentFiles() {}

  public static String fileName(long offset, String suffix) {
    return String.format("%020d%s", offset, suffix);
  }

  public static Path logFile(Path dir, long baseOffset) {
    return dir.resolve(fileName(baseOffset, LogSegment.LOG_SUFFIX));
  }

  public static Path indexFile(Path dir, long baseOffset) {
    return dir.resolve(fileName(baseOffset, LogSegment.INDEX_SUFFIX));
  }

  public static Path timeIndexFile(Path dir, long baseOffset) {
    return dir.resolve(fileName(baseOffset, LogSegment.TIME_INDEX_SUFFIX));
  }

  static Path txnIndexFile(Path dir, long baseOffset) {
    return dir.resolve(fileName(baseOffset, TransactionIndex.SUFFIX));
  }

  /** {@code file} with a state suffix after its usual name ("" for none). */
  public static Path withSuffix(Path file, String suffix) {
    return suffix.isEmpty() ? file : file.resolveSibling(file.getFileName() + suffix);
  }

  /** {@code file} with its state suffix {@code from} replaced by {@code to}. */
  static Path renamed(Path file, String from, String to) {
    String name = file.getFileName().toString();
    if (!name.endsWith(from)) {
      throw new IllegalStateException(file + " does not end with '" + from + "'");
    }
    return file.resolveSibling(name.substring(0, name.length() - from.length()) + to);
  }
}
