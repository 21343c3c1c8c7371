package dev.ferry.metadata.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.metadata.ControllerEpoch;
import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.PartitionStateStore.StateWrite;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.errors.ControllerMovedException;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller's leadership writes of one pass go to ZooKeeper in a few transactions, not one per
 * partition, and each write still succeeds or fails on its own partition epoch.
 */
class PartitionStateBatchWriteTest {

  private static final int PARTITIONS = 2_000;

  @TempDir Path dir;
  private EmbeddedZooKeeper zk;
  private ZkMetadataStore store;

  @BeforeEach
  void start() {
    zk = EmbeddedZooKeeper.start(dir, 0);
    store = ZkMetadataStore.connect(zk.connectString(), 6_000);
    Map<Integer, List<Integer>> assignment = new HashMap<>();
    for (int p = 0; p < PARTITIONS; p++) {
      assignment.put(p, List.of(1, 2));
    }
    store.createTopic("t", assignment, Map.of());
  }

  @AfterEach
  void stop() {
    store.close();
    zk.close();
  }

  /** Leader 1 → 2 for every partition, conditional on the partition epoch each was read at. */
  private static List<StateWrite> moveToBroker2(int expectedPartitionEpoch) {
    List<StateWrite> writes = new ArrayList<>();
    for (int p = 0; p < PARTITIONS; p++) {
      writes.add(
          new StateWrite(
              "t", p, expectedPartitionEpoch, new PartitionState(2, 1, List.of(2), 0, 0)));
    }
    return writes;
  }

  private long mzxid(int partition) throws Exception {
    Stat stat = store.curator().checkExists().forPath(ZkPaths.partitionState("t", partition));
    return stat.getMzxid();
  }

  @Test
  void anElectionOverThousandsOfPartitionsTakesAFewTransactions() throws Exception {
    ControllerEpoch fence = store.claimControllerEpoch();

    List<Optional<PartitionState>> results =
        store.compareAndSetPartitionStates(moveToBroker2(0), fence);

    assertThat(results).hasSize(PARTITIONS).allMatch(Optional::isPresent);
    Set<Long> transactions = new HashSet<>();
    for (int p = 0; p < PARTITIONS; p++) {
      assertThat(store.readPartitionState("t", p))
          .contains(new PartitionState(2, 1, List.of(2), fence.epoch(), 1));
      transactions.add(mzxid(p));
    }
    // One zxid per ZooKeeper transaction: ~180 bytes a write, 64 KiB a transaction.
    int expected = PARTITIONS * 180 / ZkMetadataStore.STATE_WRITE_BUDGET_BYTES + 1;
    assertThat(transactions.size()).isBetween(2, expected + 2);
  }

  @Test
  void aPartitionChangedMeanwhileFailsAloneAndTheOthersAreWritten() {
    ControllerEpoch fence = store.claimControllerEpoch();
    // The leader of partition 777 shrinks its ISR after the controller read the state.
    PartitionState shrunk = new PartitionState(1, 0, List.of(1), 0, 0);
    assertThat(store.compareAndSetPartitionState("t", 777, 0, shrunk, null)).isPresent();

    List<Optional<PartitionState>> results =
        store.compareAndSetPartitionStates(moveToBroker2(0), fence);

    for (int p = 0; p < PARTITIONS; p++) {
      if (p == 777) {
        assertThat(results.get(p)).isEmpty();
        assertThat(store.readPartitionState("t", p))
            .contains(new PartitionState(1, 0, List.of(1), 0, 1));
      } else {
        assertThat(results.get(p)).contains(new PartitionState(2, 1, List.of(2), fence.epoch(), 1));
        assertThat(store.readPartitionState("t", p))
            .contains(new PartitionState(2, 1, List.of(2), fence.epoch(), 1));
      }
    }
  }

  @Test
  void aSupersededControllerWritesNothing() {
    ControllerEpoch stale = store.claimControllerEpoch();
    store.claimControllerEpoch(); // another controller took over

    assertThatThrownBy(() -> store.compareAndSetPartitionStates(moveToBroker2(0), stale))
        .isInstanceOf(ControllerMovedException.class);

    for (int p : List.of(0, 999, PARTITIONS - 1)) {
      assertThat(store.readPartitionState("t", p))
          .contains(new PartitionState(1, 0, List.of(1, 2), 0, 0));
    }
  }
}
