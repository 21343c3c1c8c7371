package dev.ferry.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.metadata.PartitionState;
import dev.ferry.runtime.ManualClock;
import dev.ferry.storage.AppendResult;
import dev.ferry.storage.LogConfig;
import dev.ferry.storage.LogManager;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.NotEnoughReplicasException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * acks=all appends on a {@link ReplicaManager} without a cluster: they wait for the follower's
 * progress, time out on the manual clock, and learn of lost leadership; min.insync.replicas is
 * checked before appending.
 */
class ReplicaManagerAppendTest {

  private static final int EPOCH = 4;

  @TempDir Path dir;

  private final TopicPartition tp = new TopicPartition("t", 0);
  private final ManualClock clock = new ManualClock(1_000);
  private final LogConfig logConfig = LogConfig.fromMap(LogConfig.defaultValues());
  private LogManager logManager;
  private ReplicaManager replicas;
  private Partition partition;

  @BeforeEach
  void leadWithOneFollowerInTheIsr() {
    logManager = new LogManager(List.of(dir), logConfig, 300_000, clock);
    logManager.startup();
    replicas = new ReplicaManager(logManager, clock, clock);
    partition =
        replicas.makeLeader(
            tp,
            Uuid.randomUuid(),
            logConfig,
            new PartitionState(0, EPOCH, List.of(0, 1), 1, 1),
            List.of(0, 1),
            2);
  }

  @AfterEach
  void close() {
    replicas.close();
    logManager.close();
  }

  @Test
  void anAcksAllAppendCompletesWhenTheFollowerHasIt() {
    CompletableFuture<Errors> done = appendAndAwait(5_000, "a", "b");
    assertThat(done).isNotDone();

    partition.read(FetchParams.follower(1), 1, EPOCH, 1 << 20, true);
    assertThat(done).as("the follower has offset 0 only").isNotDone();
    partition.read(FetchParams.follower(1), 2, EPOCH, 1 << 20, true);
    assertThat(done).isCompletedWithValue(Errors.NONE);
    assertThat(
            partition
                .read(FetchParams.consumer(IsolationLevel.READ_UNCOMMITTED), 0, EPOCH, 100, true)
                .highWatermark())
        .isEqualTo(2);
  }

  @Test
  void itTimesOutOnTheClock() {
    CompletableFuture<Errors> done = appendAndAwait(5_000, "a");
    clock.advance(4_999);
    assertThat(done).isNotDone();
    clock.advance(1);
    assertThat(done).isCompletedWithValue(Errors.REQUEST_TIMED_OUT);
  }

  @Test
  void losingLeadershipAnswersNotLeader() {
    CompletableFuture<Errors> done = appendAndAwait(5_000, "a");
    replicas.makeFollower(
        tp,
        partition.topicId(),
        logConfig,
        new PartitionState(1, EPOCH + 1, List.of(1), 1, 2),
        List.of(0, 1),
        2);
    assertThat(done).isCompletedWithValue(Errors.NOT_LEADER_OR_FOLLOWER);
  }

  @Test
  void tooSmallAnIsrRefusesTheAppend() {
    replicas.makeLeader(
        tp,
        partition.topicId(),
        logConfig,
        new PartitionState(0, EPOCH, List.of(0), 1, 2),
        List.of(0, 1),
        2);
    assertThatThrownBy(() -> append("a")).isInstanceOf(NotEnoughReplicasException.class);
    assertThat(partition.logEndOffset()).isZero();
  }

  private CompletableFuture<Errors> appendAndAwait(long timeoutMs, String... values) {
    AppendResult r = append(values);
    return replicas.awaitReplication(partition, EPOCH, r.lastOffset() + 1, timeoutMs);
  }

  private AppendResult append(String... values) {
    SimpleRecord[] records = new SimpleRecord[values.length];
    for (int i = 0; i < values.length; i++) {
      records[i] = new SimpleRecord(clock.milliseconds(), values[i].getBytes());
    }
    return replicas.appendAsLeader(
        tp, MemoryRecords.withRecords(Compression.NONE, records), (short) -1);
  }
}
