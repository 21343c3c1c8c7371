package dev.ferry.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.metadata.PartitionState;
import dev.ferry.runtime.ManualClock;
import dev.ferry.storage.EpochEndOffset;
import dev.ferry.storage.LogConfig;
import dev.ferry.storage.PartitionLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.FencedLeaderEpochException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.UnknownLeaderEpochException;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operations request handlers run on a partition led here: reads bounded by isolation, epoch
 * fencing, follower progress, DeleteRecords, ListOffsets and OffsetForLeaderEpoch lookups. A real
 * log in a temporary directory; no broker, no sockets, a controlled clock.
 */
class PartitionOperationsTest {

  private static final int EPOCH = 3;

  @TempDir Path dir;

  private final TopicPartition tp = new TopicPartition("t", 0);
  private final ManualClock time = new ManualClock(1_000_000L);
  private final List<PartitionState> submitted = new ArrayList<>();
  private PartitionLog log;
  private Partition partition;

  @BeforeEach
  void leadWithOneFollower() {
    log =
        PartitionLog.open(
            dir.resolve("t-0"), LogConfig.fromMap(LogConfig.defaultValues()), time, true);
    IsrExpansions recording =
        new IsrExpansions() {
          @Override
          public boolean eligible(int brokerId) {
            return true;
          }

          @Override
          public void submit(Partition p, PartitionState expansion) {
            submitted.add(expansion);
          }
        };
    partition =
        new Partition(tp, Uuid.randomUuid(), log, 0, List.of(0, 1), p -> {}, recording, time);
    partition.makeLeader(new PartitionState(0, EPOCH, List.of(0, 1), 1, 5), List.of(0, 1), 0);
  }

  @AfterEach
  void close() {
    log.close();
  }

  @Test
  void aConsumerReadsUpToTheHighWatermarkAndAFollowerToTheLogEnd() {
    append("a", "b", "c");
    assertThat(partition.highWatermark()).as("the follower has not fetched yet").isZero();

    LogReadInfo consumer =
        partition.read(
            FetchParams.consumer(IsolationLevel.READ_UNCOMMITTED), 0, EPOCH, 1 << 20, true);
    assertThat(values(consumer)).isEmpty();
    assertThat(consumer.highWatermark()).isZero();
    assertThat(consumer.logEndOffset()).isEqualTo(3);
    assertThat(consumer.abortedTransactions()).isNull();

    LogReadInfo follower = partition.read(FetchParams.follower(1), 0, EPOCH, 1 << 20, true);
    assertThat(values(follower)).containsExactly("a", "b", "c");

    // The follower's next fetch at offset 3 says it has everything: the high watermark follows.
    LogReadInfo next = partition.read(FetchParams.follower(1), 3, EPOCH, 1 << 20, true);
    assertThat(values(next)).isEmpty();
    assertThat(next.highWatermark()).isEqualTo(3);
    assertThat(partition.highWatermark()).isEqualTo(3);

    LogReadInfo committed =
        partition.read(FetchParams.consumer(IsolationLevel.READ_COMMITTED), 0, -1, 1 << 20, true);
    assertThat(values(committed)).containsExactly("a", "b", "c");
    assertThat(committed.lastStableOffset()).isEqualTo(3);
    assertThat(committed.abortedTransactions()).isEmpty();
  }

  @Test
  void aCaughtUpFollowerOutsideTheIsrIsProposedForIt() {
    partition.makeLeader(new PartitionState(0, EPOCH + 1, List.of(0), 1, 6), List.of(0, 1), 0);
    append("a");
    time.advance(5);
    partition.read(FetchParams.follower(1), 1, EPOCH + 1, 1 << 20, true);
    assertThat(submitted).hasSize(1);
    assertThat(submitted.get(0).isr()).containsExactly(0, 1);
    assertThat(submitted.get(0).partitionEpoch()).isEqualTo(6);
  }

