package dev.ferry.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.storage.index.CorruptIndexException;
import dev.ferry.storage.index.OffsetIndex;
import dev.ferry.storage.index.TimeIndex;
import dev.ferry.storage.segment.LogSegment;
import dev.ferry.storage.segment.SegmentFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SegmentRollAndIndexTest {

  @TempDir Path tmp;

  @Test
  void rollsBeforeABatchWouldExceedSegmentBytes() throws IOException {
    LogConfig config = LogTestSupport.config(Map.of(LogConfig.SEGMENT_BYTES, "2500"));
    try (PartitionLog log = PartitionLog.open(tmp.resolve("s-0"), config, Time.SYSTEM, true)) {
      for (int i = 0; i < 10; i++) {
        log.append(Batches.sized("b" + i, 1000, 1), 0); // ~1000 bytes each, 1 record
      }
      // two ~1000-byte batches fit in 2500 bytes, a third would not
      assertThat(log.segmentBaseOffsets()).containsExactly(0L, 2L, 4L, 6L, 8L);
      for (long base : log.segmentBaseOffsets()) {
        Path file = LogTestSupport.segmentLog(log.dir(), base);
        assertThat(file.getFileName().toString())
            .isEqualTo(String.format("%020d.log", base))
            .hasSize(24);
        assertThat(Files.size(file)).isLessThanOrEqualTo(2500);
      }
      // rolled segments have indexes trimmed to their entries
      assertThat(Files.size(SegmentFiles.indexFile(log.dir(), 0)) % OffsetIndex.ENTRY_SIZE)
          .isZero();
      assertThat(Files.size(SegmentFiles.indexFile(log.dir(), 0))).isLessThan(100);
      assertThat(Files.size(SegmentFiles.indexFile(log.dir(), 8)))
          .isEqualTo(config.segmentIndexBytes() / 8 * 8L); // active: preallocated
    }
  }

  @Test
  void rollsWhenSegmentMsElapsedSinceTheFirstAppend() {
    ManualTime time = new ManualTime(1_000_000);
    LogConfig config = LogTestSupport.config(Map.of(LogConfig.SEGMENT_MS, "1000"));
    try (PartitionLog log = PartitionLog.open(tmp.resolve("s-0"), config, time, true)) {
      time.advance(5_000); // an empty segment never rolls
      log.append(Batches.batch("a", 2, 1), 0);
      time.advance(999);
      log.append(Batches.batch("b", 2, 1), 0);
      assertThat(log.segmentCount()).isEqualTo(1);
      time.advance(1);
      log.append(Batches.batch("c", 2, 1), 0);
      assertThat(log.segmentBaseOffsets()).containsExactly(0L, 4L);
      assertThat(Batches.values(log.read(4, 1000, Long.MAX_VALUE, true).records()))
          .containsExactly("c-0", "c-1");
    }
  }

  @Test
  void rollsWhenAnIndexIsFull() {
    LogConfig config =
        LogTestSupport.config(
            Map.of(LogConfig.SEGMENT_INDEX_BYTES, "64", LogConfig.INDEX_INTERVAL_BYTES, "1"));
    try (PartitionLog log = PartitionLog.open(tmp.resolve("s-0"), config, Time.SYSTEM, true)) {
      for (int i = 0; i < 30; i++) {
        log.append(Batches.batch("x" + i, 1, 100 + i), 0);
      }
      assertThat(log.segmentCount()).isGreaterThan(3);
      for (long o = 0; o < 30; o++) {
        assertThat(Batches.values(log.read(o, 100, Long.MAX_VALUE, true).records()))
            .containsExactly("x" + o + "-0");
      }
    }
  }

  @Test
  void rollsBeforeTheRelativeOffsetWouldOverflow() throws IOException {
    LogSegment segment = LogSegment.create(tmp, 100, 4096);
    try {
      LogConfig config = LogConfig.defaults();
      assertThat(segment.shouldRoll(config, 10, 100L + Integer.MAX_VALUE + 1, 0)).isFalse();
      var records = Batches.batch("a", 1, 1);
      List<org.apache.kafka.common.record.internal.MutableRecordBatch> batches =
          new java.util.ArrayList<>();
      records.batches().forEach(batches::add);
      batches.get(0).setLastOffset(100);
      segment.append(records, batches, 4096, 0);
      assertThat(segment.shouldRoll(config, 10, 100L + Integer.MAX_VALUE, 0)).isFalse();
      assertThat(segment.shouldRoll(config, 10, 100L + Integer.MAX_VALUE + 1, 0)).isTrue();
    } finally {
      segment.closeQuietly();
    }
  }

  @Test
  void offsetIndexLookupsFloorToIndexedBatches() throws IOException {
    try (OffsetIndex index = new OffsetIndex(tmp.resolve("x.index"), 1000, 80, true)) {
      assertThat(index.lookup(1005)).isZero();
      index.append(1010, 500);
      index.append(1020, 900);
      index.append(1035, 1400);
      index.append(1035, 1500); // not increasing: ignored
      assertThat(index.entries()).isEqualTo(3);
      assertThat(index.lookup(1009)).isZero();
      assertThat(index.lookup(1010)).isEqualTo(500);
      assertThat(index.lookup(1034)).isEqualTo(900);
      assertThat(index.lookup(5000)).isEqualTo(1400);
      assertThat(index.floorPosition(899)).isEqualTo(500);
      assertThat(index.floorPosition(900)).isEqualTo(900);
      index.truncateTo(1020);
      assertThat(index.entries()).isEqualTo(1);
      assertThat(index.lastOffset()).isEqualTo(1010);
      index.sanityCheck(501, Long.MAX_VALUE);
      assertThatThrownBy(() -> index.sanityCheck(500, Long.MAX_VALUE))
          .isInstanceOf(CorruptIndexException.class);
      index.trimToValidSize();
      assertThat(Files.size(index.file())).isEqualTo(8);
    }
  }

  @Test
  void timeIndexFindsWhereToStartScanning() throws IOException {
    try (TimeIndex index = new TimeIndex(tmp.resolve("x.timeindex"), 0, 120, true)) {
      index.maybeAppend(100, 0, false);
      index.maybeAppend(100, 5, false); // same timestamp: ignored
      index.maybeAppend(200, 10, false);
      index.maybeAppend(300, 20, false);
      assertThat(index.entries()).isEqualTo(3);
      assertThat(index.lookup(50)).isZero();
      assertThat(index.lookup(250)).isEqualTo(10);
      assertThat(index.lookup(300)).isEqualTo(20);
      assertThat(index.lastTimestamp()).isEqualTo(300);
      index.truncateTo(10);
      assertThat(index.lastTimestamp()).isEqualTo(100);
    }
  }
}
