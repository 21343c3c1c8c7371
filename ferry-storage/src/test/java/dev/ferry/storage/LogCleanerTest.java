package dev.ferry.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.storage.cleaner.LogCleaner;
import dev.ferry.storage.cleaner.OffsetMap;
import dev.ferry.storage.segment.SegmentFiles;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.InvalidRecordException;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Log compaction on real segment files: what a pass keeps (the latest record per key, at its
 * original offset), what it drops (superseded records, keyless ones, tombstones past their
 * horizon), what it must not touch (the active segment, unreplicated data), and that a crash at any
 * point of the segment swap leaves a log with every record exactly once.
 */
class LogCleanerTest {

  private static final long T0 = 1_700_000_000_000L;
  private static final long DELETE_RETENTION_MS = 60_000;

  @TempDir Path tmp;

  private final ManualTime time = new ManualTime(T0);

  private static LogConfig compacted() {
    return LogTestSupport.config(
        Map.of(
            LogConfig.CLEANUP_POLICY, "compact",
            LogConfig.SEGMENT_BYTES, "1024",
            LogConfig.INDEX_INTERVAL_BYTES, "128",
            LogConfig.SEGMENT_INDEX_BYTES, "4096",
            LogConfig.FILE_DELETE_DELAY_MS, "0",
            LogConfig.MIN_CLEANABLE_DIRTY_RATIO, "0",
            LogConfig.DELETE_RETENTION_MS, String.valueOf(DELETE_RETENTION_MS)));
  }

  private PartitionLog open(String name, LogConfig config) {
    return PartitionLog.open(tmp.resolve(name), config, time, true);
  }

  private LogCleaner cleanerOf(PartitionLog log) {
    return new LogCleaner(
        new LogCleaner.Config(true, 1_000, 1024 * 1024, 4096), () -> List.of(log), () -> {}, time);
  }

  private static SimpleRecord rec(String key, String value) {
    return new SimpleRecord(
        T0,
        key == null ? null : key.getBytes(StandardCharsets.UTF_8),
        value == null ? null : value.getBytes(StandardCharsets.UTF_8));
  }

  private static MemoryRecords batch(SimpleRecord... records) {
    return MemoryRecords.withRecords(Compression.NONE, records);
  }

  /** Every record from the log start: offset → "key=value" (value "null" for a tombstone). */
  private static Map<Long, String> contents(PartitionLog log) {
    Map<Long, String> out = new LinkedHashMap<>();
    for (MemoryRecords part : Replication.fetches(log, log.logStartOffset(), 1 << 20)) {
      for (RecordBatch b : part.batches()) {
        for (Record r : b) {
          out.put(r.offset(), str(r.key()) + "=" + str(r.value()));
        }
      }
    }
    return out;
  }

  private static List<RecordBatch> batches(PartitionLog log) {
    List<RecordBatch> out = new ArrayList<>();
    for (MemoryRecords part : Replication.fetches(log, log.logStartOffset(), 1 << 20)) {
      part.batches().forEach(out::add);
    }
    return out;
  }

  private static String str(java.nio.ByteBuffer b) {
    if (b == null) {
      return "null";
    }
    byte[] bytes = new byte[b.remaining()];
    b.duplicate().get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }

  /** Appends 60 updates of keys k0..k5 (value "v<i>" and padding), 1 to 3 records per batch. */
  private static Map<String, Long> writeUpdates(PartitionLog log) {
    Map<String, Long> latest = new LinkedHashMap<>();
    int i = 0;
    while (i < 60) {
      List<SimpleRecord> recs = new ArrayList<>();
      for (int j = 0; j < 1 + (i % 3) && i < 60; j++, i++) {
        recs.add(rec("k" + (i % 6), "v" + i + "-" + "x".repeat(60)));
      }
      AppendResult r = log.append(batch(recs.toArray(SimpleRecord[]::new)), 0);
      for (int j = 0; j < recs.size(); j++) {
        latest.put(str(recs.get(j).key()), r.firstOffset() + j);
      }
    }
    log.updateHighWatermark(log.logEndOffset());
    return latest;
  }

