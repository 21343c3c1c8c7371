package dev.ferry.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.storage.epoch.LeaderEpochCache;
import dev.ferry.storage.epoch.LeaderEpochCache.EpochEntry;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.errors.FencedLeaderEpochException;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaderEpochCacheTest {

  @TempDir Path tmp;

  private static final long NOW = 1_700_000_000_000L;

  private static LogConfig config() {
    return LogTestSupport.config(Map.of(LogConfig.FILE_DELETE_DELAY_MS, "0"));
  }

  private PartitionLog open(Path dir, boolean clean) {
    return PartitionLog.open(dir, config(), Time.SYSTEM, clean);
  }

  /** Epoch 1 at 0..4 (two batches), epoch 3 at 5..8, epoch 6 at 9..10. */
  private static void appendThreeEpochs(PartitionLog log) {
    log.append(Batches.batch("a", 3, NOW), 1); // 0..2
    log.append(Batches.batch("b", 2, NOW), 1); // 3..4
    log.append(Batches.batch("c", 4, NOW), 3); // 5..8
    log.append(Batches.batch("d", 2, NOW), 6); // 9..10
  }

  private static final List<EpochEntry> THREE_EPOCHS =
      List.of(new EpochEntry(1, 0), new EpochEntry(3, 5), new EpochEntry(6, 9));

  @Test
  void emptyLogKnowsNoEpoch() {
    try (PartitionLog log = open(tmp.resolve("t-0"), true)) {
      assertThat(log.latestEpoch()).isEqualTo(-1);
      assertThat(log.endOffsetForEpoch(0)).isEqualTo(EpochEndOffset.UNDEFINED);
      assertThat(log.endOffsetForEpoch(-1)).isEqualTo(EpochEndOffset.UNDEFINED);
      // batches without an epoch record none
      log.append(Batches.batch("x", 1, NOW), -1);
      assertThat(log.latestEpoch()).isEqualTo(-1);
      assertThat(log.endOffsetForEpoch(0)).isEqualTo(EpochEndOffset.UNDEFINED);
      assertThat(Replication.epochFile(log)).doesNotExist();
    }
  }

  @Test
  void leaderAppendsRecordEachNewEpochAndAnswerOffsetForLeaderEpoch() throws IOException {
    try (PartitionLog log = open(tmp.resolve("t-0"), true)) {
      appendThreeEpochs(log);
      assertThat(log.epochEntries()).isEqualTo(THREE_EPOCHS);
      assertThat(log.latestEpoch()).isEqualTo(6);
      assertThat(Replication.epochCheckpoint(log)).containsExactly("0", "3", "1 0", "3 5", "6 9");

      assertEndOffsets(log, 11);

      // appends in the current epoch do not rewrite the checkpoint
      Files.delete(Replication.epochFile(log));
      log.append(Batches.batch("e", 2, NOW), 6);
      assertThat(Replication.epochFile(log)).doesNotExist();
      assertThat(log.endOffsetForEpoch(6)).isEqualTo(new EpochEndOffset(6, 13));
      log.append(Batches.batch("f", 1, NOW), 7);
      assertThat(Replication.epochCheckpoint(log))
          .containsExactly("0", "4", "1 0", "3 5", "6 9", "7 13");
    }
  }

  /** The OffsetForLeaderEpoch cases for {@link #THREE_EPOCHS} with log end {@code leo}. */
  private static void assertEndOffsets(PartitionLog log, long leo) {
    assertThat(log.endOffsetForEpoch(6)).isEqualTo(new EpochEndOffset(6, leo)); // latest
    assertThat(log.endOffsetForEpoch(5)).isEqualTo(new EpochEndOffset(3, 9)); // between
    assertThat(log.endOffsetForEpoch(4)).isEqualTo(new EpochEndOffset(3, 9));
    assertThat(log.endOffsetForEpoch(3)).isEqualTo(new EpochEndOffset(3, 9)); // known, older
    assertThat(log.endOffsetForEpoch(2)).isEqualTo(new EpochEndOffset(1, 5));
    assertThat(log.endOffsetForEpoch(1)).isEqualTo(new EpochEndOffset(1, 5));
    // below the first: ends where the first known starts (Kafka's answer)
    assertThat(log.endOffsetForEpoch(0)).isEqualTo(new EpochEndOffset(0, 0));
    assertThat(log.endOffsetForEpoch(7)).isEqualTo(EpochEndOffset.UNDEFINED); // above the latest
    assertThat(log.endOffsetForEpoch(-1)).isEqualTo(EpochEndOffset.UNDEFINED);
  }

  @Test
  void anAppendWithAnOlderEpochIsFencedAndWritesNothing() {
    try (PartitionLog log = open(tmp.resolve("t-0"), true)) {
      appendThreeEpochs(log);
      long size = log.sizeInBytes();
      assertThatThrownBy(() -> log.append(Batches.batch("stale", 1, NOW), 5))
          .isInstanceOf(FencedLeaderEpochException.class)
          .hasMessageContaining("older than the log's latest epoch 6");
      assertThat(log.sizeInBytes()).isEqualTo(size);
      assertThat(log.logEndOffset()).isEqualTo(11);
      assertThat(log.epochEntries()).isEqualTo(THREE_EPOCHS);
    }
  }

  @Test
  void epochsSurviveCleanAndUncleanReopen() throws IOException {
    Path dir = tmp.resolve("live").resolve("t-0");
    Path crashed;
    try (PartitionLog log = open(dir, true)) {
      appendThreeEpochs(log);
      crashed = LogTestSupport.crashCopy(dir, tmp.resolve("crash"));
    }
    try (PartitionLog log = open(dir, true)) {
      assertThat(log.epochEntries()).isEqualTo(THREE_EPOCHS);
      assertEndOffsets(log, 11);
    }
    try (PartitionLog log = open(crashed, false)) {
      assertThat(log.loadStats().recoveredSegments()).isEqualTo(1);
      assertThat(log.epochEntries()).isEqualTo(THREE_EPOCHS);
      assertEndOffsets(log, 11);
    }
  }

  @Test
  void anEpochWhoseFirstBatchWasLostInACrashIsDroppedAtLoad() throws IOException {
    Path dir = tmp.resolve("live").resolve("t-0");
    Path crashed;
    try (PartitionLog log = open(dir, true)) {
      appendThreeEpochs(log);
      crashed = LogTestSupport.crashCopy(dir, tmp.resolve("crash"));
    }
    // the batch of epoch 6 (offsets 9..10) was only half written when the broker died
    Path segment = LogTestSupport.segmentLog(crashed, 0);
    try (RandomAccessFile f = new RandomAccessFile(segment.toFile(), "rw")) {
      f.setLength(f.length() - 10);
    }
    try (PartitionLog log = open(crashed, false)) {
      assertThat(log.logEndOffset()).isEqualTo(9);
      assertThat(log.epochEntries()).containsExactly(new EpochEntry(1, 0), new EpochEntry(3, 5));
      assertThat(Replication.epochCheckpoint(log)).containsExactly("0", "2", "1 0", "3 5");
      assertThat(log.endOffsetForEpoch(3)).isEqualTo(new EpochEndOffset(3, 9));
      assertThat(log.endOffsetForEpoch(6)).isEqualTo(EpochEndOffset.UNDEFINED);
      log.append(Batches.batch("again", 1, NOW), 6);
      assertThat(log.epochEntries()).endsWith(new EpochEntry(6, 9));
    }
  }

  @Test
  void aMissingCheckpointIsRebuiltFromTheBatchesOnce() throws IOException {
    Path dir = tmp.resolve("t-0");
    try (PartitionLog log = open(dir, true)) {
      appendThreeEpochs(log);
    }
    Files.delete(dir.resolve(LeaderEpochCache.FILE_NAME)); // a log from before epochs were kept
    try (PartitionLog log = open(dir, true)) {
      assertThat(log.epochEntries()).isEqualTo(THREE_EPOCHS);
      assertThat(Replication.epochCheckpoint(log)).containsExactly("0", "3", "1 0", "3 5", "6 9");
      log.advanceLogStartOffset(6);
    }
    Files.delete(dir.resolve(LeaderEpochCache.FILE_NAME));
    // (without a LogManager the log start is not checkpointed: given as the LogManager would)
    try (PartitionLog log = PartitionLog.open(dir, config(), Time.SYSTEM, true, 0, 6)) {
      // rebuilt from the log start: epoch 3 covers it
      assertThat(log.epochEntries()).containsExactly(new EpochEntry(3, 6), new EpochEntry(6, 9));
    }
    // a corrupt file is rebuilt too
    Files.write(dir.resolve(LeaderEpochCache.FILE_NAME), List.of("0", "2", "3 6", "oops"));
    try (PartitionLog log = PartitionLog.open(dir, config(), Time.SYSTEM, true, 0, 6)) {
      assertThat(log.epochEntries()).containsExactly(new EpochEntry(3, 6), new EpochEntry(6, 9));
      assertThat(Replication.epochCheckpoint(log)).containsExactly("0", "2", "3 6", "6 9");
    }
  }

  @Test
  void truncationDropsEpochsFromTheNewLogEndAndANewEpochCanFollow() throws IOException {
    Path dir = tmp.resolve("t-0");
    try (PartitionLog log = open(dir, true)) {
      appendThreeEpochs(log);
      log.updateHighWatermark(11);

      log.truncateTo(9); // a batch boundary: exact
      assertThat(log.logEndOffset()).isEqualTo(9);
      assertThat(log.highWatermark()).isEqualTo(9);
      assertThat(log.epochEntries()).containsExactly(new EpochEntry(1, 0), new EpochEntry(3, 5));
      assertThat(Replication.epochCheckpoint(log)).containsExactly("0", "2", "1 0", "3 5");
      assertThat(log.endOffsetForEpoch(3)).isEqualTo(new EpochEndOffset(3, 9));

      assertThat(log.append(Batches.batch("n", 2, NOW), 7).firstOffset()).isEqualTo(9);
      assertThat(log.epochEntries()).endsWith(new EpochEntry(7, 9));
      assertThat(log.endOffsetForEpoch(6)).isEqualTo(new EpochEndOffset(3, 9));

      log.truncateTo(7); // inside batch 5..8: the whole batch goes, log end 5
      assertThat(log.logEndOffset()).isEqualTo(5);
      assertThat(log.epochEntries()).containsExactly(new EpochEntry(1, 0));
      assertThat(Batches.values(log.read(3, 1 << 20, Long.MAX_VALUE, true).records()))
          .containsExactly("b-0", "b-1");
      log.append(Batches.batch("m", 1, NOW), 8);
      assertThat(log.epochEntries()).containsExactly(new EpochEntry(1, 0), new EpochEntry(8, 5));
    }
    try (PartitionLog log = open(dir, true)) {
      assertThat(log.epochEntries()).containsExactly(new EpochEntry(1, 0), new EpochEntry(8, 5));
      log.truncateTo(0);
      assertThat(log.epochEntries()).isEmpty();
      assertThat(log.latestEpoch()).isEqualTo(-1);
      assertThat(Replication.epochCheckpoint(log)).containsExactly("0", "0");
    }
  }

  @Test
  void movingTheLogStartDropsEpochsThatEndedBeforeIt() throws IOException {
    try (PartitionLog log = open(tmp.resolve("t-0"), true)) {
      appendThreeEpochs(log);
      log.updateHighWatermark(11);
      log.advanceLogStartOffset(3); // inside epoch 1: it stays, starting at 3
      assertThat(log.epochEntries())
          .containsExactly(new EpochEntry(1, 3), new EpochEntry(3, 5), new EpochEntry(6, 9));
      log.advanceLogStartOffset(7);
      assertThat(log.epochEntries()).containsExactly(new EpochEntry(3, 7), new EpochEntry(6, 9));
      assertThat(Replication.epochCheckpoint(log)).containsExactly("0", "2", "3 7", "6 9");
      assertThat(log.endOffsetForEpoch(1))
          .as("gone with the log start: ends where this log's history begins")
          .isEqualTo(new EpochEndOffset(1, 7));
      assertThat(log.endOffsetForEpoch(4)).isEqualTo(new EpochEndOffset(3, 9));
      log.advanceLogStartOffset(9); // exactly where epoch 6 starts
      assertThat(log.epochEntries()).containsExactly(new EpochEntry(6, 9));
    }
  }

  @Test
  void retentionDropsEpochsOfDeletedSegments() {
    ManualTime time = new ManualTime(NOW);
    LogConfig config =
        LogTestSupport.config(
            Map.of(
                LogConfig.SEGMENT_BYTES, "2500",
                LogConfig.RETENTION_MS, "60000",
                LogConfig.FILE_DELETE_DELAY_MS, "0"));
    try (PartitionLog log = PartitionLog.open(tmp.resolve("t-0"), config, time, true)) {
      for (int i = 0; i < 6; i++) { // two ~1 KB batches per segment: 0..1 | 2..3 | 4..5
        log.append(Batches.sized("v" + i, 1000, i < 4 ? NOW - 120_000 : NOW), i < 3 ? 1 : 2);
      }
      assertThat(log.epochEntries()).containsExactly(new EpochEntry(1, 0), new EpochEntry(2, 3));
      log.updateHighWatermark(6);
      assertThat(log.enforceRetention(NOW)).isEqualTo(2);
      assertThat(log.logStartOffset()).isEqualTo(4);
      assertThat(log.epochEntries()).containsExactly(new EpochEntry(2, 4));
    }
  }

  @Test
  void aNewLeaderRecordsItsEpochBeforeAppending() throws IOException {
    try (PartitionLog log = open(tmp.resolve("t-0"), true)) {
      appendThreeEpochs(log);
      log.assignLeaderEpoch(8);
      assertThat(log.latestEpoch()).isEqualTo(8);
      assertThat(log.endOffsetForEpoch(6)).isEqualTo(new EpochEndOffset(6, 11));
      assertThat(log.endOffsetForEpoch(8)).isEqualTo(new EpochEndOffset(8, 11));
      log.assignLeaderEpoch(7); // older: ignored
      // replaced again before writing anything: epoch 8 owns no offsets
      log.assignLeaderEpoch(9);
      assertThat(log.epochEntries()).endsWith(new EpochEntry(6, 9), new EpochEntry(9, 11));
      assertThat(Replication.epochCheckpoint(log)).endsWith("6 9", "9 11");
      log.append(Batches.batch("n", 1, NOW), 9);
      assertThat(log.epochEntries()).endsWith(new EpochEntry(9, 11));
      assertThat(log.epochEntries()).hasSize(4);
    }
  }

  @Test
  void followerDataOverridesAnEpochThatOwnsNoOffsets() {
    try (PartitionLog log = open(tmp.resolve("t-0"), true)) {
      log.append(Batches.batch("a", 2, NOW), 1); // 0..1
      log.assignLeaderEpoch(4); // led epoch 4 without writing; epoch 3's leader wrote 2..
      log.appendAsFollower(
          org.apache.kafka.common.record.internal.MemoryRecords.withRecords(
              2L,
              org.apache.kafka.common.compress.Compression.NONE,
              3,
              Batches.records("b", 2, NOW)));
      assertThat(log.epochEntries()).containsExactly(new EpochEntry(1, 0), new EpochEntry(3, 2));
      assertThat(log.logEndOffset()).isEqualTo(4);
    }
  }

  @Test
  void aNewLogsFirstEpochIsWrittenAtCloseAndRebuiltFromItsBatchesAfterACrash() throws IOException {
    Path dir = tmp.resolve("live").resolve("t-0");
    Path crashed;
    try (PartitionLog log = open(dir, true)) {
      log.assignLeaderEpoch(2);
      // No fsynced file for a new, empty log: creating many partitions would pay two fsyncs each.
      assertThat(Replication.epochFile(log)).doesNotExist();
      assertThat(log.endOffsetForEpoch(2)).isEqualTo(new EpochEndOffset(2, 0));
      log.append(Batches.batch("a", 3, NOW), 2); // 0..2
      assertThat(Replication.epochFile(log)).doesNotExist();
      crashed = LogTestSupport.crashCopy(dir, tmp.resolve("crash"));
    }
    // A clean close writes it.
    try (PartitionLog log = open(dir, true)) {
      assertThat(Replication.epochCheckpoint(log)).containsExactly("0", "1", "2 0");
      assertThat(log.epochEntries()).containsExactly(new EpochEntry(2, 0));
    }
    // After a crash the same entry comes back from the epoch's batches.
    try (PartitionLog log = open(crashed, false)) {
      assertThat(log.epochEntries()).containsExactly(new EpochEntry(2, 0));
      assertThat(log.endOffsetForEpoch(2)).isEqualTo(new EpochEndOffset(2, 3));
      // A later epoch is written at once, with the first one.
      log.assignLeaderEpoch(5);
      assertThat(Replication.epochCheckpoint(log)).containsExactly("0", "2", "2 0", "5 3");
    }
  }

  @Test
  void aLogWithDataWritesItsFirstAssignedEpochAtOnce() throws IOException {
    try (PartitionLog log = open(tmp.resolve("t-0"), true)) {
      log.append(Batches.batch("x", 2, NOW), -1); // data written without epochs
      log.assignLeaderEpoch(1);
      assertThat(Replication.epochCheckpoint(log)).containsExactly("0", "1", "1 2");
    }
  }
}
