package dev.ferry.metadata.zk;

import dev.ferry.metadata.ControllerEpoch;
import dev.ferry.metadata.MetadataCache;
import dev.ferry.metadata.PartitionReplicas;
import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.ReassignmentStore;
import dev.ferry.metadata.ReplicaAssignments;
import dev.ferry.metadata.TopicAssignment;
import dev.ferry.metadata.TopicMetadata;
import dev.ferry.metadata.TopicNames;
import dev.ferry.metadata.zk.ZkPaths.PartitionStateRef;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.framework.api.transaction.CuratorTransactionResult;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ControllerMovedException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.data.Stat;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Topic writes: each is one ZooKeeper transaction (all or nothing), conditional on the versions it
 * read, retried a few times when a concurrent writer got in between. Every transaction ends with
 * the "stamp" (a setData of {@code /ferry/topics}) whose result carries the transaction's zxid, so
 * the result can be applied to the {@link MetadataCache} at once, correctly ordered with the watch.
 * Blocking: run on an admin thread, never a network thread.
 */
final class ZkTopicWriter {

  private static final Logger log = LoggerFactory.getLogger(ZkTopicWriter.class);

  static final int MAX_ATTEMPTS = 10;
  private static final long LIST_TIMEOUT_SECONDS = 60;
  private static final byte[] NO_DATA = new byte[0];

  private final CuratorFramework client;
  private final MetadataCache cache;
  private final int transactionBudget;

  ZkTopicWriter(CuratorFramework client, MetadataCache cache) {
    this(client, cache, TransactionBatches.DEFAULT_BUDGET_BYTES);
  }

  /**
   * @param transactionBudget estimated request bytes per ZooKeeper transaction: the znodes of
   *     partitions beyond it go in further transactions (see {@link TransactionBatches})
   */
  ZkTopicWriter(CuratorFramework client, MetadataCache cache, int transactionBudget) {
    this.client = client;
    this.cache = cache;
    this.transactionBudget = transactionBudget;
  }

  /** A new partition's two znodes (partition, initial state) as transaction operations. */
  private record PartitionZnodes(
      int partition, PartitionState state, List<CuratorOp> ops, int bytes) {}

