package dev.ferry.replication;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.metadata.PartitionState;
import dev.ferry.storage.LogConfig;
import dev.ferry.storage.PartitionLog;
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

/** A leader's ISR expansion: only caught-up followers, and only registered brokers. */
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
}
