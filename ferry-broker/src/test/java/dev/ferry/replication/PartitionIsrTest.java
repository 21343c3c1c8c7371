package dev.ferry.replication;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.metadata.PartitionState;
import dev.ferry.storage.LogConfig;
import dev.ferry.storage.PartitionLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leader's ISR expansion: only caught-up followers, and only registered brokers; and a leadership
 * taken on a failing disk is a whole one.
 */
class PartitionIsrTest {

  @TempDir Path dir;

  @Test
  void aCaughtUpFollowerJoinsTheIsrOnlyWhileItIsARegisteredBroker() {
    TopicPartition tp = new TopicPartition("t", 0);
    LogConfig config = LogConfig.fromMap(LogConfig.defaultValues());
    try (PartitionLog log = PartitionLog.open(dir.resolve("t-0"), config, Time.SYSTEM, true)) {
      Partition p = new Partition(tp, Uuid.randomUuid(), log, 0, List.of(0, 1), x -> {});
      p.makeLeader(new PartitionState(0, 3, List.of(0), 1, 7), List.of(0, 1), 0);
      p.appendAsLeader(
          MemoryRecords.withRecords(Compression.NONE, new SimpleRecord("v".getBytes())), (short) 1);
      long end = log.logEndOffset();

      assertThat(p.recordFollowerFetch(1, end - 1, end, 10, id -> true))
          .as("behind the leader's log end: not caught up")
          .isNull();
      assertThat(p.recordFollowerFetch(1, end, end, 20, id -> false))
          .as("caught up but not registered (its session expired)")
          .isNull();
      PartitionState expansion = p.recordFollowerFetch(1, end, end, 30, id -> true);
      assertThat(expansion).isNotNull();
      assertThat(expansion.isr()).containsExactly(0, 1);
      assertThat(expansion.leaderEpoch()).isEqualTo(3);
      assertThat(expansion.partitionEpoch()).as("conditional on the known state").isEqualTo(7);
    }
  }

  /**
   * Found by the DISK_FULL nemesis (ClusterFaultInjectionTest seed 55649604145116): a follower
   * whose log dir was full was elected leader; recording the new epoch's start in the leader-epoch
   * checkpoint failed, and the exception left the partition half made — role and epoch of the new
   * leadership, but the followers untracked and the old partition epoch. Its high watermark never
   * moved again (an acknowledged record below it became invisible to consumers, every later write
   * timed out) and its ISR writes failed forever on the stale partition epoch. The leadership must
   * be taken whole; the checkpoint is written before the epoch's first append anyway.
   */
  @Test
  void aLeadershipTakenWhileTheEpochCheckpointCannotBeWrittenIsWhole() throws Exception {
    TopicPartition tp = new TopicPartition("t", 0);
    LogConfig config = LogConfig.fromMap(LogConfig.defaultValues());
    Path partitionDir = dir.resolve("t-0");
    try (PartitionLog log = PartitionLog.open(partitionDir, config, Time.SYSTEM, true)) {
      Partition p = new Partition(tp, Uuid.randomUuid(), log, 0, List.of(0, 1), x -> {});
      p.makeFollower(new PartitionState(1, 2, List.of(1, 0), 1, 5), List.of(0, 1));
      log.appendAsFollower(
          MemoryRecords.withRecords(
              0L,
              Compression.NONE,
              2,
              new SimpleRecord("a".getBytes()),
              new SimpleRecord("b".getBytes())));
      long end = log.logEndOffset();
      // The checkpoint is written to a .tmp sibling first: a directory there makes that fail,
      // as a full disk does (file permissions do not stop root).
      Path blocker = partitionDir.resolve("leader-epoch-checkpoint.tmp");
      Files.createDirectories(blocker.resolve("x"));

      p.makeLeader(new PartitionState(0, 3, List.of(1, 0), 1, 7), List.of(0, 1), 0);

      assertThat(p.leaderEpoch()).isEqualTo(3);
      assertThat(p.isr()).containsExactlyInAnyOrder(0, 1);
      // The follower catches up: the high watermark reaches the log end, and an ISR change is
      // conditional on the partition epoch of the leadership (7), not the follower's (5).
      p.recordFollowerFetch(1, end, end, 10, id -> true);
      assertThat(p.highWatermark()).isEqualTo(end);
      Files.delete(blocker.resolve("x"));
      Files.delete(blocker);
      PartitionState shrink = p.maybeShrinkIsr(20_000, 5_000);
      assertThat(shrink).as("follower 1 lagging for 20 s").isNotNull();
      assertThat(shrink.partitionEpoch()).isEqualTo(7);
      assertThat(shrink.leaderEpoch()).isEqualTo(3);
    }
  }
}
