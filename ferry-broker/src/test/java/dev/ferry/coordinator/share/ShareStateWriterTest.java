package dev.ferry.coordinator.share;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;

/**
 * One write in flight per share-partition: later snapshots wait, only the newest of them is written
 * next, and every caller completes with the write that covered its snapshot.
 */
class ShareStateWriterTest {

  private static final SharePartitionKey KEY =
      new SharePartitionKey("g", new TopicIdPartition(Uuid.randomUuid(), 0, "t"));

  /** A store whose writes complete when the test says so. */
  private static final class SlowStore implements ShareStateStore {
    final List<ShareStateSnapshot> written = new ArrayList<>();
    final List<CompletableFuture<Void>> pending = new ArrayList<>();

    @Override
    public Optional<ShareStateSnapshot> read(SharePartitionKey key) {
      return Optional.empty();
    }

    @Override
    public CompletableFuture<Void> write(
        SharePartitionKey key, int leaderEpoch, ShareStateSnapshot state) {
      written.add(state);
      CompletableFuture<Void> f = new CompletableFuture<>();
      pending.add(f);
      return f;
    }

    @Override
    public void delete(SharePartitionKey key) {}

    @Override
    public List<SharePartitionKey> keys(String groupId) {
      return List.of();
    }
  }

  private static ShareStateSnapshot at(long start) {
    return new ShareStateSnapshot(start, List.of());
  }

  @Test
  void snapshotsWaitingBehindAWriteAreCoalescedIntoTheNewest() {
    SlowStore store = new SlowStore();
    ShareStateWriter writer = new ShareStateWriter(store, KEY, 3);
    CompletableFuture<Void> first = writer.write(at(1));
    CompletableFuture<Void> second = writer.write(at(2));
    CompletableFuture<Void> third = writer.write(at(3));
    assertThat(store.written).containsExactly(at(1)); // one in flight
    store.pending.get(0).complete(null);
    assertThat(first).isCompleted();
    assertThat(second).isNotDone();
    assertThat(store.written).containsExactly(at(1), at(3)); // 2 is covered by 3
    store.pending.get(1).complete(null);
    assertThat(second).isCompleted();
    assertThat(third).isCompleted();
    // idle again: the next write goes out at once
    writer.write(at(4));
    assertThat(store.written).containsExactly(at(1), at(3), at(4));
  }

  @Test
  void aFailedWriteFailsItsCallersAndTheNextStillGoesOut() {
    SlowStore store = new SlowStore();
    ShareStateWriter writer = new ShareStateWriter(store, KEY, 3);
    CompletableFuture<Void> first = writer.write(at(1));
    CompletableFuture<Void> second = writer.write(at(2));
    store.pending.get(0).completeExceptionally(new IllegalStateException("lost"));
    assertThat(first).isCompletedExceptionally();
    assertThat(store.written).containsExactly(at(1), at(2));
    store.pending.get(1).completeExceptionally(new IllegalStateException("lost again"));
    assertThat(second).isCompletedExceptionally();
  }
}