  @Test
  void keepsOnlyTheLatestRecordOfEachKeyAtItsOriginalOffset() {
    try (PartitionLog log = open("c-0", compacted())) {
      writeUpdates(log);
      Map<Long, String> before = contents(log);
      long activeBase = log.segmentBaseOffsets().get(log.segmentCount() - 1);
      assertThat(log.segmentCount()).isGreaterThan(3);

      assertThat(cleanerOf(log).cleanOnce()).isTrue();

      Map<Long, String> after = contents(log);
      // Below the active segment: each key once, its latest value there, at the same offset.
      Map<String, Long> lastBelowActive = new LinkedHashMap<>();
      before.forEach(
          (offset, kv) -> {
            if (offset < activeBase) {
              lastBelowActive.put(kv.substring(0, kv.indexOf('=')), offset);
            }
          });
      Map<Long, String> expected = new LinkedHashMap<>();
      before.forEach(
          (offset, kv) -> {
            String key = kv.substring(0, kv.indexOf('='));
            if (offset >= activeBase || lastBelowActive.get(key).equals(offset)) {
              expected.put(offset, kv);
            }
          });
      assertThat(after).containsExactlyEntriesOf(expected);
      assertThat(log.firstDirtyOffset()).isEqualTo(activeBase);
      assertThat(log.logEndOffset()).isEqualTo(60);

      // Fetching from a removed offset (and on past emptied batches, as clients do) finds the
      // next record kept first.
      for (long removed : before.keySet()) {
        if (after.containsKey(removed)) {
          continue;
        }
        long next = after.keySet().stream().filter(o -> o > removed).findFirst().get();
        List<Long> offsets = new ArrayList<>();
        for (MemoryRecords part : Replication.fetches(log, removed, 1 << 20)) {
          part.records().forEach(r -> offsets.add(r.offset()));
        }
        assertThat(offsets).as("fetch from %d", removed).first().isEqualTo(next);
      }

      assertThat(cleanerOf(log).cleanOnce()).as("nothing dirty left").isFalse();
    }
  }

  @Test
  void theActiveSegmentAndUnreplicatedDataAreNotTouched() {
    try (PartitionLog log = open("c-0", compacted())) {
      writeUpdates(log);
      List<Long> bases = log.segmentBaseOffsets();
      // Only the first two segments are wholly replicated.
      log.updateHighWatermark(bases.get(2));
      Map<Long, String> before = contents(log);

      assertThat(cleanerOf(log).cleanOnce()).isTrue();

      Map<Long, String> after = contents(log);
      before.forEach(
          (offset, kv) -> {
            if (offset >= bases.get(2)) {
              assertThat(after).containsEntry(offset, kv);
            }
          });
      assertThat(log.firstDirtyOffset()).isEqualTo(bases.get(2));
    }
  }

  @Test
  void tombstonesStayForDeleteRetentionThenGo() {
    try (PartitionLog log = open("c-0", compacted())) {
      log.append(batch(rec("a", "1"), rec("b", "1")), 0);
      long tombstone = log.append(batch(rec("a", null)), 0).firstOffset();
      rollWithFiller(log);

      assertThat(cleanerOf(log).cleanOnce()).isTrue();
      assertThat(contents(log)).containsEntry(tombstone, "a=null").doesNotContainEntry(0L, "a=1");
      RecordBatch stamped =
          batches(log).stream().filter(b -> b.lastOffset() == tombstone).findFirst().get();
      assertThat(stamped.deleteHorizonMs()).hasValue(T0 + DELETE_RETENTION_MS);

      // Within the retention the tombstone survives further passes...
      rollWithFiller(log);
      time.advance(DELETE_RETENTION_MS - 1);
      assertThat(cleanerOf(log).cleanOnce()).isTrue();
      assertThat(contents(log)).containsEntry(tombstone, "a=null");
      // ...and after it, it goes; key b is untouched.
      rollWithFiller(log);
      time.advance(1);
      assertThat(cleanerOf(log).cleanOnce()).isTrue();
      assertThat(contents(log)).doesNotContainKey(tombstone).containsEntry(1L, "b=1");
    }
  }

