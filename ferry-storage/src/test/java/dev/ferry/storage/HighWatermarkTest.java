package dev.ferry.storage;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HighWatermarkTest {

  @TempDir Path tmp;
  private final List<LogManager> managers = new ArrayList<>();

  private static final long NOW = 1_700_000_000_000L;

  @AfterEach
  void closeAll() {
    managers.forEach(LogManager::close);
  }

  /** Two ~1 KB batches per segment, file deletion at once. */
  private static LogConfig config(String key, String value) {
    return LogTestSupport.config(
        Map.of(LogConfig.SEGMENT_BYTES, "2500", LogConfig.FILE_DELETE_DELAY_MS, "0", key, value));
  }

  @Test
  void highWatermarkIsClampedIntoTheLog() {
    try (PartitionLog log =
        PartitionLog.open(tmp.resolve("t-0"), LogConfig.defaults(), Time.SYSTEM, true)) {
      assertThat(log.highWatermark()).isZero();
      log.append(Batches.batch("a", 5, NOW), 0);
      assertThat(log.highWatermark()).isZero(); // appends alone do not commit
      log.updateHighWatermark(3);
      assertThat(log.highWatermark()).isEqualTo(3);
      log.updateHighWatermark(99);
      assertThat(log.highWatermark()).isEqualTo(5);
      log.updateHighWatermark(2); // a follower's may go down
      assertThat(log.highWatermark()).isEqualTo(2);
      log.advanceLogStartOffset(4); // DeleteRecords past it (a follower following its leader)
      assertThat(log.highWatermark()).isEqualTo(4);
      log.updateHighWatermark(1);
      assertThat(log.highWatermark()).isEqualTo(4);
    }
  }

  @Test
  void timeRetentionNeverDeletesAtOrAboveTheHighWatermark() {
    ManualTime time = new ManualTime(NOW);
    try (PartitionLog log =
        PartitionLog.open(
            tmp.resolve("t-0"), config(LogConfig.RETENTION_MS, "60000"), time, true)) {
      for (int i = 0; i < 7; i++) { // all expired: 0..1 | 2..3 | 4..5 | 6 (active)
        log.append(Batches.sized("v" + i, 1000, NOW - 120_000), 0);
      }
      assertThat(log.segmentBaseOffsets()).containsExactly(0L, 2L, 4L, 6L);

      assertThat(log.enforceRetention(NOW)).isZero(); // nothing replicated yet
      log.updateHighWatermark(3); // inside the second segment: only the first may go
      assertThat(log.enforceRetention(NOW)).isEqualTo(1);
      assertThat(log.segmentBaseOffsets()).containsExactly(2L, 4L, 6L);
      assertThat(log.logStartOffset()).isEqualTo(2);

      log.updateHighWatermark(6); // exactly at the active segment's base
      assertThat(log.enforceRetention(NOW)).isEqualTo(2);
      assertThat(log.segmentBaseOffsets()).containsExactly(6L);
      assertThat(Batches.values(log.read(6, 1 << 20, Long.MAX_VALUE, true).records()).get(0))
          .startsWith("v6");

      log.updateHighWatermark(7); // everything: the expired active segment is rolled and goes
      assertThat(log.enforceRetention(NOW)).isEqualTo(1);
      assertThat(log.segmentBaseOffsets()).containsExactly(7L);
      assertThat(log.logStartOffset()).isEqualTo(7);
    }
  }

  @Test
  void sizeRetentionNeverDeletesAtOrAboveTheHighWatermark() {
    try (PartitionLog log =
        PartitionLog.open(
            tmp.resolve("t-0"), config(LogConfig.RETENTION_BYTES, "0"), Time.SYSTEM, true)) {
      for (int i = 0; i < 7; i++) {
        log.append(Batches.sized("v" + i, 1000, NOW), 0);
      }
      log.updateHighWatermark(5);
      assertThat(log.enforceRetention(NOW)).isEqualTo(2); // 0..1 and 2..3; 4..5 reaches the HW
      assertThat(log.segmentBaseOffsets()).containsExactly(4L, 6L);
      log.updateHighWatermark(7);
      assertThat(log.enforceRetention(NOW)).isEqualTo(1); // never the active one for size
      assertThat(log.segmentBaseOffsets()).containsExactly(6L);
    }
  }

  @Test
  void highWatermarksAreCheckpointedPerLogDirAndReloaded() throws IOException {
    Path d = tmp.resolve("d");
    TopicPartition a = new TopicPartition("a", 0);
    TopicPartition b = new TopicPartition("b", 3);
    LogManager first = start(d);
    PartitionLog la = first.getOrCreate(a, LogConfig.defaults());
    PartitionLog lb = first.getOrCreate(b, LogConfig.defaults());
    la.append(Batches.batch("x", 10, NOW), 0);
    lb.append(Batches.batch("y", 4, NOW), 0);
    la.updateHighWatermark(7);
    lb.updateHighWatermark(4);
    first.checkpointAll(); // what the scheduler does every 30 s
    assertThat(Files.readAllLines(d.resolve(LogManager.REPLICATION_OFFSET_CHECKPOINT)))
        .containsExactlyInAnyOrder("0", "2", "a 0 7", "b 3 4");
    la.updateHighWatermark(9);
    first.close(); // and on close
    assertThat(Files.readAllLines(d.resolve(LogManager.REPLICATION_OFFSET_CHECKPOINT)))
        .containsExactlyInAnyOrder("0", "2", "a 0 9", "b 3 4");

    LogManager second = start(d);
    assertThat(second.get(a).orElseThrow().highWatermark()).isEqualTo(9);
    assertThat(second.get(b).orElseThrow().highWatermark()).isEqualTo(4);
    second.close();

    // a checkpoint ahead of the log (its tail was lost) is clamped to the log end
    Files.write(
        d.resolve(LogManager.REPLICATION_OFFSET_CHECKPOINT), List.of("0", "2", "a 0 50", "b 3 4"));
    LogManager third = start(d);
    assertThat(third.get(a).orElseThrow().highWatermark()).isEqualTo(10);
  }

  @Test
  void standaloneOpenReadsTheHighWatermarkCheckpointOfItsLogDir() throws IOException {
    Path d = tmp.resolve("d");
    Files.createDirectories(d);
    try (PartitionLog log =
        PartitionLog.open(d.resolve("t-1"), LogConfig.defaults(), Time.SYSTEM, true)) {
      log.append(Batches.batch("x", 6, NOW), 0);
    }
    Files.write(d.resolve(LogManager.REPLICATION_OFFSET_CHECKPOINT), List.of("0", "1", "t 1 4"));
    try (PartitionLog log =
        PartitionLog.open(d.resolve("t-1"), LogConfig.defaults(), Time.SYSTEM, true)) {
      assertThat(log.highWatermark()).isEqualTo(4);
    }
  }

  private LogManager start(Path dir) {
    LogManager m = new LogManager(List.of(dir), LogConfig.defaults(), 60_000, Time.SYSTEM);
    managers.add(m);
    m.startup();
    return m;
  }
}