  @Test
  void readsAreFencedByLeaderEpochAndLeadership() {
    append("a");
    FetchParams consumer = FetchParams.consumer(IsolationLevel.READ_UNCOMMITTED);
    assertThatThrownBy(() -> partition.read(consumer, 0, EPOCH - 1, 100, true))
        .isInstanceOf(FencedLeaderEpochException.class);
    assertThatThrownBy(() -> partition.read(consumer, 0, EPOCH + 1, 100, true))
        .isInstanceOf(UnknownLeaderEpochException.class);
    assertThatThrownBy(() -> partition.read(consumer, 5, EPOCH, 100, true))
        .isInstanceOf(OffsetOutOfRangeException.class);

    partition.makeFollower(new PartitionState(1, EPOCH + 1, List.of(0, 1), 1, 7), List.of(0, 1));
    assertThatThrownBy(() -> partition.read(consumer, 0, -1, 100, true))
        .isInstanceOf(NotLeaderOrFollowerException.class);
    assertThatThrownBy(() -> partition.deleteRecordsOnLeader(0))
        .isInstanceOf(NotLeaderOrFollowerException.class);
    assertThatThrownBy(
            () ->
                partition.fetchOffsetForTimestamp(
                    ListOffsetsRequest.LATEST_TIMESTAMP, -1, FetchIsolation.HIGH_WATERMARK))
        .isInstanceOf(NotLeaderOrFollowerException.class);
    assertThatThrownBy(() -> partition.lastOffsetForLeaderEpoch(-1, EPOCH))
        .isInstanceOf(NotLeaderOrFollowerException.class);
  }

  @Test
  void deleteRecordsStopsAtTheHighWatermark() {
    append("a", "b", "c", "d");
    partition.read(FetchParams.follower(1), 2, EPOCH, 1 << 20, true);
    assertThat(partition.highWatermark()).isEqualTo(2);

    assertThatThrownBy(() -> partition.deleteRecordsOnLeader(3))
        .as("offset 2 is not replicated yet")
        .isInstanceOf(OffsetOutOfRangeException.class);
    assertThat(partition.deleteRecordsOnLeader(1)).isEqualTo(1);
    assertThat(partition.deleteRecordsOnLeader(-1)).as("-1: the high watermark").isEqualTo(2);
    assertThat(partition.logStartOffset()).isEqualTo(2);
    assertThat(
            partition
                .fetchOffsetForTimestamp(
                    ListOffsetsRequest.EARLIEST_TIMESTAMP, EPOCH, FetchIsolation.HIGH_WATERMARK)
                .offset())
        .isEqualTo(2);
  }

  @Test
  void offsetsForTimestampsAndEpochs() {
    append(100, "a");
    append(300, "b");
    append(200, "c");
    partition.read(FetchParams.follower(1), 3, EPOCH, 1 << 20, true);

    assertThat(lookup(ListOffsetsRequest.LATEST_TIMESTAMP))
        .isEqualTo(new OffsetLookup(3, -1, EPOCH));
    assertThat(lookup(ListOffsetsRequest.MAX_TIMESTAMP)).isEqualTo(new OffsetLookup(1, 300, EPOCH));
    assertThat(lookup(150)).isEqualTo(new OffsetLookup(1, 300, EPOCH));
    assertThat(lookup(301))
        .as("nothing at or after it: offset, timestamp and epoch unknown, as in Kafka")
        .isEqualTo(new OffsetLookup(-1, -1, -1));

    assertThat(partition.lastOffsetForLeaderEpoch(EPOCH, EPOCH))
        .isEqualTo(new EpochEndOffset(EPOCH, 3));
    assertThat(partition.lastOffsetForLeaderEpoch(-1, EPOCH - 1))
        .as("no epoch at or below 2 in this log: it ends where the log's first epoch starts")
        .isEqualTo(new EpochEndOffset(EPOCH - 1, 0));
    assertThat(partition.lastOffsetForLeaderEpoch(-1, EPOCH + 1))
        .as("above the latest")
        .isEqualTo(EpochEndOffset.UNDEFINED);
  }

  private OffsetLookup lookup(long timestamp) {
    return partition.fetchOffsetForTimestamp(timestamp, EPOCH, FetchIsolation.HIGH_WATERMARK);
  }

  private void append(String... values) {
    append(time.milliseconds(), values);
  }

  private void append(long timestamp, String... values) {
    SimpleRecord[] records = new SimpleRecord[values.length];
    for (int i = 0; i < values.length; i++) {
      records[i] = new SimpleRecord(timestamp, values[i].getBytes());
    }
    partition.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, records), (short) 1);
  }

  private static List<String> values(LogReadInfo info) {
    List<String> out = new ArrayList<>();
    for (RecordBatch batch : info.records().batches()) {
      for (Record r : batch) {
        byte[] b = new byte[r.valueSize()];
        r.value().get(b);
        out.add(new String(b));
      }
    }
    return out;
  }
}