  TopicMetadata createTopic(
      String name, Map<Integer, List<Integer>> replicaAssignment, Map<String, String> configs) {
    TopicNames.validate(name);
    SortedMap<Integer, List<Integer>> partitions =
        ReplicaAssignments.forNewTopic(name, replicaAssignment);
    SortedMap<String, String> topicConfigs = ReplicaAssignments.configs(name, configs);
    for (TopicMetadata other : cache.topics()) {
      if (TopicNames.collide(name, other.name())) {
        throw new InvalidTopicException(
            "Topic '" + name + "' collides with existing topic '" + other.name() + "'.");
      }
    }
    Uuid topicId = Uuid.randomUuid();
    String action = "creating topic " + name;
    byte[] topicData = ZNodeCodec.encodeTopic(topicId, partitions);
    // The topic's own znodes and the first partitions in one transaction; partitions that do not
    // fit follow in further ones, each applied to the cache at its own zxid. Readers see a topic
    // whose states arrive partition by partition, as the watch delivers them anyway.
    List<List<PartitionZnodes>> batches =
        batches(
            name,
            partitions,
            TransactionBatches.opBytes(ZkPaths.topic(name), topicData)
                + TransactionBatches.opBytes(
                    ZkPaths.topicConfig(name), ZNodeCodec.encodeTopicConfig(topicConfigs))
                + TransactionBatches.OP_OVERHEAD_BYTES * 2);
    try {
      for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        // The config znode goes first so that other brokers see it before the topic itself.
        Stat configStat = client.checkExists().forPath(ZkPaths.topicConfig(name));
        List<CuratorOp> ops = new ArrayList<>();
        ops.add(writeConfigOp(name, topicConfigs, configStat));
        int topicOp = ops.size();
        ops.add(create(ZkPaths.topic(name), topicData));
        ops.add(create(ZkPaths.partitions(name), NO_DATA));
        batches.get(0).forEach(z -> ops.addAll(z.ops()));
        List<CuratorTransactionResult> results;
        try {
          results = commit(ops);
        } catch (KeeperException e) {
          int failed = ZkErrors.failedOp(e);
          if (failed == topicOp && e.code() == KeeperException.Code.NODEEXISTS) {
            throw new TopicExistsException("Topic '" + name + "' already exists.");
          }
          if (failed == 0) {
            backOff(attempt); // the (orphaned) config znode changed under us
            continue;
          }
          throw e;
        }
        long zxid = stampZxid(results);
        // Topic before partition states, so listeners hear of the topic first.
        cache.putTopicConfig(
            name, topicConfigs, configStat == null ? zxid : configStat.getCzxid(), zxid);
        cache.putTopic(name, new TopicAssignment(topicId, partitions), zxid, zxid);
        cacheInitialStates(name, batches.get(0), zxid);
        try {
          writeRest(name, batches);
        } catch (Exception e) {
          // All or nothing, as one transaction would have been: take the topic away again.
          log.error("Creating topic {} failed after its first transaction; deleting it", name, e);
          try {
            deleteTopic(name);
          } catch (RuntimeException cleanup) {
            e.addSuppressed(cleanup);
          }
          throw e;
        }
        log.info(
            "Created topic {} (id {}) with {} partition(s), configs {}",
            name,
            topicId,
            partitions.size(),
            topicConfigs);
        return new TopicMetadata(name, topicId, partitions, topicConfigs);
      }
    } catch (Exception e) {
      throw ZkErrors.translate(action, e);
    }
    throw concurrentModification(action);
  }

  void deleteTopic(String name) {
    String action = "deleting topic " + name;
    try {
      for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        Stat topicStat = client.checkExists().forPath(ZkPaths.topic(name));
        if (topicStat == null) {
          throw unknownTopic(name);
        }
        // Children before parents; the topic znode last, conditional on the version we read so
        // that partitions added meanwhile make the transaction fail (and retry) instead of
        // leaving orphans.
        List<String> below = new ArrayList<>();
        collectDescendants(ZkPaths.topic(name), below);
        // The partitions' znodes that do not fit in one transaction with the topic go first, in
        // transactions of their own (children still before parents); a failure of the last one
        // (a concurrent change) retries with what is left.
        List<List<String>> batches =
            TransactionBatches.split(
                below,
                path -> TransactionBatches.opBytes(path, null),
                transactionBudget,
                transactionBudget);
        try {
          for (List<String> batch : batches.subList(0, batches.size() - 1)) {
            deleteZnodes(name, batch);
          }
        } catch (KeeperException e) {
          if (isConcurrentChange(e)) {
            backOff(attempt);
            continue;
          }
          throw e;
        }
        below = batches.get(batches.size() - 1);
        List<CuratorOp> ops = new ArrayList<>();
        for (String path : below) {
          ops.add(client.transactionOp().delete().forPath(path));
        }
        int topicOp = ops.size();
        ops.add(
            client
                .transactionOp()
                .delete()
                .withVersion(topicStat.getVersion())
                .forPath(ZkPaths.topic(name)));
        Stat configStat = client.checkExists().forPath(ZkPaths.topicConfig(name));
        if (configStat != null) {
          ops.add(client.transactionOp().delete().forPath(ZkPaths.topicConfig(name)));
        }
        List<CuratorTransactionResult> results;
        try {
          results = commit(ops);
        } catch (KeeperException e) {
          if (ZkErrors.failedOp(e) == topicOp && e.code() == KeeperException.Code.NONODE) {
            throw unknownTopic(name);
          }
          if (isConcurrentChange(e)) {
            backOff(attempt);
            continue;
          }
          throw e;
        }
        long zxid = stampZxid(results);
        // Topic first: removing the config first would publish a config change before deletion.
        cache.removeTopic(name, zxid);
        cache.removeTopicConfig(name, zxid);
        for (String path : below) {
          if (ZkPaths.parse(path) instanceof PartitionStateRef state) {
            cache.removePartitionState(name, state.partition(), zxid);
          }
        }
        log.info("Deleted topic {}", name);
        return;
      }
    } catch (Exception e) {
      throw ZkErrors.translate(action, e);
    }
    throw concurrentModification(action);
  }

  TopicMetadata addPartitions(String name, Map<Integer, List<Integer>> newPartitions) {
    String action = "adding partitions to topic " + name;
    try {
      for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        Stat topicStat = new Stat();
        TopicAssignment current = readTopic(name, topicStat);
        SortedMap<Integer, List<Integer>> added =
            ReplicaAssignments.forAddition(name, current.partitions(), newPartitions);
        TreeMap<Integer, List<Integer>> merged = new TreeMap<>(current.partitions());
        merged.putAll(added);
        SortedMap<Integer, List<Integer>> all = Collections.unmodifiableSortedMap(merged);
        byte[] topicData =
            ZNodeCodec.encodeTopic(
                new TopicAssignment(current.topicId(), all, current.reassignments()));
        List<CuratorOp> ops = new ArrayList<>();
        ops.add(
            client
                .transactionOp()
                .setData()
                .withVersion(topicStat.getVersion())
                .forPath(ZkPaths.topic(name), topicData));
        List<List<PartitionZnodes>> batches =
            batches(name, added, TransactionBatches.opBytes(ZkPaths.topic(name), topicData));
        batches.get(0).forEach(z -> ops.addAll(z.ops()));
        List<CuratorTransactionResult> results;
        try {
          results = commit(ops);
        } catch (KeeperException e) {
          if (isConcurrentChange(e)) {
            backOff(attempt);
            continue;
          }
          throw e;
        }
        long zxid = stampZxid(results);
        cache.putTopic(
            name,
            new TopicAssignment(current.topicId(), all, current.reassignments()),
            topicStat.getCzxid(),
            zxid);
        cacheInitialStates(name, batches.get(0), zxid);
        // The topic now lists every new partition; states of those beyond the first transaction
        // follow (a partition without one waits, leaderless, as while the watch delivers it).
        writeRest(name, batches);
        log.info("Added partitions {} to topic {}", added.keySet(), name);
        return published(name, current.topicId(), all);
      }
    } catch (Exception e) {
      throw ZkErrors.translate(action, e);
    }
    throw concurrentModification(action);
  }

  TopicMetadata setTopicConfigs(String name, Map<String, String> configs) {
    SortedMap<String, String> topicConfigs = ReplicaAssignments.configs(name, configs);
    String action = "setting configs of topic " + name;
    try {
      for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        Stat topicStat = new Stat();
        TopicAssignment current = readTopic(name, topicStat);
        Stat configStat = client.checkExists().forPath(ZkPaths.topicConfig(name));
        List<CuratorOp> ops = new ArrayList<>();
        // Only while the topic we read still exists (not deleted, not re-created).
        ops.add(
            client
                .transactionOp()
                .check()
                .withVersion(topicStat.getVersion())
                .forPath(ZkPaths.topic(name)));
        ops.add(writeConfigOp(name, topicConfigs, configStat));
        List<CuratorTransactionResult> results;
        try {
          results = commit(ops);
        } catch (KeeperException e) {
          if (isConcurrentChange(e)) {
            backOff(attempt);
            continue;
          }
          throw e;
        }
        long zxid = stampZxid(results);
        cache.putTopic(name, current, topicStat.getCzxid(), topicStat.getMzxid());
        cache.putTopicConfig(
            name, topicConfigs, configStat == null ? zxid : configStat.getCzxid(), zxid);
        log.info("Set configs of topic {} to {}", name, topicConfigs);
        TopicMetadata published = cache.topic(name);
        return published != null && published.topicId().equals(current.topicId())
            ? published
            : new TopicMetadata(name, current.topicId(), current.partitions(), topicConfigs);
      }
    } catch (Exception e) {
      throw ZkErrors.translate(action, e);
    }
    throw concurrentModification(action);
  }

  /**
   * Compare-and-set of one partition's assignment (and, with {@code stateChange}, its state) in one
   * transaction: the topic znode conditional on the version read, the state znode on its partition
   * epoch, and with a {@code fence} the controller epoch znode on its version.
   */
  boolean compareAndSetReplicas(
      String name,
      int partition,
      PartitionReplicas expected,
      PartitionReplicas next,
      ReassignmentStore.StateChange stateChange,
      ControllerEpoch fence) {
    String action = "changing the replicas of " + name + "-" + partition;
    try {
      for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        Stat topicStat = new Stat();
        TopicAssignment current = readTopic(name, topicStat);
        List<Integer> replicas = current.partitions().get(partition);
        if (replicas == null) {
          throw new UnknownTopicOrPartitionException("No partition " + name + "-" + partition);
        }
        if (!expected.equals(
            new PartitionReplicas(replicas, current.reassignments().get(partition)))) {
          return false;
        }
        TopicAssignment written = current.withPartition(partition, next);
        List<CuratorOp> ops = new ArrayList<>();
        if (fence != null) {
          ops.add(
              client
                  .transactionOp()
                  .check()
                  .withVersion(fence.zkVersion())
                  .forPath(ZkPaths.CONTROLLER_EPOCH));
        }
        int topicOp = ops.size();
        ops.add(
            client
                .transactionOp()
                .setData()
                .withVersion(topicStat.getVersion())
                .forPath(ZkPaths.topic(name), ZNodeCodec.encodeTopic(written)));
        PartitionState state = null;
        if (stateChange != null) {
          state = stateChange.next().writtenAfter(stateChange.expectedPartitionEpoch(), fence);
          ops.add(
              client
                  .transactionOp()
                  .setData()
                  .withVersion(stateChange.expectedPartitionEpoch())
                  .forPath(
                      ZkPaths.partitionState(name, partition),
                      ZNodeCodec.encodePartitionState(state)));
        }
        List<CuratorTransactionResult> results;
        try {
          results = commit(ops);
        } catch (KeeperException e) {
          int failed = ZkErrors.failedOp(e);
          if (fence != null && failed == 0) {
            throw new ControllerMovedException(
                "Controller epoch " + fence.epoch() + " is no longer current");
          }
          if (failed == topicOp && e.code() == KeeperException.Code.BADVERSION) {
            backOff(attempt); // another topic change (configs, partitions): check again
            continue;
          }
          if (failed == topicOp + 1 && e.code() == KeeperException.Code.BADVERSION) {
            return false; // the partition state moved on
          }
          if (e.code() == KeeperException.Code.NONODE) {
            throw unknownTopic(name);
          }
          throw e;
        }
        long zxid = stampZxid(results);
        if (state != null) {
          Stat stateStat = results.get(topicOp + 1).getResultStat();
          cache.putPartitionState(name, partition, state, stateStat.getCzxid(), zxid);
        }
        cache.putTopic(name, written, topicStat.getCzxid(), zxid);
        log.info(
            "{}-{}: replicas {} -> {}{}",
            name,
            partition,
            replicas,
            next.replicas(),
            next.ongoing() == null
                ? ""
                : " (adding "
                    + next.ongoing().adding()
                    + ", removing "
                    + next.ongoing().removing()
                    + ")");
        return true;
      }
    } catch (Exception e) {
      throw ZkErrors.translate(action, e);
    }
    throw concurrentModification(action);
  }

  // ---- helpers

  private TopicAssignment readTopic(String name, Stat stat) throws Exception {
    try {
      return ZNodeCodec.decodeTopic(
          name, client.getData().storingStatIn(stat).forPath(ZkPaths.topic(name)));
    } catch (KeeperException.NoNodeException e) {
      throw unknownTopic(name);
    }
  }

  /** The topic as now cached (with its configs), or as we just wrote it if the cache moved on. */
  private TopicMetadata published(
      String name, Uuid topicId, SortedMap<Integer, List<Integer>> partitions) {
    TopicMetadata published = cache.topic(name);
    if (published != null && published.topicId().equals(topicId)) {
      return published;
    }
    return new TopicMetadata(name, topicId, partitions, Map.of());
  }

  private CuratorOp writeConfigOp(String name, Map<String, String> configs, Stat configStat)
      throws Exception {
    byte[] data = ZNodeCodec.encodeTopicConfig(configs);
    if (configStat == null) {
      return create(ZkPaths.topicConfig(name), data);
    }
    return client
        .transactionOp()
        .setData()
        .withVersion(configStat.getVersion())
        .forPath(ZkPaths.topicConfig(name), data);
  }

  /**
   * The znodes of new partitions, as topic creation and partition addition both write them (the
   * partition znode and its initial state, see {@link PartitionState#initial}), in batches: the
   * first shares its transaction with {@code headBytes} of other operations.
   */
  private List<List<PartitionZnodes>> batches(
      String topic, Map<Integer, List<Integer>> partitions, int headBytes) {
    List<PartitionZnodes> znodes = new ArrayList<>(partitions.size());
    partitions.forEach(
        (partition, replicas) -> {
          PartitionState state = PartitionState.initial(replicas);
          String partitionPath = ZkPaths.partition(topic, partition);
          String statePath = ZkPaths.partitionState(topic, partition);
          byte[] stateData = ZNodeCodec.encodePartitionState(state);
          znodes.add(
              new PartitionZnodes(
                  partition,
                  state,
                  List.of(create(partitionPath, NO_DATA), create(statePath, stateData)),
                  TransactionBatches.opBytes(partitionPath, NO_DATA)
                      + TransactionBatches.opBytes(statePath, stateData)));
        });
    return TransactionBatches.split(
        znodes,
        PartitionZnodes::bytes,
        Math.max(0, transactionBudget - headBytes),
        transactionBudget);
  }

  /**
   * Deletes partition znodes of a topic in one transaction and drops their states from the cache.
   */
  private void deleteZnodes(String topic, List<String> paths) throws Exception {
    List<CuratorOp> ops = new ArrayList<>();
    for (String path : paths) {
      ops.add(client.transactionOp().delete().forPath(path));
    }
    long zxid = stampZxid(commit(ops));
    for (String path : paths) {
      if (ZkPaths.parse(path) instanceof PartitionStateRef state) {
        cache.removePartitionState(topic, state.partition(), zxid);
      }
    }
  }

  /** Commits every batch after the first, one transaction each, and caches their states. */
  private void writeRest(String topic, List<List<PartitionZnodes>> batches) throws Exception {
    for (List<PartitionZnodes> batch : batches.subList(1, batches.size())) {
      List<CuratorOp> ops = new ArrayList<>();
      batch.forEach(z -> ops.addAll(z.ops()));
      cacheInitialStates(topic, batch, stampZxid(commit(ops)));
    }
    if (batches.size() > 1) {
      log.info(
          "Wrote the partitions of topic {} in {} ZooKeeper transactions", topic, batches.size());
    }
  }

  /** The committed initial states of new partitions, applied to the cache at the write's zxid. */
  private void cacheInitialStates(String topic, List<PartitionZnodes> written, long zxid) {
    for (PartitionZnodes z : written) {
      cache.putPartitionState(topic, z.partition(), z.state(), zxid, zxid);
    }
  }

  private CuratorOp create(String path, byte[] data) {
    try {
      return client.transactionOp().create().withMode(CreateMode.PERSISTENT).forPath(path, data);
    } catch (Exception e) {
      // Building an operation does not talk to ZooKeeper; only a bad path gets here.
      throw new KafkaException("Cannot build a create operation for " + path, e);
    }
  }

  /** Commits {@code ops} plus the stamp, which must stay the last operation. */
  private List<CuratorTransactionResult> commit(List<CuratorOp> ops) throws Exception {
    ops.add(client.transactionOp().setData().forPath(ZkPaths.TOPICS, NO_DATA));
    return client.transaction().forOperations(ops);
  }

  private static long stampZxid(List<CuratorTransactionResult> results) {
    return results.get(results.size() - 1).getResultStat().getMzxid();
  }

  /** Failures that mean "someone else changed what we read": re-read and try again. */
  private static boolean isConcurrentChange(KeeperException e) {
    return switch (e.code()) {
      case BADVERSION, NONODE, NODEEXISTS, NOTEMPTY -> true;
      default -> false;
    };
  }

  /**
   * Every znode below {@code root}, each listed before its parent. One level at a time, with the
   * getChildren calls of a level sent together (asynchronously): a topic of 10,000 partitions has
   * 10,000 partition znodes to list, one round trip each if sent in turn.
   */
  private void collectDescendants(String root, List<String> out) throws Exception {
    List<String> found = new ArrayList<>();
    List<String> level = List.of(root);
    while (!level.isEmpty()) {
      level = childrenOfAll(level);
      found.addAll(level);
    }
    // Breadth-first order reversed: the deepest level first, so every child before its parent.
    Collections.reverse(found);
    out.addAll(found);
  }

  private List<String> childrenOfAll(List<String> parents) throws Exception {
    List<CompletableFuture<List<String>>> answers = new ArrayList<>(parents.size());
    for (String parent : parents) {
      CompletableFuture<List<String>> answer = new CompletableFuture<>();
      answers.add(answer);
      client
          .getChildren()
          .inBackground(
              (c, event) -> {
                KeeperException.Code code = KeeperException.Code.get(event.getResultCode());
                if (code == KeeperException.Code.OK) {
                  List<String> paths = new ArrayList<>(event.getChildren().size());
                  event.getChildren().forEach(child -> paths.add(parent + "/" + child));
                  answer.complete(paths);
                } else if (code == KeeperException.Code.NONODE) {
                  answer.complete(List.of()); // deleted meanwhile
                } else {
                  answer.completeExceptionally(KeeperException.create(code, parent));
                }
              })
          .forPath(parent);
    }
    List<String> children = new ArrayList<>();
    for (CompletableFuture<List<String>> answer : answers) {
      try {
        children.addAll(answer.get(LIST_TIMEOUT_SECONDS, TimeUnit.SECONDS));
      } catch (ExecutionException e) {
        throw e.getCause() instanceof Exception cause ? cause : e;
      }
    }
    return children;
  }

  private static void backOff(int attempt) throws InterruptedException {
    Thread.sleep(ThreadLocalRandom.current().nextInt(5 * attempt + 1));
  }

  private static UnknownTopicOrPartitionException unknownTopic(String name) {
    return new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist.");
  }

  private static KafkaException concurrentModification(String action) {
    return new KafkaException(
        "Gave up "
            + action
            + " after "
            + MAX_ATTEMPTS
            + " attempts: the topic kept being changed concurrently");
  }
}
