package dev.ferry.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.storage.epoch.LeaderEpochCache.EpochEntry;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FollowerAppendTest {

  @TempDir Path tmp;

  private static final long NOW = 1_700_000_000_000L;
  private static final long PID = 77L;

  /** Offsets 0..2 plain (epoch 3), 3..5 gzip (3), 6..7 idempotent (3), 8 plain (5), 9..11 (5). */
  private static void fillLeader(PartitionLog leader) {
    leader.append(Batches.batch("a", 3, NOW), 3);
    leader.append(Batches.batch(Compression.of(CompressionType.GZIP).build(), "z", 3, NOW + 1), 3);
    leader.append(Batches.idempotent(PID, (short) 0, 0, "i", 2), 3);
    leader.append(Batches.batch("b", 1, NOW + 2), 5);
    leader.append(Batches.idempotent(PID, (short) 0, 2, "j", 3), 5);
  }

  @Test
  void replicatedBatchesKeepOffsetsEpochsAndTimestampsByteForByte() {
    // The leader stamps LogAppendTime; the follower runs an hour later and must not re-stamp.
    LogConfig appendTime =
        LogTestSupport.config(Map.of(LogConfig.MESSAGE_TIMESTAMP_TYPE, "LogAppendTime"));
    ManualTime leaderTime = new ManualTime(NOW);
    ManualTime followerTime = new ManualTime(NOW + 3_600_000);
    try (PartitionLog leader = PartitionLog.open(tmp.resolve("l-0"), appendTime, leaderTime, true);
        PartitionLog follower =
            PartitionLog.open(tmp.resolve("f").resolve("l-0"), appendTime, followerTime, true)) {
      fillLeader(leader);
      assertThat(leader.logEndOffset()).isEqualTo(12);

      List<AppendResult> results = new ArrayList<>();
      for (MemoryRecords part : Replication.fetches(leader, 0, 200)) {
        results.add(follower.appendAsFollower(part));
      }

      assertThat(results).hasSizeGreaterThan(1); // several fetches, one or more batches each
      assertThat(results.get(0).firstOffset()).isZero();
      assertThat(results.get(results.size() - 1).lastOffset()).isEqualTo(11);
      assertThat(results).allMatch(r -> !r.duplicate());
      assertThat(follower.logEndOffset()).isEqualTo(12);
      assertThat(Replication.allBytes(follower)).isEqualTo(Replication.allBytes(leader));
      List<int[]> epochsAndBases = new ArrayList<>();
      for (RecordBatch b : follower.read(0, 1 << 20, Long.MAX_VALUE, true).records().batches()) {
        epochsAndBases.add(new int[] {(int) b.baseOffset(), b.partitionLeaderEpoch()});
        assertThat(b.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
        assertThat(b.maxTimestamp()).isEqualTo(NOW);
      }
      assertThat(epochsAndBases)
          .containsExactly(
              new int[] {0, 3},
              new int[] {3, 3},
              new int[] {6, 3},
              new int[] {8, 5},
              new int[] {9, 5});
      assertThat(follower.epochEntries())
          .containsExactly(new EpochEntry(3, 0), new EpochEntry(5, 8))
          .isEqualTo(leader.epochEntries());
      assertThat(Batches.values(follower.read(3, 1 << 20, Long.MAX_VALUE, true).records()))
          .startsWith("z-0", "z-1", "z-2", "i-0", "i-1", "b-0", "j-0");
    }
  }

  @Test
  void batchesGoingBackAreRejectedAndNothingIsWrittenWhileGapsAreAccepted() {
    try (PartitionLog follower =
        PartitionLog.open(tmp.resolve("f-0"), LogConfig.defaults(), Time.SYSTEM, true)) {
      assertThat(follower.appendAsFollower(at(0, 1, "ok", 3)).lastOffset()).isEqualTo(2);
      long size = follower.sizeInBytes();

      // overlapping the log end
      assertThatThrownBy(() -> follower.appendAsFollower(at(2, 1, "overlap", 2)))
          .isInstanceOfSatisfying(
              UnexpectedAppendOffsetException.class,
              e -> {
                assertThat(e.expectedOffset()).isEqualTo(3);
                assertThat(e.actualOffset()).isEqualTo(2);
              })
          .hasMessageContaining("start at 2, expected at least 3");
      // first batch right, second goes back: the whole append is refused
      MemoryRecords backwards = Batches.concat(at(3, 1, "x", 2), at(4, 1, "y", 1));
      assertThatThrownBy(() -> follower.appendAsFollower(backwards))
          .isInstanceOfSatisfying(
              UnexpectedAppendOffsetException.class,
              e -> {
                assertThat(e.expectedOffset()).isEqualTo(5);
                assertThat(e.actualOffset()).isEqualTo(4);
              })
          .hasMessageContaining("go back");
      // a flipped payload byte
      MemoryRecords corrupt = at(3, 1, "c", 2);
      ByteBuffer buf = corrupt.buffer();
      buf.put(buf.limit() - 1, (byte) (buf.get(buf.limit() - 1) ^ 1));
      assertThatThrownBy(() -> follower.appendAsFollower(corrupt))
          .isInstanceOf(CorruptRecordException.class);

      assertThat(follower.logEndOffset()).isEqualTo(3);
      assertThat(follower.sizeInBytes()).isEqualTo(size);
      assertThat(Batches.values(follower.read(0, 1 << 20, Long.MAX_VALUE, true).records()))
          .containsExactly("ok-0", "ok-1", "ok-2");
      assertThat(follower.appendAsFollower(at(3, 2, "x", 2)))
          .isEqualTo(new AppendResult(3, 4, RecordBatch.NO_TIMESTAMP, 0, false));
      assertThat(follower.epochEntries())
          .containsExactly(new EpochEntry(1, 0), new EpochEntry(2, 3));

      // A compacted leader's batches have gaps between them: copied as they are.
      MemoryRecords gapped = Batches.concat(at(9, 2, "g", 1), at(20, 2, "h", 2));
      assertThat(follower.appendAsFollower(gapped).lastOffset()).isEqualTo(21);
      assertThat(follower.logEndOffset()).isEqualTo(22);
      assertThat(Batches.values(follower.read(5, 1 << 20, Long.MAX_VALUE, true).records()))
          .containsExactly("g-0", "h-0", "h-1");
      assertThat(Batches.values(follower.read(10, 1 << 20, Long.MAX_VALUE, true).records()))
          .as("an offset in a gap reads from the next batch")
          .containsExactly("h-0", "h-1");
    }
  }

  @Test
  void producerStateIsReplicatedSoAPromotedFollowerDetectsRetries() {
    try (PartitionLog leader =
            PartitionLog.open(tmp.resolve("l-0"), LogConfig.defaults(), Time.SYSTEM, true);
        PartitionLog follower =
            PartitionLog.open(
                tmp.resolve("f").resolve("l-0"), LogConfig.defaults(), Time.SYSTEM, true)) {
      fillLeader(leader); // PID batches: seq 0..1 at 6..7, seq 2..4 at 9..11
      Replication.catchUp(follower, leader, 1 << 20);

      // the follower becomes leader at epoch 6; the producer retries its last batch
      AppendResult retry = follower.append(Batches.idempotent(PID, (short) 0, 2, "j", 3), 6);
      assertThat(retry.duplicate()).isTrue();
      assertThat(retry.firstOffset()).isEqualTo(9);
      assertThat(retry.lastOffset()).isEqualTo(11);
      assertThat(follower.logEndOffset()).isEqualTo(12);
      assertThatThrownBy(() -> follower.append(Batches.idempotent(PID, (short) 0, 7, "gap", 1), 6))
          .isInstanceOf(OutOfOrderSequenceException.class);
      assertThat(follower.append(Batches.idempotent(PID, (short) 0, 5, "next", 1), 6).firstOffset())
          .isEqualTo(12);
      assertThat(follower.epochEntries())
          .containsExactly(new EpochEntry(3, 0), new EpochEntry(5, 8), new EpochEntry(6, 12));
    }
  }

  @Test
  void followerAppendsRollSegmentsHonourFlushMessagesAndSurviveReopen() {
    LogConfig config =
        LogTestSupport.config(
            Map.of(
                LogConfig.SEGMENT_BYTES, "1024",
                LogConfig.FLUSH_MESSAGES, "1",
                LogConfig.FILE_DELETE_DELAY_MS, "0"));
    Path followerDir = tmp.resolve("f").resolve("l-0");
    byte[] leaderBytes;
    try (PartitionLog leader = PartitionLog.open(tmp.resolve("l-0"), config, Time.SYSTEM, true);
        PartitionLog follower = PartitionLog.open(followerDir, config, Time.SYSTEM, true)) {
      for (int i = 0; i < 12; i++) {
        leader.append(Batches.sized("v" + i, 300, NOW + i), i < 6 ? 1 : 2);
      }
      assertThat(leader.segmentCount()).isGreaterThan(2);
      for (MemoryRecords part : Replication.fetches(leader, 0, 1)) { // one batch per fetch
        follower.appendAsFollower(part);
        assertThat(follower.recoveryPoint()).isEqualTo(follower.logEndOffset()); // fsynced
      }
      assertThat(follower.segmentBaseOffsets()).isEqualTo(leader.segmentBaseOffsets());
      leaderBytes = Replication.allBytes(leader);
      assertThat(Replication.allBytes(follower)).isEqualTo(leaderBytes);
    }
    try (PartitionLog reopened = PartitionLog.open(followerDir, config, Time.SYSTEM, true)) {
      assertThat(reopened.logEndOffset()).isEqualTo(12);
      assertThat(Replication.allBytes(reopened)).isEqualTo(leaderBytes);
      assertThat(reopened.epochEntries())
          .containsExactly(new EpochEntry(1, 0), new EpochEntry(2, 6));
      assertThat(reopened.loadStats().replayedBatches()).isZero();
    }
  }

  /** A batch as the leader would have written it: {@code count} records from {@code offset}. */
  private static MemoryRecords at(long offset, int epoch, String prefix, int count) {
    return MemoryRecords.withRecords(
        offset, Compression.NONE, epoch, Batches.records(prefix, count, NOW));
  }
}
