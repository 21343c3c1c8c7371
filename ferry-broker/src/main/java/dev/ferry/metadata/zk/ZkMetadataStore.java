package dev.ferry.metadata.zk;

import dev.ferry.metadata.BrokerInfo;
import dev.ferry.metadata.CachedMetadataStore;
import dev.ferry.metadata.ControllerElection;
import dev.ferry.metadata.ControllerEpoch;
import dev.ferry.metadata.MetadataListener;
import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.ProducerIdBlock;
import dev.ferry.metadata.TopicMetadata;
import dev.ferry.runtime.BrokerThreads;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.transaction.CuratorOp;
import org.apache.curator.retry.BoundedExponentialBackoffRetry;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.zookeeper.KeeperException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cluster metadata in ZooKeeper through Curator: cluster id, live brokers, topics with their
 * assignment, configs and partition state, and producer-id blocks. Reads come from an in-memory
 * cache kept current by watches; writes are blocking calls (never call them on a network thread).
 *
 * <p>The znode layout is documented in {@link ZkPaths}. Read methods never block and may be called
 * from any thread; after a write returns, the reads of this store already reflect it. Changes made
 * by anyone (other brokers or this store) reach {@link MetadataListener}s on the store's single
 * "ferry-metadata-events" thread. Failures surface as Kafka exceptions: {@link TimeoutException}
 * when ZooKeeper cannot be reached, {@link KafkaException} for other ZooKeeper errors.
 *
 * <p>Threads: Curator's (daemon) threads, one daemon listener thread and one daemon re-registration
 * thread; all end in {@link #close()}.
 */
public final class ZkMetadataStore extends CachedMetadataStore {

  private static final Logger log = LoggerFactory.getLogger(ZkMetadataStore.class);

  /** Curator retries an operation on connection loss this many times, backing off to 2 s. */
  private static final int MAX_RETRIES = 5;

  private static final int BASE_RETRY_SLEEP_MS = 100;
  private static final int MAX_RETRY_SLEEP_MS = 2_000;
  private static final int CLOSE_WAIT_MS = 5_000;
  private static final byte[] NO_DATA = new byte[0];

  /**
   * Bytes per transaction of the controller's partition-state writes: small enough that one
   * partition changed meanwhile (which makes its transaction fail and be retried write by write)
   * costs little, large enough that an election over thousands of partitions takes a few round
   * trips.
   */
  static final int STATE_WRITE_BUDGET_BYTES = 64 * 1024;

  private static final AtomicInteger CLIENT_IDS = new AtomicInteger();

  /** Every znode a new cluster starts with, parents first (the cluster id comes last). */
  private static final List<String> BOOTSTRAP_PATHS =
      List.of(
          ZkPaths.ROOT,
          ZkPaths.TOPICS,
          ZkPaths.ROOT + "/config",
          ZkPaths.TOPIC_CONFIGS,
          ZkPaths.ROOT + "/brokers",
          ZkPaths.BROKER_IDS,
          ZkPaths.SHUTDOWN_REQUESTS,
          ZkPaths.OFFLINE_REPLICAS,
          ZkPaths.CONTROLLER,
          ZkPaths.ROOT + "/cluster");

  private final CuratorFramework client;
  private final ExecutorService curatorEvents;
  private final String connectString;
  private final int sessionTimeoutMs;
  private final ZkCacheFeed feed;
  private final BrokerRegistration registration;
  private final ZkTopicWriter topicWriter;
  private final ProducerIdAllocator producerIds;
  private final PartitionStateWriter stateWriter;
  private final ZkGroupConfigStore groupConfigs;
  private final ZkEntityConfigs entityConfigs;
  private final String clusterId;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Connects to {@code connectString} (may carry a chroot) and waits for the session. */
  public static ZkMetadataStore connect(String connectString, int sessionTimeoutMs) {
    return connect(connectString, sessionTimeoutMs, sessionTimeoutMs);
  }

  /**
   * Connects and loads the metadata cache, waiting at most {@code connectionTimeoutMs} for each.
   *
   * @param connectString "host:port,host:port[/chroot]"; the chroot is created if missing
   * @throws TimeoutException if ZooKeeper cannot be reached in time
   */
  public static ZkMetadataStore connect(
      String connectString, int sessionTimeoutMs, int connectionTimeoutMs) {
    if (sessionTimeoutMs <= 0 || connectionTimeoutMs <= 0) {
      throw new IllegalArgumentException("ZooKeeper timeouts must be positive");
    }
    return new ZkMetadataStore(connectString, sessionTimeoutMs, connectionTimeoutMs);
  }

  private ZkMetadataStore(String connectString, int sessionTimeoutMs, int connectionTimeoutMs) {
    this.connectString = connectString;
    this.sessionTimeoutMs = sessionTimeoutMs;
    int slash = connectString.indexOf('/');
    String hosts = slash < 0 ? connectString : connectString.substring(0, slash);
    String chroot = slash < 0 ? "" : connectString.substring(slash + 1).replaceAll("/+$", "");
    int clientId = CLIENT_IDS.incrementAndGet();
    // Curator runs cache callbacks on this "run safe" executor. Its default one is never shut
    // down (a thread leaked per store), so we bring our own and stop it in close().
    curatorEvents =
        Executors.newSingleThreadExecutor(daemonThreads("ferry-zk-" + clientId + "-events"));
    CuratorFrameworkFactory.Builder builder =
        CuratorFrameworkFactory.builder()
            .connectString(hosts)
            .sessionTimeoutMs(sessionTimeoutMs)
            .connectionTimeoutMs(connectionTimeoutMs)
            .retryPolicy(
                new BoundedExponentialBackoffRetry(
                    BASE_RETRY_SLEEP_MS, MAX_RETRY_SLEEP_MS, MAX_RETRIES))
            .waitForShutdownTimeoutMs(CLOSE_WAIT_MS)
            .runSafeService(curatorEvents)
            .threadFactory(daemonThreads("ferry-zk-" + clientId))
            .zkClientConfig(ZkClientSettings.clientConfig());
    if (!chroot.isEmpty()) {
      // Curator's namespace is ZooKeeper's chroot, created on first use if missing.
      builder.namespace(chroot);
    }
    client = builder.build();
    feed = new ZkCacheFeed(client, cache);
    registration = new BrokerRegistration(client, cache);
    topicWriter = new ZkTopicWriter(client, cache);
    producerIds = new ProducerIdAllocator(client);
    stateWriter = new PartitionStateWriter(client, cache);
    groupConfigs = new ZkGroupConfigStore(client);
    // Entity config watchers only update in-memory settings: Curator's event thread runs them.
    entityConfigs = new ZkEntityConfigs(client, curatorEvents);
    try {
      client.start();
      if (!client.blockUntilConnected(connectionTimeoutMs, TimeUnit.MILLISECONDS)) {
        throw new TimeoutException(
            "Could not connect to ZooKeeper at "
                + connectString
                + " within "
                + connectionTimeoutMs
                + " ms");
      }
      clusterId = bootstrapCluster();
      feed.start(connectionTimeoutMs);
      log.info(
          "Connected to ZooKeeper at {} (session 0x{}), cluster id {}, {} topic(s)",
          connectString,
          Long.toHexString(client.getZookeeperClient().getZooKeeper().getSessionId()),
          clusterId,
          cache.topics().size());
    } catch (Exception e) {
      close();
      throw ZkErrors.translate("connecting to ZooKeeper at " + connectString, e);
    }
  }

  /** The cluster id, created on first start of the cluster and stable afterwards. */
  @Override
  public String clusterId() {
    return clusterId;
  }

  /** Registers this broker as live (ephemeral node); fails if the id is taken by a live broker. */
  public void registerBroker(BrokerInfo broker) {
    registerBroker(broker, 0);
  }

  /**
   * Registers this broker, waiting up to {@code staleSessionWaitMs} if the id is held by another
   * session: after a quick restart the previous session of this broker holds it until it expires
   * (at most the session timeout, see {@link #sessionTimeoutMs()}).
   *
   * @throws org.apache.kafka.common.errors.DuplicateBrokerRegistrationException if it stays taken
   */
  @Override
  public void registerBroker(BrokerInfo broker, long staleSessionWaitMs) {
    registration.register(broker, staleSessionWaitMs);
  }

  /**
   * Creates the topic with a fresh topic id, its configs and the initial state of every partition
   * (first replica leads, all replicas in sync, epochs 0), in one ZooKeeper transaction.
   *
   * @throws org.apache.kafka.common.errors.TopicExistsException if the name is taken
   * @throws org.apache.kafka.common.errors.InvalidTopicException for an illegal name
   * @throws org.apache.kafka.common.errors.InvalidPartitionsException if partitions are not 0..n-1
   * @throws org.apache.kafka.common.errors.InvalidReplicaAssignmentException for bad replica lists
   * @throws org.apache.kafka.common.errors.InvalidConfigurationException for a null config value
   */
  @Override
  public TopicMetadata createTopic(
      String name, Map<Integer, List<Integer>> replicaAssignment, Map<String, String> configs) {
    return topicWriter.createTopic(name, replicaAssignment, configs);
  }

  /**
   * Deletes the topic's znodes (assignment, partition states, configs) in one transaction.
   *
   * @throws org.apache.kafka.common.errors.UnknownTopicOrPartitionException if absent
   */
  @Override
  public void deleteTopic(String name) {
    topicWriter.deleteTopic(name);
  }

  /**
   * Adds partitions; {@code newPartitions} maps each new partition number to its replicas. The new
   * numbers must continue the existing ones and keep the replication factor.
   *
   * @throws org.apache.kafka.common.errors.UnknownTopicOrPartitionException if absent
   * @throws org.apache.kafka.common.errors.InvalidPartitionsException for bad partition numbers
   * @throws org.apache.kafka.common.errors.InvalidReplicaAssignmentException for bad replica lists
   */
  @Override
  public TopicMetadata addPartitions(String name, Map<Integer, List<Integer>> newPartitions) {
    return topicWriter.addPartitions(name, newPartitions);
  }

  /**
   * Replaces the topic's config overrides with {@code configs}.
   *
   * @throws org.apache.kafka.common.errors.UnknownTopicOrPartitionException if absent
   */
  @Override
  public TopicMetadata setTopicConfigs(String name, Map<String, String> configs) {
    return topicWriter.setTopicConfigs(name, configs);
  }

  @Override
  public long ownBrokerEpoch() {
    return registration.epoch();
  }

  /** Read from ZooKeeper on each call (blocking): DescribeConfigs asks on the admin thread. */
  @Override
  public Map<String, String> groupConfigs(String groupId) {
    return groupConfigs.groupConfigs(groupId);
  }

  @Override
  public java.util.Set<String> groupIdsWithConfigs() {
    return groupConfigs.groupIdsWithConfigs();
  }

  @Override
  public void setGroupConfigs(String groupId, Map<String, String> configs) {
    groupConfigs.setGroupConfigs(groupId, configs);
  }

  @Override
  public Map<String, String> entityConfigs(String type, String name) {
    return entityConfigs.get(type, name);
  }

  @Override
  public void setEntityConfigs(String type, String name, Map<String, String> configs) {
    entityConfigs.set(type, name, configs);
  }

  @Override
  public Map<String, Map<String, String>> allEntityConfigs(String type) {
    return entityConfigs.all(type);
  }

  @Override
  public void watchEntityConfigs(
      String type, java.util.function.Consumer<Map<String, Map<String, String>>> listener) {
    entityConfigs.watch(type, listener);
  }

  /** Reserves the next block of producer ids for {@code brokerId}, durably. */
  @Override
  public ProducerIdBlock allocateProducerIdBlock(int brokerId, int blockSize) {
    return producerIds.allocate(brokerId, blockSize);
  }

  // ---- leadership (controller and partition leaders); all blocking

  /** Bumps {@code /ferry/controller_epoch}; called by a newly elected controller. */
  @Override
  public ControllerEpoch claimControllerEpoch() {
    return stateWriter.claimControllerEpoch();
  }

  /**
   * Compare-and-set of a partition's leadership: writes {@code next} (its partitionEpoch is
   * replaced by {@code expectedPartitionEpoch + 1}, and with a {@code fence} its controllerEpoch by
   * the fence's epoch) only if the state is still at {@code expectedPartitionEpoch}. Controllers
   * pass their {@link ControllerEpoch}; a partition leader changing its ISR passes null.
   *
   * @return the state now stored, or empty if it changed meanwhile (re-read and decide again)
   * @throws org.apache.kafka.common.errors.ControllerMovedException if the fence is stale
   */
  @Override
  public Optional<PartitionState> compareAndSetPartitionState(
      String topic,
      int partition,
      int expectedPartitionEpoch,
      PartitionState next,
      ControllerEpoch fence) {
    return stateWriter.compareAndSet(topic, partition, expectedPartitionEpoch, next, fence);
  }

  /**
   * The controller's writes of one decision pass, in transactions of at most {@value
   * #STATE_WRITE_BUDGET_BYTES} bytes (a few hundred partitions each), each checking the controller
   * epoch once.
   */
  @Override
  public List<Optional<PartitionState>> compareAndSetPartitionStates(
      List<StateWrite> writes, ControllerEpoch fence) {
    return stateWriter.compareAndSetAll(writes, fence, STATE_WRITE_BUDGET_BYTES);
  }

  @Override
  public boolean compareAndSetReplicas(
      String topic,
      int partition,
      dev.ferry.metadata.PartitionReplicas expected,
      dev.ferry.metadata.PartitionReplicas next,
      StateChange stateChange,
      ControllerEpoch fence) {
    return topicWriter.compareAndSetReplicas(topic, partition, expected, next, stateChange, fence);
  }

  /** The partition's state read from ZooKeeper itself (the cache is refreshed with it). */
  @Override
  public Optional<PartitionState> readPartitionState(String topic, int partition) {
    return stateWriter.read(topic, partition);
  }

  /** This broker's candidacy for controller; {@link ControllerElection#start()} joins. */
  @Override
  public ControllerElection controllerElection(
      int brokerId, ControllerElection.Listener listener, java.util.concurrent.Executor executor) {
    return new ZkControllerElection(client, brokerId, listener, executor);
  }

  /**
   * Asks the controller to move leadership away from {@code brokerId} (controlled shutdown). The
   * request is an ephemeral znode: it disappears with this session. It is created in the
   * background: a foreground create waits for a ZooKeeper connection up to the connection timeout
   * on every retry, which made a clean stop last minutes, silently, while ZooKeeper was slow or
   * unreachable (the caller bounds its own wait by {@code controlled.shutdown.timeout.ms}).
   */
  @Override
  public void requestControlledShutdown(int brokerId) {
    String path = ZkPaths.shutdownRequest(brokerId);
    try {
      client
          .create()
          .creatingParentsIfNeeded()
          .withMode(org.apache.zookeeper.CreateMode.EPHEMERAL)
          .inBackground(
              (c, event) -> {
                KeeperException.Code code = KeeperException.Code.get(event.getResultCode());
                if (code != KeeperException.Code.OK && code != KeeperException.Code.NODEEXISTS) {
                  log.warn(
                      "Could not request controlled shutdown of broker {}: {}", brokerId, code);
                }
              })
          .forPath(path, NO_DATA);
    } catch (Exception e) {
      throw ZkErrors.translate("requesting controlled shutdown of broker " + brokerId, e);
    }
  }

  /**
   * Reports {@code brokerId}'s offline replicas: an ephemeral znode of its own under {@link
   * ZkPaths#OFFLINE_REPLICAS}, created or replaced in the background (a failure is logged).
   */
  @Override
  public void reportOfflineReplicas(
      int brokerId, java.util.Set<org.apache.kafka.common.TopicPartition> partitions) {
    try {
      client
          .create()
          .orSetData()
          .creatingParentsIfNeeded()
          .withMode(org.apache.zookeeper.CreateMode.EPHEMERAL)
          .inBackground(
              (c, event) -> {
                KeeperException.Code code = KeeperException.Code.get(event.getResultCode());
                if (code != KeeperException.Code.OK) {
                  log.warn(
                      "Could not report offline replicas {} of broker {}: {}",
                      partitions,
                      brokerId,
                      code);
                }
              })
          .forPath(ZkPaths.offlineReplicas(brokerId), ZNodeCodec.encodeOfflineReplicas(partitions));
    } catch (Exception e) {
      throw ZkErrors.translate("reporting offline replicas of broker " + brokerId, e);
    }
  }

  /**
   * The offline replicas every broker reported; {@code onChange} runs (once, on a ZooKeeper thread)
   * when a report comes, changes or goes.
   */
  @Override
  public Map<Integer, java.util.Set<org.apache.kafka.common.TopicPartition>> offlineReplicas(
      Runnable onChange) {
    AtomicBoolean fired = new AtomicBoolean();
    org.apache.curator.framework.api.CuratorWatcher once =
        event -> {
          if (fired.compareAndSet(false, true)) {
            onChange.run();
          }
        };
    try {
      List<String> children;
      try {
        children = client.getChildren().usingWatcher(once).forPath(ZkPaths.OFFLINE_REPLICAS);
      } catch (KeeperException.NoNodeException e) {
        // A cluster bootstrapped before this path existed, and no broker has reported yet: watch
        // for the parent's creation instead (the first report creates it, then its child).
        if (client.checkExists().usingWatcher(once).forPath(ZkPaths.OFFLINE_REPLICAS) == null) {
          return Map.of();
        }
        children = client.getChildren().usingWatcher(once).forPath(ZkPaths.OFFLINE_REPLICAS);
      }
      Map<Integer, java.util.Set<org.apache.kafka.common.TopicPartition>> out =
          new java.util.TreeMap<>();
      for (String child : children) {
        int id;
        try {
          id = Integer.parseInt(child);
        } catch (NumberFormatException e) {
          log.warn("Ignoring malformed offline replicas znode {}", child);
          continue;
        }
        try {
          byte[] data =
              client.getData().usingWatcher(once).forPath(ZkPaths.OFFLINE_REPLICAS + "/" + child);
          out.put(id, ZNodeCodec.decodeOfflineReplicas(data));
        } catch (KeeperException.NoNodeException e) {
          // Gone meanwhile (its broker's session ended): the child watch fires.
        }
      }
      return out;
    } catch (Exception e) {
      throw ZkErrors.translate("reading offline replicas", e);
    }
  }

  /**
   * The brokers that asked for controlled shutdown; {@code onChange} runs (once, on a ZooKeeper
   * thread) when that set changes next.
   */
  @Override
  public java.util.Set<Integer> shutdownRequests(Runnable onChange) {
    try {
      List<String> children =
          client
              .getChildren()
              .usingWatcher(
                  (org.apache.curator.framework.api.CuratorWatcher) event -> onChange.run())
              .forPath(ZkPaths.SHUTDOWN_REQUESTS);
      java.util.Set<Integer> ids = new java.util.TreeSet<>();
      for (String child : children) {
        try {
          ids.add(Integer.parseInt(child));
        } catch (NumberFormatException e) {
          log.warn("Ignoring malformed shutdown request znode {}", child);
        }
      }
      return ids;
    } catch (Exception e) {
      throw ZkErrors.translate("reading controlled shutdown requests", e);
    }
  }

  /** The session timeout asked of ZooKeeper. */
  @Override
  public int sessionTimeoutMs() {
    return sessionTimeoutMs;
  }

  /** For recipes built on the same session, e.g. the controller election on {@code ZkPaths}. */
  CuratorFramework curator() {
    return client;
  }

  /** Closes the session, which removes this broker's registration at once. Idempotent. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    registration.close();
    entityConfigs.close();
    feed.close();
    notifier.close();
    client.close();
    curatorEvents.shutdownNow();
    try {
      if (!curatorEvents.awaitTermination(CLOSE_WAIT_MS, TimeUnit.MILLISECONDS)) {
        log.warn("ZooKeeper event thread did not stop within {} ms", CLOSE_WAIT_MS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("Closed ZooKeeper metadata store for {}", connectString);
  }

  private static ThreadFactory daemonThreads(String name) {
    return BrokerThreads.factory(name);
  }

  /**
   * The cluster id, after making sure the top-level znodes exist. A running cluster costs one read.
   * The first broker of a new cluster creates everything in one transaction (one round trip, where
   * creating each path in turn took seven); if that fails (a namespace not created yet, or another
   * broker bootstrapping at the same moment), it falls back to creating each path on its own.
   */
  private String bootstrapCluster() throws Exception {
    try {
      return ZNodeCodec.decodeClusterId(client.getData().forPath(ZkPaths.CLUSTER_ID));
    } catch (KeeperException.NoNodeException e) {
      // A new cluster (or one whose first start was interrupted).
    }
    String candidate = Uuid.randomUuid().toString();
    List<CuratorOp> ops = new ArrayList<>();
    for (String path : BOOTSTRAP_PATHS) {
      ops.add(client.transactionOp().create().forPath(path, NO_DATA));
    }
    ops.add(
        client
            .transactionOp()
            .create()
            .forPath(ZkPaths.CLUSTER_ID, ZNodeCodec.encodeClusterId(candidate)));
    for (int attempt = 0; attempt < 2; attempt++) {
      try {
        client.transaction().forOperations(ops);
        log.info("Created cluster id {}", candidate);
        return candidate;
      } catch (KeeperException e) {
        if (attempt == 0
            && ZkErrors.failedOp(e) == 0
            && e.code() == KeeperException.Code.NODEEXISTS) {
          // The root exists (the security stores share it): the rest may still go in one step.
          ops.remove(0);
          continue;
        }
        log.debug("One-transaction bootstrap failed ({}); creating paths one by one", e.code());
        break;
      }
    }
    for (String path :
        List.of(
            ZkPaths.TOPICS,
            ZkPaths.TOPIC_CONFIGS,
            ZkPaths.BROKER_IDS,
            ZkPaths.SHUTDOWN_REQUESTS,
            ZkPaths.CONTROLLER)) {
      ensurePath(path);
    }
    return createOrReadClusterId();
  }

  private void ensurePath(String path) throws Exception {
    try {
      client.create().creatingParentsIfNeeded().forPath(path, NO_DATA);
    } catch (KeeperException.NodeExistsException e) {
      // Created by an earlier start or another broker.
    }
  }

  /** The first broker to get here creates the id; everyone else reads that one. */
  private String createOrReadClusterId() throws Exception {
    String candidate = Uuid.randomUuid().toString();
    try {
      client
          .create()
          .creatingParentsIfNeeded()
          .forPath(ZkPaths.CLUSTER_ID, ZNodeCodec.encodeClusterId(candidate));
      log.info("Created cluster id {}", candidate);
      return candidate;
    } catch (KeeperException.NodeExistsException e) {
      return ZNodeCodec.decodeClusterId(client.getData().forPath(ZkPaths.CLUSTER_ID));
    }
  }
}
