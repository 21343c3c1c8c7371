package dev.ferry.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.storage.epoch.LeaderEpochCache.EpochEntry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.CompressionType;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replication truncation protocol end to end on real logs: broker A leads epoch 1 and writes
 * offsets 0..14; B replicated only 0..9 when A died. B leads epoch 2 and writes from 10. A returns
 * as a follower, asks B for the end of its latest epoch, truncates there and fetches: afterwards
 * both logs are identical byte for byte.
 */
class LogDivergenceTest {

  @TempDir Path tmp;

  private static final long NOW = 1_700_000_000_000L;

  @Test
  void followerTruncatesToTheLeadersEpochEndAndConvergesByteForByte() throws IOException {
    LogConfig config = LogTestSupport.config(Map.of(LogConfig.FILE_DELETE_DELAY_MS, "0"));
    Path dirA = tmp.resolve("a").resolve("t-0");
    Path dirB = tmp.resolve("b").resolve("t-0");
    try (PartitionLog a = PartitionLog.open(dirA, config, Time.SYSTEM, true);
        PartitionLog b = PartitionLog.open(dirB, config, Time.SYSTEM, true)) {
      // A leads epoch 1: 0..9 in five batches, replicated to B
      for (int i = 0; i < 5; i++) {
        a.append(Batches.batch("e1-" + i, 2, NOW + i), 1);
      }
      Replication.catchUp(b, a, 1 << 20);
      // A writes 10..14, never replicated
      a.append(Batches.batch(Compression.of(CompressionType.GZIP).build(), "lost", 5, NOW), 1);
      assertThat(a.logEndOffset()).isEqualTo(15);
      a.updateHighWatermark(10);
      b.updateHighWatermark(10);

      // B leads epoch 2 and writes 10..17
      b.assignLeaderEpoch(2);
      b.append(Batches.batch("e2-a", 3, NOW + 100), 2);
      b.append(Batches.idempotent(9L, (short) 0, 0, "e2-b", 5), 2);
      assertThat(b.epochEntries()).containsExactly(new EpochEntry(1, 0), new EpochEntry(2, 10));

      // A comes back as a follower: OffsetForLeaderEpoch(A's latest epoch) on B
      EpochEndOffset divergence = b.endOffsetForEpoch(a.latestEpoch());
      assertThat(divergence).isEqualTo(new EpochEndOffset(1, 10));
      a.truncateTo(Math.min(divergence.endOffset(), a.logEndOffset()));
      assertThat(a.logEndOffset()).isEqualTo(10);
      assertThat(a.epochEntries()).containsExactly(new EpochEntry(1, 0));
      Replication.catchUp(a, b, 150); // small fetches: several appends

      assertThat(a.logEndOffset()).isEqualTo(b.logEndOffset()).isEqualTo(18);
      assertThat(a.epochEntries()).isEqualTo(b.epochEntries());
      assertThat(a.endOffsetForEpoch(1)).isEqualTo(new EpochEndOffset(1, 10));
      assertThat(Batches.values(a.read(10, 1 << 20, Long.MAX_VALUE, true).records()))
          .containsExactly(
              "e2-a-0", "e2-a-1", "e2-a-2", "e2-b-0", "e2-b-1", "e2-b-2", "e2-b-3", "e2-b-4");
      assertThat(Replication.allBytes(a)).isEqualTo(Replication.allBytes(b));
      a.flush();
      b.flush();
      assertThat(Files.readAllBytes(LogTestSupport.segmentLog(dirA, 0)))
          .isEqualTo(Files.readAllBytes(LogTestSupport.segmentLog(dirB, 0)));
      assertThat(Replication.epochCheckpoint(a)).containsExactly("0", "2", "1 0", "2 10");
      assertThat(Replication.epochCheckpoint(b)).isEqualTo(Replication.epochCheckpoint(a));
    }
  }
}
