package dev.ferry.coordinator.share.state;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.coordinator.group.CoordinatorLog;
import dev.ferry.coordinator.share.SharePartition;
import dev.ferry.coordinator.share.SharePartitionKey;
import dev.ferry.coordinator.share.ShareStateSnapshot;
import dev.ferry.storage.AppendResult;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Test;

/**
 * The share coordinator over an in-memory log: a write is visible once appended, a coordinator
 * taking the partition over replays exactly the latest state of each share-partition (deletes
 * included), older leader epochs are fenced, and a failed append changes nothing.
 */
class ShareStateCoordinatorTest {

  private static final ShareStateTopicConfig CONFIG =
      new ShareStateTopicConfig(1, (short) 1, (short) 1, 1 << 20, 5_000);
  private static final SharePartitionKey KEY =
      new SharePartitionKey("g", new TopicIdPartition(Uuid.randomUuid(), 3, "orders"));
  private static final SharePartitionKey OTHER =
      new SharePartitionKey("g", new TopicIdPartition(Uuid.randomUuid(), 0, "audit"));

  /** Appends batches to a list, assigning offsets; fails while {@link #failing}. */
  private static final class MemoryLog implements CoordinatorLog {
    final List<ByteBuffer> batches = new ArrayList<>();
    long end;
    boolean failing;

    @Override
    public CompletableFuture<AppendResult> append(MemoryRecords records) {
      if (failing) {
        return CompletableFuture.failedFuture(Errors.NOT_ENOUGH_REPLICAS.exception());
      }
      long first = end;
      for (MutableRecordBatch b : records.batches()) {
        b.setLastOffset(end + b.lastOffset() - b.baseOffset());
        end = b.lastOffset() + 1;
      }
      ByteBuffer copy = ByteBuffer.allocate(records.sizeInBytes());
      copy.put(records.buffer().duplicate()).flip();
      batches.add(copy);
      return CompletableFuture.completedFuture(new AppendResult(first, end - 1, -1, 0, false));
    }

    @Override
    public long logStartOffset() {
      return 0;
    }

    @Override
    public long logEndOffset() {
      return end;
    }

    @Override
    public Records read(long offset, int maxBytes) {
      ByteBuffer all = ByteBuffer.allocate(batches.stream().mapToInt(ByteBuffer::remaining).sum());
      batches.forEach(b -> all.put(b.duplicate()));
      all.flip();
      return MemoryRecords.readableRecords(all);
    }
  }

  private final MemoryLog log = new MemoryLog();

  private static ShareStateCoordinator leading(MemoryLog log) {
    ShareStateCoordinator c = new ShareStateCoordinator(CONFIG, Runnable::run, Time.SYSTEM);
    c.onBecomeLeader(0, log);
    return c;
  }

  private static ShareStateSnapshot state(long start, short deliveries) {
    return new ShareStateSnapshot(
        start,
        List.of(
            new ShareStateSnapshot.Run(start, start + 1, SharePartition.AVAILABLE, deliveries),
            new ShareStateSnapshot.Run(
                start + 2, start + 2, SharePartition.ACKNOWLEDGED, (short) 1)));
  }

  @Test
  void aNewLeaderReplaysTheLatestStateOfEachSharePartition() {
    ShareStateCoordinator c = leading(log);
    assertThat(c.read(KEY))
        .isEqualTo(new ShareStateCoordinator.ReadResult(Errors.NONE, Optional.empty()));
    assertThat(c.write(KEY, 1, state(0, (short) 1)).join()).isEqualTo(Errors.NONE);
    assertThat(c.write(KEY, 1, state(5, (short) 2)).join()).isEqualTo(Errors.NONE);
    assertThat(c.write(OTHER, 1, state(7, (short) 1)).join()).isEqualTo(Errors.NONE);
    assertThat(c.write(OTHER, 1, null).join()).isEqualTo(Errors.NONE);
    assertThat(c.read(KEY).state()).contains(state(5, (short) 2));
    assertThat(c.read(OTHER).state()).isEmpty();
    assertThat(c.keys("g")).hasSize(1);

    ShareStateCoordinator next = leading(log);
    assertThat(next.read(KEY).state()).contains(state(5, (short) 2));
    assertThat(next.read(OTHER).state()).isEmpty();
    assertThat(next.keys("g"))
        .containsExactly(
            new SharePartitionKey("g", new TopicIdPartition(KEY.partition().topicId(), 3, "")));
    c.onResign(0);
    assertThat(c.read(KEY).error()).isEqualTo(Errors.NOT_COORDINATOR);
  }

  @Test
  void aWriterOfAnOlderLeaderEpochIsFencedAndAdminWritesAreNot() {
    ShareStateCoordinator c = leading(log);
    assertThat(c.write(KEY, 5, state(0, (short) 1)).join()).isEqualTo(Errors.NONE);
    assertThat(c.write(KEY, 4, state(9, (short) 1)).join()).isEqualTo(Errors.FENCED_LEADER_EPOCH);
    assertThat(c.read(KEY).state()).contains(state(0, (short) 1));
    assertThat(c.write(KEY, -1, state(3, (short) 1)).join()).isEqualTo(Errors.NONE);
    assertThat(c.read(KEY).state()).contains(state(3, (short) 1));
    // the admin write kept epoch 5, also for a coordinator that replays it
    assertThat(leading(log).write(KEY, 4, state(9, (short) 1)).join())
        .isEqualTo(Errors.FENCED_LEADER_EPOCH);
  }

  @Test
  void aWriteThatIsNotReplicatedChangesNothing() {
    ShareStateCoordinator c = leading(log);
    assertThat(c.write(KEY, 1, state(0, (short) 1)).join()).isEqualTo(Errors.NONE);
    log.failing = true;
    assertThat(c.write(KEY, 1, state(4, (short) 1)).join()).isEqualTo(Errors.NOT_COORDINATOR);
    assertThat(c.read(KEY).state()).contains(state(0, (short) 1));
    ShareStateCoordinator elsewhere = new ShareStateCoordinator(CONFIG, Runnable::run, Time.SYSTEM);
    assertThat(elsewhere.write(KEY, 1, state(4, (short) 1)).join())
        .isEqualTo(Errors.NOT_COORDINATOR);
  }
}
