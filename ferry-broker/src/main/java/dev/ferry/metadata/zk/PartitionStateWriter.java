package dev.ferry.metadata.zk;

import dev.ferry.metadata.ControllerEpoch;
import dev.ferry.metadata.MetadataCache;
import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.PartitionStateStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.kafka.common.errors.ControllerMovedException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leadership writes: the controller epoch claim and compare-and-set writes of partition state.
 *
 * <p>The {@code partitionEpoch} stored in a state znode is always that znode's data version (it
 * starts at 0 on creation and every write here sets it to the version the write produces). So a
 * writer that knows a state also knows the version to make its write conditional on, without an
 * extra read: a controller or leader acting on a stale state fails instead of overwriting a newer
 * decision (like Kafka's AlterPartition / partition epoch). Blocking; never on a network thread.
 */
final class PartitionStateWriter {

  private static final Logger log = LoggerFactory.getLogger(PartitionStateWriter.class);

  private final CuratorFramework client;
  private final MetadataCache cache;

  PartitionStateWriter(CuratorFramework client, MetadataCache cache) {
    this.client = client;
    this.cache = cache;
  }

  /** Bumps the controller epoch by compare-and-set and returns the claim. */
  ControllerEpoch claimControllerEpoch() {
    try {
      while (true) {
        Stat stat = new Stat();
        int current;
        try {
          current =
              ZNodeCodec.decodeControllerEpoch(
                  client.getData().storingStatIn(stat).forPath(ZkPaths.CONTROLLER_EPOCH));
        } catch (KeeperException.NoNodeException e) {
          try {
            Stat created = new Stat();
            client
                .create()
                .creatingParentsIfNeeded()
                .storingStatIn(created)
                .forPath(ZkPaths.CONTROLLER_EPOCH, ZNodeCodec.encodeControllerEpoch(1));
            return new ControllerEpoch(1, created.getVersion());
          } catch (KeeperException.NodeExistsException raced) {
            continue;
          }
        }
        try {
          Stat written =
              client
                  .setData()
                  .withVersion(stat.getVersion())
                  .forPath(ZkPaths.CONTROLLER_EPOCH, ZNodeCodec.encodeControllerEpoch(current + 1));
          return new ControllerEpoch(current + 1, written.getVersion());
        } catch (KeeperException.BadVersionException raced) {
          // Another controller candidate got in between; read again.
        }
      }
    } catch (Exception e) {
      throw ZkErrors.translate("claiming the controller epoch", e);
    }
  }

  /**
   * Writes {@code next} (with partitionEpoch = expected + 1) if the state znode is still at {@code
   * expectedPartitionEpoch} and, with a {@code fence}, the controller epoch is still the fence's.
   *
   * @return the state written, or empty if the partition state changed meanwhile
   * @throws ControllerMovedException if a newer controller claimed the epoch
   * @throws UnknownTopicOrPartitionException if the partition is gone
   */
  Optional<PartitionState> compareAndSet(
      String topic,
      int partition,
      int expectedPartitionEpoch,
      PartitionState next,
      ControllerEpoch fence) {
    PartitionState toWrite = next.writtenAfter(expectedPartitionEpoch, fence);
    String path = ZkPaths.partitionState(topic, partition);
    String action = "writing the state of " + topic + "-" + partition;
    try {
      Stat stat;
      if (fence == null) {
        stat =
            client
                .setData()
                .withVersion(expectedPartitionEpoch)
                .forPath(path, ZNodeCodec.encodePartitionState(toWrite));
      } else {
        CuratorOp check =
            client
                .transactionOp()
                .check()
                .withVersion(fence.zkVersion())
                .forPath(ZkPaths.CONTROLLER_EPOCH);
        CuratorOp set =
            client
                .transactionOp()
                .setData()
                .withVersion(expectedPartitionEpoch)
                .forPath(path, ZNodeCodec.encodePartitionState(toWrite));
        List<CuratorTransactionResult> results = client.transaction().forOperations(check, set);
        stat = results.get(1).getResultStat();
      }
      cache.putPartitionState(topic, partition, toWrite, stat.getCzxid(), stat.getMzxid());
      return Optional.of(toWrite);
    } catch (KeeperException.BadVersionException e) {
      return Optional.empty();
    } catch (KeeperException.NoNodeException e) {
      throw new UnknownTopicOrPartitionException("No partition " + topic + "-" + partition);
    } catch (KeeperException e) {
      if (fence != null && e.getResults() != null) {
        int failed = ZkErrors.failedOp(e);
        if (failed == 0) {
          throw new ControllerMovedException(
              "Controller epoch " + fence.epoch() + " is no longer current");
        }
        if (failed == 1 && e.code() == KeeperException.Code.BADVERSION) {
          return Optional.empty();
        }
        if (failed == 1 && e.code() == KeeperException.Code.NONODE) {
          throw new UnknownTopicOrPartitionException("No partition " + topic + "-" + partition);
        }
      }
      throw ZkErrors.translate(action, e);
    } catch (Exception e) {
      throw ZkErrors.translate(action, e);
    }
  }

  /**
   * The writes of {@code writes}, each as {@link #compareAndSet} would make it, grouped into
   * transactions of at most {@code budgetBytes} (estimated; see {@link TransactionBatches}) that
   * each check the controller epoch once. A transaction fails as a whole when one of its partitions
   * changed meanwhile: its writes are then made one by one, so each succeeds or fails on its own
   * partition epoch. An election that moves 3,000 leaderships thus costs a few round trips (and
   * ZooKeeper log appends) instead of 3,000.
   */
  List<Optional<PartitionState>> compareAndSetAll(
      List<PartitionStateStore.StateWrite> writes, ControllerEpoch fence, int budgetBytes) {
    List<Optional<PartitionState>> results = new ArrayList<>(writes.size());
    if (fence == null || writes.size() < 2) {
      for (PartitionStateStore.StateWrite w : writes) {
        results.add(
            compareAndSet(w.topic(), w.partition(), w.expectedPartitionEpoch(), w.next(), fence));
      }
      return results;
    }
    List<Encoded> encoded = new ArrayList<>(writes.size());
    for (PartitionStateStore.StateWrite w : writes) {
      PartitionState toWrite = w.next().writtenAfter(w.expectedPartitionEpoch(), fence);
      encoded.add(
          new Encoded(
              w,
              toWrite,
              ZkPaths.partitionState(w.topic(), w.partition()),
              ZNodeCodec.encodePartitionState(toWrite)));
    }
    int checkBytes = TransactionBatches.opBytes(ZkPaths.CONTROLLER_EPOCH, null);
    for (List<Encoded> group :
        TransactionBatches.split(
            encoded,
            e -> TransactionBatches.opBytes(e.path, e.data),
            budgetBytes - checkBytes,
            budgetBytes - checkBytes)) {
      if (group.isEmpty()) {
        continue;
      }
      results.addAll(writeGroup(group, fence));
    }
    return results;
  }

  private record Encoded(
      PartitionStateStore.StateWrite write, PartitionState toWrite, String path, byte[] data) {}

  private List<Optional<PartitionState>> writeGroup(List<Encoded> group, ControllerEpoch fence) {
    List<CuratorTransactionResult> written;
    try {
      List<CuratorOp> ops = new ArrayList<>(group.size() + 1);
      ops.add(
          client
              .transactionOp()
              .check()
              .withVersion(fence.zkVersion())
              .forPath(ZkPaths.CONTROLLER_EPOCH));
      for (Encoded e : group) {
        ops.add(
            client
                .transactionOp()
                .setData()
                .withVersion(e.write.expectedPartitionEpoch())
                .forPath(e.path, e.data));
      }
      written = client.transaction().forOperations(ops);
    } catch (KeeperException e) {
      if (e.getResults() != null && ZkErrors.failedOp(e) == 0) {
        throw new ControllerMovedException(
            "Controller epoch " + fence.epoch() + " is no longer current");
      }
      if (e.getResults() == null) {
        throw ZkErrors.translate("writing the state of " + group.size() + " partitions", e);
      }
      // One partition changed (or is gone): decide each on its own.
      List<Optional<PartitionState>> results = new ArrayList<>(group.size());
      for (Encoded en : group) {
        PartitionStateStore.StateWrite w = en.write;
        results.add(
            compareAndSet(w.topic(), w.partition(), w.expectedPartitionEpoch(), w.next(), fence));
      }
      return results;
    } catch (Exception e) {
      throw ZkErrors.translate("writing the state of " + group.size() + " partitions", e);
    }
    List<Optional<PartitionState>> results = new ArrayList<>(group.size());
    for (int i = 0; i < group.size(); i++) {
      Encoded en = group.get(i);
      Stat stat = written.get(i + 1).getResultStat();
      cache.putPartitionState(
          en.write.topic(), en.write.partition(), en.toWrite, stat.getCzxid(), stat.getMzxid());
      results.add(Optional.of(en.toWrite));
    }
    return results;
  }

  /** Reads the state straight from ZooKeeper (and refreshes the cache with it). */
  Optional<PartitionState> read(String topic, int partition) {
    try {
      Stat stat = new Stat();
      byte[] data =
          client.getData().storingStatIn(stat).forPath(ZkPaths.partitionState(topic, partition));
      PartitionState state = ZNodeCodec.decodePartitionState(topic, partition, data);
      if (state.partitionEpoch() != stat.getVersion()) {
        // Written by something that does not keep the convention; trust the znode version.
        log.warn(
            "State of {}-{} says partitionEpoch {} but its znode version is {}",
            topic,
            partition,
            state.partitionEpoch(),
            stat.getVersion());
        state =
            new PartitionState(
                state.leader(),
                state.leaderEpoch(),
                state.isr(),
                state.controllerEpoch(),
                stat.getVersion());
      }
      cache.putPartitionState(topic, partition, state, stat.getCzxid(), stat.getMzxid());
      return Optional.of(state);
    } catch (KeeperException.NoNodeException e) {
      return Optional.empty();
    } catch (Exception e) {
      throw ZkErrors.translate("reading the state of " + topic + "-" + partition, e);
    }
  }
}
