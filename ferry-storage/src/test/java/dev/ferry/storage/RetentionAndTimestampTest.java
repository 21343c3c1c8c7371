package dev.ferry.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionAndTimestampTest {

  @TempDir Path tmp;

  private static final long NOW = 1_700_000_000_000L;

  private static LogConfig config(String key, String value) {
    Map<String, String> m = new HashMap<>();
    m.put(LogConfig.SEGMENT_BYTES, "2500"); // two ~1 KB batches per segment
    m.put(LogConfig.FILE_DELETE_DELAY_MS, "1000");
    m.put(key, value);
    return LogTestSupport.config(m);
  }

  private static List<String> deletedFiles(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".deleted")).toList();
    }
  }

  @Test
  void timeRetentionDeletesExpiredSegmentsAndMovesTheLogStart() throws IOException {
    ManualTime time = new ManualTime(NOW);
    LogConfig config = config(LogConfig.RETENTION_MS, "60000");
    try (PartitionLog log = PartitionLog.open(tmp.resolve("t-0"), config, time, true)) {
      for (int i = 0; i < 4; i++) {
        log.append(Batches.sized("old" + i, 1000, NOW - 120_000), 0); // offsets 0..3
      }
      for (int i = 0; i < 4; i++) {
        log.append(Batches.sized("new" + i, 1000, NOW - 1_000), 0); // offsets 4..7
      }
      assertThat(log.segmentBaseOffsets()).containsExactly(0L, 2L, 4L, 6L);
      log.updateHighWatermark(log.logEndOffset()); // everything replicated

      assertThat(log.enforceRetention(time.milliseconds())).isEqualTo(2);
      assertThat(log.logStartOffset()).isEqualTo(4);
      assertThat(log.segmentBaseOffsets()).containsExactly(4L, 6L);
      assertThatThrownBy(() -> log.read(3, 10_000, Long.MAX_VALUE, true))
          .isInstanceOf(OffsetOutOfRangeException.class);
      assertThat(Batches.offsets(log.read(4, 10_000, Long.MAX_VALUE, true).records()))
          .containsExactly(4L, 5L);

      // renamed now, removed after file.delete.delay.ms
      assertThat(deletedFiles(log.dir())).hasSize(6);
      log.deleteDueSegments(time.milliseconds() + 999);
      assertThat(deletedFiles(log.dir())).hasSize(6);
      log.deleteDueSegments(time.milliseconds() + 1000);
      assertThat(deletedFiles(log.dir())).isEmpty();
      assertThat(log.enforceRetention(time.milliseconds())).isZero();
    }
  }

  @Test
  void expiredActiveSegmentIsRolledThenDeleted() {
    ManualTime time = new ManualTime(NOW);
    LogConfig config = config(LogConfig.RETENTION_MS, "60000");
    try (PartitionLog log = PartitionLog.open(tmp.resolve("t-0"), config, time, true)) {
      log.append(Batches.batch("a", 3, NOW - 100_000), 0);
      log.updateHighWatermark(3);
      assertThat(log.enforceRetention(NOW)).isEqualTo(1);
      assertThat(log.logStartOffset()).isEqualTo(3);
      assertThat(log.logEndOffset()).isEqualTo(3);
      assertThat(log.segmentBaseOffsets()).containsExactly(3L);
      assertThat(log.read(3, 100, Long.MAX_VALUE, true).records().sizeInBytes()).isZero();
      assertThat(log.append(Batches.batch("b", 1, NOW), 0).firstOffset()).isEqualTo(3);
      assertThat(log.enforceRetention(NOW)).isZero();
    }
  }

  @Test
  void sizeRetentionDeletesOldestSegmentsButNeverTheActiveOne() {
    LogConfig config = config(LogConfig.RETENTION_BYTES, "4500");
    try (PartitionLog log = PartitionLog.open(tmp.resolve("t-0"), config, Time.SYSTEM, true)) {
      for (int i = 0; i < 9; i++) {
        log.append(Batches.sized("v" + i, 1000, NOW), 0);
      }
      assertThat(log.segmentBaseOffsets()).containsExactly(0L, 2L, 4L, 6L, 8L);
      long segmentSize = log.read(0, 100_000, Long.MAX_VALUE, true).records().sizeInBytes();
      log.updateHighWatermark(log.logEndOffset());
      // total ~9 KB, limit 4.5 KB: drop two-batch segments while what is left stays >= the limit
      int deleted = log.enforceRetention(NOW);
      assertThat(deleted).isEqualTo(2);
      assertThat(log.sizeInBytes()).isLessThanOrEqualTo(4500 + segmentSize);
      assertThat(log.logStartOffset()).isEqualTo(4);
      assertThatThrownBy(() -> log.read(0, 100, Long.MAX_VALUE, true))
          .isInstanceOf(OffsetOutOfRangeException.class);

      LogConfig tiny = config(LogConfig.RETENTION_BYTES, "0");
      log.updateConfig(tiny);
      log.enforceRetention(NOW);
      assertThat(log.segmentBaseOffsets()).containsExactly(8L);
      assertThat(log.logStartOffset()).isEqualTo(8);
    }
  }

  @Test
  void compactOnlyTopicsAreNotTrimmed() {
    ManualTime time = new ManualTime(NOW);
    LogConfig config =
        LogTestSupport.config(
            Map.of(LogConfig.RETENTION_MS, "1", LogConfig.CLEANUP_POLICY, "compact"));
    try (PartitionLog log = PartitionLog.open(tmp.resolve("t-0"), config, time, true)) {
      log.append(Batches.batch("a", 1, 1), 0);
      assertThat(log.enforceRetention(NOW)).isZero();
      assertThat(log.logStartOffset()).isZero();
    }
  }

  @Test
  void advanceLogStartOffsetHidesRecordsAndDeletesWholeSegmentsBelow() {
    LogConfig config = config(LogConfig.FILE_DELETE_DELAY_MS, "0");
    try (PartitionLog log = PartitionLog.open(tmp.resolve("t-0"), config, Time.SYSTEM, true)) {
      for (int i = 0; i < 6; i++) {
        log.append(Batches.sized("v" + i, 1000, NOW), 0);
      }
      assertThat(log.segmentBaseOffsets()).containsExactly(0L, 2L, 4L);
      assertThat(log.advanceLogStartOffset(3)).isEqualTo(3);
      assertThat(log.segmentBaseOffsets()).containsExactly(2L, 4L);
      assertThatThrownBy(() -> log.read(2, 100, Long.MAX_VALUE, true))
          .isInstanceOf(OffsetOutOfRangeException.class);
      assertThat(Batches.offsets(log.read(3, 100, Long.MAX_VALUE, true).records()))
          .containsExactly(3L);
      assertThat(log.advanceLogStartOffset(1)).isEqualTo(3); // never backwards
      assertThatThrownBy(() -> log.advanceLogStartOffset(7))
          .isInstanceOf(OffsetOutOfRangeException.class);
    }
  }

  @Test
  void truncateToDropsTheTailAndAppendsContinue() {
    LogConfig config = config(LogConfig.FILE_DELETE_DELAY_MS, "0");
    try (PartitionLog log = PartitionLog.open(tmp.resolve("t-0"), config, Time.SYSTEM, true)) {
      for (int i = 0; i < 10; i++) {
        log.append(Batches.batch("v" + i, 2, NOW + i), 0); // 2 records per batch
      }
      for (int i = 0; i < 4; i++) {
        log.append(Batches.sized("big" + i, 1000, NOW + 100), 0); // 20..23, forces rolls
      }
      assertThat(log.segmentCount()).isGreaterThan(1);
      log.truncateTo(7); // inside batch 6..7: the whole batch goes
      assertThat(log.logEndOffset()).isEqualTo(6);
      assertThat(log.segmentCount()).isEqualTo(1);
      assertThat(log.maxTimestamp()).isEqualTo(new TimestampOffset(NOW + 2, 4));
      assertThat(log.append(Batches.batch("again", 1, NOW), 0).firstOffset()).isEqualTo(6);
      assertThat(Batches.values(log.read(4, 1000, Long.MAX_VALUE, true).records()))
          .containsExactly("v2-0", "v2-1", "again-0");

      log.truncateTo(0);
      assertThat(log.logEndOffset()).isZero();
      assertThat(log.append(Batches.batch("fresh", 1, NOW), 0).firstOffset()).isZero();
    }
  }

  @Test
  void offsetForTimestampFindsTheEarliestRecordAtOrAfterTheTarget() {
    try (PartitionLog log =
        PartitionLog.open(tmp.resolve("t-0"), LogTestSupport.small(), Time.SYSTEM, true)) {
      log.append(Batches.withTimestamps("a", 100, 150, 120), 0); // 0..2
      log.append(Batches.withTimestamps("b", 200, 210), 0); // 3..4
      for (int i = 0; i < 100; i++) { // 5..104, timestamps 1000..1099, several segments
        log.append(Batches.withTimestamps("c" + i, 1000 + i), 0);
      }
      log.append(Batches.withTimestamps("late", 500), 0); // 105: out of order timestamp
      assertThat(log.segmentCount()).isGreaterThan(1);

      assertThat(log.offsetForTimestamp(0)).isEqualTo(new TimestampOffset(100, 0));
      assertThat(log.offsetForTimestamp(130)).isEqualTo(new TimestampOffset(150, 1));
      assertThat(log.offsetForTimestamp(151)).isEqualTo(new TimestampOffset(200, 3));
      assertThat(log.offsetForTimestamp(205)).isEqualTo(new TimestampOffset(210, 4));
      assertThat(log.offsetForTimestamp(1050)).isEqualTo(new TimestampOffset(1050, 55));
      assertThat(log.offsetForTimestamp(1099)).isEqualTo(new TimestampOffset(1099, 104));
      assertThat(log.offsetForTimestamp(1100)).isNull();
      assertThat(log.maxTimestamp()).isEqualTo(new TimestampOffset(1099, 104));
    }
  }

  @Test
  void offsetForTimestampLooksInsideCompressedBatches() {
    try (PartitionLog log =
        PartitionLog.open(tmp.resolve("t-0"), LogConfig.defaults(), Time.SYSTEM, true)) {
      SimpleRecord[] recs = new SimpleRecord[10];
      for (int i = 0; i < 10; i++) {
        recs[i] = new SimpleRecord(1000 + i * 10, null, ("z" + i).getBytes());
      }
      log.append(MemoryRecords.withRecords(Compression.of(CompressionType.GZIP).build(), recs), 0);
      assertThat(log.offsetForTimestamp(1035)).isEqualTo(new TimestampOffset(1040, 4));
      assertThat(log.maxTimestamp()).isEqualTo(new TimestampOffset(1090, 9));
    }
  }

  @Test
  void emptyLogHasNoMaxTimestamp() {
    try (PartitionLog log =
        PartitionLog.open(tmp.resolve("t-0"), LogConfig.defaults(), Time.SYSTEM, true)) {
      assertThat(log.maxTimestamp()).isEqualTo(new TimestampOffset(-1, -1));
      assertThat(log.offsetForTimestamp(0)).isNull();
    }
  }
}
