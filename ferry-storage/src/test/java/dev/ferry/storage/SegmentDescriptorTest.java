package dev.ferry.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** A segment costs one descriptor, its log file: indexes are mapped, not held open. */
@EnabledOnOs(OS.LINUX)
class SegmentDescriptorTest {

  @TempDir Path tmp;

  @Test
  void onlyLogFilesStayOpenThroughRollsTruncationAndReopen() throws IOException {
    LogConfig config =
        LogTestSupport.config(
            Map.of(LogConfig.SEGMENT_BYTES, "2500", LogConfig.FILE_DELETE_DELAY_MS, "0"));
    Path dir = tmp.resolve("fd-0");
    try (PartitionLog log = PartitionLog.open(dir, config, Time.SYSTEM, true)) {
      for (int i = 0; i < 10; i++) {
        log.append(Batches.sized("b" + i, 1000, 1), 0);
      }
      assertThat(log.segmentBaseOffsets()).containsExactly(0L, 2L, 4L, 6L, 8L);
      assertThat(openFilesUnder(dir))
          .containsExactlyInAnyOrder(
              "00000000000000000000.log",
              "00000000000000000002.log",
              "00000000000000000004.log",
              "00000000000000000006.log",
              "00000000000000000008.log");
      // truncation reactivates a rolled segment (index regrown and remapped): still no index fd
      log.truncateTo(5);
      assertThat(log.logEndOffset()).isEqualTo(5);
      assertThat(Batches.values(log.read(4, 10_000, Long.MAX_VALUE, true).records()))
          .singleElement()
          .asString()
          .startsWith("b4");
      assertThat(openFilesUnder(dir))
          .containsExactlyInAnyOrder(
              "00000000000000000000.log", "00000000000000000002.log", "00000000000000000004.log");
    }
    assertThat(openFilesUnder(dir)).isEmpty();
    try (PartitionLog log = PartitionLog.open(dir, config, Time.SYSTEM, true)) {
      assertThat(log.offsetForTimestamp(0).offset()).isEqualTo(0);
      assertThat(openFilesUnder(dir)).hasSize(3).allMatch(name -> name.endsWith(".log"));
    }
  }

  /** Names of this process's open files inside {@code dir} (from /proc/self/fd). */
  private static List<String> openFilesUnder(Path dir) throws IOException {
    Path real = dir.toRealPath();
    List<String> names = new ArrayList<>();
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : (Iterable<Path>) fds::iterator) {
        Path target;
        try {
          target = Files.readSymbolicLink(fd);
        } catch (IOException e) {
          continue; // closed meanwhile (e.g. the listing's own descriptor)
        }
        if (target.startsWith(real)) {
          names.add(target.getFileName().toString());
        }
      }
    }
    return names;
  }
}