  /** Appends records of a key used nowhere else until the active segment rolls; all replicated. */
  private static void rollWithFiller(PartitionLog log) {
    int segments = log.segmentCount();
    for (int i = 0; log.segmentCount() == segments && i < 1_000; i++) {
      log.append(batch(rec("filler", "x".repeat(100))), 0);
    }
    log.updateHighWatermark(log.logEndOffset());
  }

  @Test
  void aProducersLastBatchStaysEmptySoItsSequenceSurvivesARestart() throws Exception {
    Path dir;
    long pidBatchLast;
    try (PartitionLog log = open("c-0", compacted())) {
      dir = log.dir();
      pidBatchLast =
          log.append(
                  MemoryRecords.withIdempotentRecords(
                      Compression.NONE, 77L, (short) 0, 0, rec("a", "1"), rec("b", "1")),
                  0)
              .lastOffset();
      log.append(batch(rec("a", "2"), rec("b", "2")), 0);
      rollWithFiller(log);
      assertThat(cleanerOf(log).cleanOnce()).isTrue();

      RecordBatch kept =
          batches(log).stream().filter(b -> b.producerId() == 77L).findFirst().orElseThrow();
      assertThat(kept.lastOffset()).isEqualTo(pidBatchLast);
      assertThat(kept.countOrNull()).as("records superseded, batch kept").isZero();
      assertThat(kept.baseSequence()).isZero();
    }
    // Without snapshots the state comes from replaying the batch headers, the emptied one too.
    try (var files = Files.list(dir)) {
      for (Path p : files.filter(p -> p.toString().endsWith(".snapshot")).toList()) {
        Files.delete(p);
      }
    }
    try (PartitionLog log =
        PartitionLog.open(dir, compacted(), time, false, 0, 0, Long.MAX_VALUE)) {
      // A retry of the producer's batch is still recognised after recovery rebuilt the state.
      AppendResult retry =
          log.append(
              MemoryRecords.withIdempotentRecords(
                  Compression.NONE, 77L, (short) 0, 0, rec("a", "1"), rec("b", "1")),
              0);
      assertThat(retry.duplicate()).isTrue();
      assertThat(retry.lastOffset()).isEqualTo(pidBatchLast);
    }
  }

  @Test
  void compressedBatchesStayCompressedWithTheirCodec() {
    try (PartitionLog log = open("c-0", compacted())) {
      log.append(
          MemoryRecords.withRecords(
              Compression.lz4().build(), rec("a", "1"), rec("b", "1"), rec("c", "1")),
          0);
      log.append(batch(rec("a", "2"), rec("c", "2")), 0);
      rollWithFiller(log);
      assertThat(cleanerOf(log).cleanOnce()).isTrue();

      RecordBatch first = batches(log).get(0);
      assertThat(first.compressionType()).isEqualTo(CompressionType.LZ4);
      List<String> kept = new ArrayList<>();
      first.forEach(r -> kept.add(str(r.key()) + "=" + str(r.value()) + "@" + r.offset()));
      assertThat(kept).containsExactly("b=1@1");
      assertThat(first.lastOffset()).as("the batch's last offset is kept").isEqualTo(2);
    }
  }

  @Test
  void recordsWithoutAKeyAreRefusedByACompactedLog() {
    try (PartitionLog log = open("c-0", compacted())) {
      assertThatThrownBy(() -> log.append(batch(rec("a", "1"), rec(null, "x")), 0))
          .isInstanceOf(InvalidRecordException.class)
          .hasMessageContaining("without a key");
      assertThat(log.logEndOffset()).isZero();
    }
  }

  @Test
  void aDeleteOnlyLogIsNotCleaned() {
    LogConfig deleteOnly = compacted().with(Map.of(LogConfig.CLEANUP_POLICY, "delete"));
    try (PartitionLog log = open("d-0", deleteOnly)) {
      writeUpdates(log);
      Map<Long, String> before = contents(log);
      assertThat(cleanerOf(log).cleanOnce()).isFalse();
      assertThat(contents(log)).isEqualTo(before);
    }
  }

