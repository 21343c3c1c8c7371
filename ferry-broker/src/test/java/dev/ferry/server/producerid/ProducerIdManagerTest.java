package dev.ferry.server.producerid;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.metadata.ProducerIdBlock;
import dev.ferry.metadata.ProducerIdStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

class ProducerIdManagerTest {

  /** Hands out consecutive blocks, or fails while {@code down}; records every reservation. */
  private static final class FakeStore implements ProducerIdStore {
    final List<ProducerIdBlock> reserved = new ArrayList<>();
    boolean down;
    long next;

    @Override
    public ProducerIdBlock allocateProducerIdBlock(int brokerId, int blockSize) {
      if (down) {
        throw new IllegalStateException("ZooKeeper unreachable");
      }
      ProducerIdBlock block = new ProducerIdBlock(brokerId, next, blockSize);
      next += blockSize;
      reserved.add(block);
      return block;
    }
  }

  /** Runs the admin work only when asked, so a test sees when a reservation happens. */
  private static final class ManualExecutor implements Executor {
    final List<Runnable> queued = new ArrayList<>();

    @Override
    public void execute(Runnable task) {
      queued.add(task);
    }

    void runAll() {
      while (!queued.isEmpty()) {
        queued.remove(0).run();
      }
    }
  }

  @Test
  void startReservesTheFirstBlockSoTheFirstIdNeedsNoStoreWrite() {
    FakeStore store = new FakeStore();
    ManualExecutor admin = new ManualExecutor();
    ProducerIdManager ids = new ProducerIdManager(store, 7, admin);

    ids.start();
    admin.runAll();
    assertThat(store.reserved).containsExactly(new ProducerIdBlock(7, 0, 1000));

    assertThat(ids.nextId()).isCompletedWithValue(0L);
    assertThat(ids.nextId()).isCompletedWithValue(1L);
    assertThat(admin.queued).isEmpty();
    assertThat(store.reserved).hasSize(1);
  }

  @Test
  void withoutStartTheFirstIdWaitsForAReservation() {
    FakeStore store = new FakeStore();
    ManualExecutor admin = new ManualExecutor();
    ProducerIdManager ids = new ProducerIdManager(store, 7, admin);

    var first = ids.nextId();
    assertThat(first).isNotDone();
    admin.runAll();
    assertThat(first).isCompletedWithValue(0L);
    assertThat(store.reserved).containsExactly(new ProducerIdBlock(7, 0, 1000));
  }

  @Test
  void aFailedStartReservationIsRetriedByTheFirstRequest() {
    FakeStore store = new FakeStore();
    ManualExecutor admin = new ManualExecutor();
    ProducerIdManager ids = new ProducerIdManager(store, 7, admin);
    store.down = true;
    ids.start();
    admin.runAll();
    store.down = false;

    var first = ids.nextId();
    admin.runAll();
    assertThat(first).isCompletedWithValue(0L);
    assertThat(store.reserved).containsExactly(new ProducerIdBlock(7, 0, 1000));
  }

  @Test
  void startTwiceReservesOnce() {
    FakeStore store = new FakeStore();
    ManualExecutor admin = new ManualExecutor();
    ProducerIdManager ids = new ProducerIdManager(store, 7, admin);
    ids.start();
    ids.start();
    admin.runAll();
    assertThat(store.reserved).hasSize(1);
  }
}
