package dev.ferry.storage;

import dev.ferry.storage.segment.LogSegment;
import dev.ferry.storage.segment.SegmentFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.stream.Stream;

/** Config and file helpers shared by the log tests. */
final class LogTestSupport {

  private LogTestSupport() {}

  static LogConfig config(Map<String, String> overrides) {
    return LogConfig.defaults().with(overrides);
  }

  /** Small segments and dense indexes so a few KB exercise rolls and index lookups. */
  static LogConfig small() {
    return config(
        Map.of(
            LogConfig.SEGMENT_BYTES, "4096",
            LogConfig.INDEX_INTERVAL_BYTES, "256",
            LogConfig.SEGMENT_INDEX_BYTES, "4096",
            LogConfig.FILE_DELETE_DELAY_MS, "0"));
  }

  /**
   * Copies a live partition directory byte for byte: what the disk would hold if the broker died
   * now (preallocated indexes included, no clean-shutdown trimming or snapshot).
   */
  static Path crashCopy(Path dir, Path targetParent) throws IOException {
    Path target = targetParent.resolve(dir.getFileName());
    Files.createDirectories(target);
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.copy(f, target.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    return target;
  }

  static Path segmentLog(Path dir, long base) {
    return dir.resolve(SegmentFiles.fileName(base, LogSegment.LOG_SUFFIX));
  }
}