  @Test
  void aSmallKeyMapCleansInSeveralPasses() {
    try (PartitionLog log = open("c-0", compacted())) {
      // Keys k0..k29, then each again: 30 distinct keys, more than the map below holds.
      for (int round = 0; round < 2; round++) {
        for (int k = 0; k < 30; k++) {
          log.append(batch(rec("k" + k, "r" + round)), 0);
        }
      }
      rollWithFiller(log);
      long activeBase = log.segmentBaseOffsets().get(log.segmentCount() - 1);
      LogCleaner small =
          new LogCleaner(
              new LogCleaner.Config(true, 1_000, 20 * OffsetMap.BYTES_PER_SLOT, 4096),
              () -> List.of(log),
              () -> {},
              time);
      assertThat(small.cleanOnce()).isTrue();
      assertThat(log.firstDirtyOffset()).as("the map filled").isBetween(1L, activeBase - 1);
      for (int i = 0; i < 20 && log.firstDirtyOffset() < activeBase; i++) {
        small.cleanOnce();
      }
      assertThat(log.firstDirtyOffset()).isEqualTo(activeBase);
      Map<String, String> kept = new LinkedHashMap<>();
      contents(log)
          .forEach(
              (offset, kv) -> {
                if (offset < 60) {
                  assertThat(kept.put(kv.substring(0, kv.indexOf('=')), kv))
                      .as("key of %s seen twice", kv)
                      .isNull();
                }
              });
      assertThat(kept).hasSize(30);
      assertThat(kept.values()).allMatch(kv -> kv.endsWith("=r1"));
    }
  }

  @Test
  void aFollowerCopiesACompactedLeaderWithItsGaps() {
    try (PartitionLog leader = open("l-0", compacted());
        PartitionLog follower =
            PartitionLog.open(tmp.resolve("f").resolve("l-0"), compacted(), time, true)) {
      writeUpdates(leader);
      assertThat(cleanerOf(leader).cleanOnce()).isTrue();
      Replication.catchUp(follower, leader, 300);
      assertThat(follower.logEndOffset()).isEqualTo(leader.logEndOffset());
      assertThat(contents(follower)).containsExactlyEntriesOf(contents(leader));
    }
  }

  @Test
  void aCrashDuringTheSwapLeavesEveryRecordOnceAfterRecovery() throws Exception {
    Path dir;
    Map<Long, String> before;
    List<Long> bases;
    try (PartitionLog log = open("c-0", compacted())) {
      dir = log.dir();
      writeUpdates(log);
      before = contents(log);
      bases = log.segmentBaseOffsets();
    }
    // A crash after the cleaned copy of segments 0 and 1 became a swap file, before they were
    // replaced: the copy (here the two segments' bytes, as a pass without removals would write)
    // and the originals both on disk; plus a pass's unfinished output.
    Path swap = SegmentFiles.withSuffix(LogTestSupport.segmentLog(dir, bases.get(0)), ".swap");
    Files.write(swap, Files.readAllBytes(LogTestSupport.segmentLog(dir, bases.get(0))));
    Files.write(
        swap,
        Files.readAllBytes(LogTestSupport.segmentLog(dir, bases.get(1))),
        java.nio.file.StandardOpenOption.APPEND);
    Files.copy(
        LogTestSupport.segmentLog(dir, bases.get(2)),
        SegmentFiles.withSuffix(LogTestSupport.segmentLog(dir, bases.get(2)), ".cleaned"),
        StandardCopyOption.REPLACE_EXISTING);

    try (PartitionLog log =
        PartitionLog.open(dir, compacted(), time, false, 0, 0, Long.MAX_VALUE)) {
      assertThat(contents(log)).containsExactlyEntriesOf(before);
      assertThat(log.segmentBaseOffsets()).doesNotContain(bases.get(1)).contains(bases.get(0));
    }
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .noneMatch(n -> n.endsWith(".swap") || n.endsWith(".cleaned"));
    }
  }
}
