package dev.ferry.metadata.zk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.ferry.metadata.BrokerInfo;
import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.ProducerIdBlock;
import dev.ferry.metadata.RecordingListener;
import dev.ferry.metadata.TopicMetadata;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryOneTime;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.DuplicateBrokerRegistrationException;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Against one embedded ZooKeeper; each test works under its own chroot. */
class ZkMetadataStoreTest {

  private static final int SESSION_TIMEOUT_MS = 6_000;
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final AtomicInteger CHROOTS = new AtomicInteger();

  @TempDir static Path zkDir;
  private static EmbeddedZooKeeper zk;

  private final List<ZkMetadataStore> stores = new ArrayList<>();
  private String connect;

  @BeforeAll
  static void startZooKeeper() {
    zk = EmbeddedZooKeeper.start(zkDir, 0);
  }

  @AfterAll
  static void stopZooKeeper() {
    zk.close();
  }

  @BeforeEach
  void chroot() {
    connect = zk.connectString() + "/test" + CHROOTS.incrementAndGet();
  }

  @AfterEach
  void closeStores() {
    stores.forEach(ZkMetadataStore::close);
  }

  @Test
  void aNewClusterWhoseRootExistsAlreadyGetsEveryPathAndOneClusterId() throws Exception {
    String chroot = connect.substring(connect.indexOf('/'));
    try (CuratorFramework raw =
        CuratorFrameworkFactory.newClient(zk.connectString(), new RetryOneTime(100))) {
      raw.start();
      // The security stores share the root and may create it first.
      raw.create().creatingParentsIfNeeded().forPath(chroot + "/ferry/security/acls");

      ZkMetadataStore first = store();

      for (String path :
          List.of(
              ZkPaths.TOPICS,
              ZkPaths.TOPIC_CONFIGS,
              ZkPaths.BROKER_IDS,
              ZkPaths.SHUTDOWN_REQUESTS,
              ZkPaths.OFFLINE_REPLICAS,
              ZkPaths.CONTROLLER,
              ZkPaths.CLUSTER_ID)) {
        assertThat(raw.checkExists().forPath(chroot + path)).as(path).isNotNull();
      }
      assertThat(store().clusterId()).isEqualTo(first.clusterId());
    }
  }

  @Test
  void offlineReplicasAreReportedWatchedReplacedAndGoWithTheSession() throws Exception {
    ZkMetadataStore controller = store();
    ZkMetadataStore broker = store();
    java.util.concurrent.CountDownLatch first = new java.util.concurrent.CountDownLatch(1);
    assertThat(controller.offlineReplicas(first::countDown)).isEmpty();

    org.apache.kafka.common.TopicPartition a = new org.apache.kafka.common.TopicPartition("t", 0);
    org.apache.kafka.common.TopicPartition b = new org.apache.kafka.common.TopicPartition("t", 3);
    org.apache.kafka.common.TopicPartition c = new org.apache.kafka.common.TopicPartition("u", 1);
    broker.reportOfflineReplicas(2, java.util.Set.of(a));
    assertThat(first.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    java.util.concurrent.CountDownLatch second = new java.util.concurrent.CountDownLatch(1);
    assertThat(controller.offlineReplicas(second::countDown))
        .isEqualTo(Map.of(2, java.util.Set.of(a)));
    // A second failed dir: the report grows (replaced in place), and the watch fires.
    broker.reportOfflineReplicas(2, java.util.Set.of(a, b, c));
    assertThat(second.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

    java.util.concurrent.CountDownLatch third = new java.util.concurrent.CountDownLatch(1);
    assertThat(controller.offlineReplicas(third::countDown))
        .isEqualTo(Map.of(2, java.util.Set.of(a, b, c)));
    // The broker's session ends (a restart): its report is gone.
    broker.close();
    assertThat(third.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(controller.offlineReplicas(() -> {})).isEmpty();
  }

  private ZkMetadataStore store() {
    ZkMetadataStore store = ZkMetadataStore.connect(connect, SESSION_TIMEOUT_MS);
    stores.add(store);
    return store;
  }

  private static Map<Integer, List<Integer>> assignment(int partitions, int... replicas) {
    Map<Integer, List<Integer>> result = new java.util.HashMap<>();
    List<Integer> list = java.util.Arrays.stream(replicas).boxed().toList();
    for (int p = 0; p < partitions; p++) {
      result.put(p, list);
    }
    return result;
  }

  @Test
  void createDescribeAndDeleteTopic() throws Exception {
    ZkMetadataStore store = store();
    TopicMetadata created =
        store.createTopic(
            "orders",
            Map.of(0, List.of(1, 2), 1, List.of(2, 1)),
            Map.of("cleanup.policy", "compact", "retention.ms", "60000"));

    assertThat(created.name()).isEqualTo("orders");
    assertThat(created.topicId()).isNotEqualTo(Uuid.ZERO_UUID);
    assertThat(created.replicaAssignment())
        .containsExactly(Map.entry(0, List.of(1, 2)), Map.entry(1, List.of(2, 1)));
    assertThat(created.configs())
        .containsExactly(
            Map.entry("cleanup.policy", "compact"), Map.entry("retention.ms", "60000"));
    // Our own write is in the cache as soon as the call returns.
    assertThat(store.topic("orders")).contains(created);
    assertThat(store.topic(created.topicId())).contains(created);
    assertThat(store.topics()).containsExactly(created);
    assertThat(store.partitionState("orders", 0))
        .contains(new PartitionState(1, 0, List.of(1, 2), 0, 0));
    assertThat(store.partitionState("orders", 1))
        .contains(new PartitionState(2, 0, List.of(2, 1), 0, 0));
    assertThat(store.partitionState("orders", 2)).isEmpty();

    // The stored format, as documented in ZkPaths.
    String json =
        new String(
            store.curator().getData().forPath("/ferry/topics/orders"), StandardCharsets.UTF_8);
    assertThat(json)
        .isEqualTo(
            "{\"version\":1,\"topicId\":\""
                + created.topicId()
                + "\",\"partitions\":{\"0\":[1,2],\"1\":[2,1]}}");
    assertThat(
            new String(
                store.curator().getData().forPath("/ferry/topics/orders/partitions/1/state"),
                StandardCharsets.UTF_8))
        .isEqualTo(
            "{\"version\":1,\"leader\":2,\"leaderEpoch\":0,\"isr\":[2,1],\"controllerEpoch\":0,"
                + "\"partitionEpoch\":0}");

    store.deleteTopic("orders");
    assertThat(store.topic("orders")).isEmpty();
    assertThat(store.topic(created.topicId())).isEmpty();
    assertThat(store.topics()).isEmpty();
    assertThat(store.partitionState("orders", 0)).isEmpty();
    assertThat(store.curator().checkExists().forPath("/ferry/topics/orders")).isNull();
    assertThat(store.curator().checkExists().forPath("/ferry/config/topics/orders")).isNull();
    assertThatThrownBy(() -> store.deleteTopic("orders"))
        .isInstanceOf(UnknownTopicOrPartitionException.class)
        .hasMessageContaining("orders");

    // Stale watch events of the deleted topic must not bring it back (it stays gone while they
    // arrive).
    await()
        .during(Duration.ofMillis(300))
        .atMost(Duration.ofSeconds(5))
        .until(() -> store.topic("orders").isEmpty());

    TopicMetadata again = store.createTopic("orders", assignment(1, 3), Map.of());
    assertThat(again.topicId()).isNotEqualTo(created.topicId());
    assertThat(store.topic("orders")).contains(again);
    assertThat(store.partitionState("orders", 0))
        .contains(new PartitionState(3, 0, List.of(3), 0, 0));
    assertThat(store.partitionState("orders", 1)).isEmpty();
  }

  /**
   * 6,000 partitions are ~1.5 MB of znodes, over ZooKeeper's 1 MiB request limit for one
   * transaction: creation and deletion split them into several, and the result is the same topic.
   * Slow (~30 s on a loaded 2-core machine): two stores' caches follow 24,000 znodes.
   */
  @Test
  @Tag("slow")
  void topicsTooLargeForOneZooKeeperTransactionAreCreatedAndDeleted() throws Exception {
    ZkMetadataStore store = store();
    ZkMetadataStore watcher = store();
    int partitions = 6_000;

    TopicMetadata created = store.createTopic("wide", assignment(partitions, 2, 1), Map.of());

    assertThat(created.partitionCount()).isEqualTo(partitions);
    assertThat(store.curator().getChildren().forPath("/ferry/topics/wide/partitions"))
        .hasSize(partitions);
    for (int p : List.of(0, 4_321, partitions - 1)) {
      assertThat(store.partitionState("wide", p))
          .contains(new PartitionState(2, 0, List.of(2, 1), 0, 0));
      assertThat(
              new String(
                  store
                      .curator()
                      .getData()
                      .forPath("/ferry/topics/wide/partitions/" + p + "/state"),
                  StandardCharsets.UTF_8))
          .contains("\"leader\":2");
    }
    await().atMost(WAIT).until(() -> watcher.partitionState("wide", partitions - 1).isPresent());

    Map<Integer, List<Integer>> added = new java.util.HashMap<>();
    for (int p = partitions; p < 2 * partitions; p++) {
      added.put(p, List.of(1, 2));
    }
    assertThat(store.addPartitions("wide", added).partitionCount()).isEqualTo(2 * partitions);
    assertThat(store.curator().getChildren().forPath("/ferry/topics/wide/partitions"))
        .hasSize(2 * partitions);
    assertThat(store.partitionState("wide", 2 * partitions - 1))
        .contains(new PartitionState(1, 0, List.of(1, 2), 0, 0));

    store.deleteTopic("wide");
    assertThat(store.curator().checkExists().forPath("/ferry/topics/wide")).isNull();
    assertThat(store.topic("wide")).isEmpty();
    assertThat(store.partitionState("wide", 0)).isEmpty();
    await().atMost(WAIT).until(() -> watcher.topic("wide").isEmpty());
  }

  @Test
  void duplicateCreateFailsWithTopicExists() {
    ZkMetadataStore first = store();
    ZkMetadataStore second = store();
    TopicMetadata created = first.createTopic("dup", assignment(1, 0), Map.of("a", "1"));

    assertThatThrownBy(() -> first.createTopic("dup", assignment(3, 0), Map.of()))
        .isInstanceOf(TopicExistsException.class)
        .hasMessageContaining("dup");
    // The other broker fails on ZooKeeper itself, whether or not its cache has seen the topic.
    assertThatThrownBy(() -> second.createTopic("dup", assignment(2, 0), Map.of()))
        .isInstanceOf(TopicExistsException.class);
    // Nothing of the failed attempts was written.
    assertThat(first.topic("dup")).contains(created);
    await().atMost(WAIT).until(() -> second.topic("dup").isPresent());
    assertThat(second.topic("dup")).contains(created);
  }

  @Test
  void invalidTopicNamesAreRejected() {
    ZkMetadataStore store = store();
    for (String name : List.of("", ".", "..", "a b", "a/b", "topic!", "t\u00f4pic", "a\u0000b")) {
      assertThatThrownBy(() -> store.createTopic(name, assignment(1, 0), Map.of()))
          .as("topic name [%s]", name)
          .isInstanceOf(InvalidTopicException.class);
    }
    assertThatThrownBy(() -> store.createTopic(null, assignment(1, 0), Map.of()))
        .isInstanceOf(InvalidTopicException.class);
    assertThat(store.topics()).isEmpty();
  }

  @Test
  void topicNameLengthLimitIs249() {
    ZkMetadataStore store = store();
    String longest = "x".repeat(249);
    assertThat(store.createTopic(longest, assignment(1, 0), Map.of()).name()).isEqualTo(longest);
    assertThatThrownBy(() -> store.createTopic("y".repeat(250), assignment(1, 0), Map.of()))
        .isInstanceOf(InvalidTopicException.class);
    assertThat(store.createTopic("Valid.name_with-all-09", assignment(1, 0), Map.of())).isNotNull();
  }

  @Test
  void namesCollidingOnDotAndUnderscoreAreRejected() {
    ZkMetadataStore store = store();
    store.createTopic("metrics.cpu", assignment(1, 0), Map.of());
    assertThatThrownBy(() -> store.createTopic("metrics_cpu", assignment(1, 0), Map.of()))
        .isInstanceOf(InvalidTopicException.class)
        .hasMessageContaining("collides");
  }

  @Test
  void badAssignmentsAndConfigsAreRejected() {
    ZkMetadataStore store = store();
    assertThatThrownBy(() -> store.createTopic("t", Map.of(), Map.of()))
        .isInstanceOf(InvalidPartitionsException.class);
    assertThatThrownBy(() -> store.createTopic("t", Map.of(0, List.of(1), 2, List.of(1)), Map.of()))
        .isInstanceOf(InvalidPartitionsException.class)
        .hasMessageContaining("partition 1 is missing");
    assertThatThrownBy(() -> store.createTopic("t", Map.of(0, List.of()), Map.of()))
        .isInstanceOf(InvalidReplicaAssignmentException.class);
    assertThatThrownBy(() -> store.createTopic("t", Map.of(0, List.of(1, 1)), Map.of()))
        .isInstanceOf(InvalidReplicaAssignmentException.class)
        .hasMessageContaining("duplicate");
    assertThatThrownBy(
            () -> store.createTopic("t", Map.of(0, List.of(1, 2), 1, List.of(1)), Map.of()))
        .isInstanceOf(InvalidReplicaAssignmentException.class)
        .hasMessageContaining("replication factor");
    Map<String, String> nullValue = new java.util.HashMap<>();
    nullValue.put("retention.ms", null);
    assertThatThrownBy(() -> store.createTopic("t", assignment(1, 0), nullValue))
        .isInstanceOf(InvalidConfigurationException.class);
    assertThat(store.topics()).isEmpty();

    store.createTopic("t", assignment(2, 0, 1), Map.of());
    assertThatThrownBy(() -> store.addPartitions("t", Map.of(1, List.of(0, 1))))
        .isInstanceOf(InvalidPartitionsException.class)
        .hasMessageContaining("already exists");
    assertThatThrownBy(() -> store.addPartitions("t", Map.of(3, List.of(0, 1))))
        .isInstanceOf(InvalidPartitionsException.class)
        .hasMessageContaining("partition 2 is missing");
    assertThatThrownBy(() -> store.addPartitions("t", Map.of(2, List.of(0))))
        .isInstanceOf(InvalidReplicaAssignmentException.class);
    assertThatThrownBy(() -> store.addPartitions("nope", Map.of(0, List.of(0))))
        .isInstanceOf(UnknownTopicOrPartitionException.class);
    assertThatThrownBy(() -> store.setTopicConfigs("nope", Map.of()))
        .isInstanceOf(UnknownTopicOrPartitionException.class);
    assertThat(store.topic("t").orElseThrow().partitionCount()).isEqualTo(2);
  }

  @Test
  void topicIdsAndClusterIdAreStableAcrossReconnects() {
    ZkMetadataStore first = store();
    String clusterId = first.clusterId();
    assertThat(Uuid.fromString(clusterId)).isNotEqualTo(Uuid.ZERO_UUID);
    TopicMetadata a = first.createTopic("a", assignment(2, 0), Map.of("x", "y"));
    TopicMetadata b = first.createTopic("b", assignment(1, 0), Map.of());
    first.close();

    ZkMetadataStore second = store();
    assertThat(second.clusterId()).isEqualTo(clusterId);
    // Loaded before connect() returned: no waiting.
    assertThat(second.topic("a")).contains(a);
    assertThat(second.topic(a.topicId())).contains(a);
    assertThat(second.topic(b.topicId())).contains(b);
    assertThat(second.topics()).containsExactlyInAnyOrder(a, b);
    // A different chroot is a different cluster.
    connect = zk.connectString() + "/other" + CHROOTS.incrementAndGet();
    assertThat(store().clusterId()).isNotEqualTo(clusterId);
  }

  @Test
  void changesReachASecondStoresCacheAndListenerOnTheEventThread() {
    ZkMetadataStore writer = store();
    ZkMetadataStore reader = store();
    RecordingListener writerListener = new RecordingListener();
    RecordingListener readerListener = new RecordingListener();
    writer.addListener(writerListener);
    reader.addListener(readerListener);

    TopicMetadata created = writer.createTopic("events", assignment(2, 1, 2), Map.of("a", "1"));
    await().atMost(WAIT).until(() -> reader.topic("events").isPresent());
    assertThat(reader.topic("events")).contains(created);
    assertThat(reader.topic(created.topicId())).contains(created);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(readerListener.lastTopicEvent("events").topic()).isEqualTo(created);
              assertThat(readerListener.lastState("events", 1))
                  .isEqualTo(new PartitionState(1, 0, List.of(1, 2), 0, 0));
            });

    TopicMetadata grown =
        writer.addPartitions("events", Map.of(2, List.of(2, 1), 3, List.of(1, 2)));
    assertThat(grown.partitionCount()).isEqualTo(4);
    assertThat(grown.configs()).containsExactly(Map.entry("a", "1"));
    assertThat(writer.topic("events")).contains(grown);
    assertThat(writer.partitionState("events", 3))
        .contains(new PartitionState(1, 0, List.of(1, 2), 0, 0));
    await().atMost(WAIT).until(() -> reader.topic("events").orElseThrow().partitionCount() == 4);
    assertThat(reader.topic("events")).contains(grown);
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              assertThat(reader.partitionState("events", 2))
                  .contains(new PartitionState(2, 0, List.of(2, 1), 0, 0));
              assertThat(readerListener.lastTopicEvent("events").topic()).isEqualTo(grown);
              assertThat(readerListener.lastState("events", 2))
                  .isEqualTo(new PartitionState(2, 0, List.of(2, 1), 0, 0));
            });

    TopicMetadata reconfigured =
        writer.setTopicConfigs("events", Map.of("retention.ms", "1000", "segment.bytes", "4096"));
    assertThat(reconfigured.configs())
        .containsExactly(Map.entry("retention.ms", "1000"), Map.entry("segment.bytes", "4096"));
    assertThat(reconfigured.replicaAssignment()).isEqualTo(grown.replicaAssignment());
    assertThat(writer.topic("events")).contains(reconfigured);
    await().atMost(WAIT).until(() -> reader.topic("events").orElseThrow().equals(reconfigured));
    await()
        .atMost(WAIT)
        .until(() -> readerListener.lastTopicEvent("events").topic().equals(reconfigured));

    writer.deleteTopic("events");
    await().atMost(WAIT).until(() -> reader.topic("events").isEmpty());
    assertThat(reader.topic(created.topicId())).isEmpty();
    await()
        .atMost(WAIT)
        .untilAsserted(
            () -> {
              RecordingListener.Event last = readerListener.lastTopicEvent("events");
              assertThat(last.kind()).isEqualTo("deleted");
              assertThat(last.topic()).isEqualTo(reconfigured);
              assertThat(writerListener.lastTopicEvent("events").kind()).isEqualTo("deleted");
            });

    // The writer heard of its own changes once each, in order; nothing ran on another thread.
    assertThat(
            writerListener.events.stream()
                .filter(e -> !e.kind().equals("state"))
                .map(
                    e ->
                        e.kind()
                            + ":"
                            + e.topic().partitionCount()
                            + ":"
                            + e.topic().configs().size()))
        .containsExactly("changed:2:1", "changed:4:1", "changed:4:2", "deleted:4:2");
    assertThat(writerListener.events)
        .extracting(RecordingListener.Event::thread)
        .containsOnly("ferry-metadata-events");
    assertThat(readerListener.events)
        .extracting(RecordingListener.Event::thread)
        .containsOnly("ferry-metadata-events");
    // A topic's first callback precedes those of its partitions.
    assertThat(readerListener.events.get(0).kind()).isEqualTo("changed");
  }

  @Test
  void producerIdBlocksFromTwoStoresNeverOverlap() throws Exception {
    ZkMetadataStore a = store();
    ZkMetadataStore b = store();
    int blockSize = 10;
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      Future<List<ProducerIdBlock>> fromA = pool.submit(() -> allocate(a, 1, blockSize, 50));
      Future<List<ProducerIdBlock>> fromB = pool.submit(() -> allocate(b, 2, blockSize, 50));
      List<ProducerIdBlock> all = new ArrayList<>(fromA.get(60, TimeUnit.SECONDS));
      all.addAll(fromB.get(60, TimeUnit.SECONDS));
      all.sort(Comparator.comparingLong(ProducerIdBlock::firstProducerId));
      assertThat(all).hasSize(100);
      // Disjoint and, since nothing failed, gap-free from 0.
      for (int i = 0; i < all.size(); i++) {
        assertThat(all.get(i).firstProducerId()).isEqualTo((long) i * blockSize);
        assertThat(all.get(i).size()).isEqualTo(blockSize);
      }
      assertThat(all).extracting(ProducerIdBlock::brokerId).contains(1, 2);
    } finally {
      pool.shutdownNow();
    }
    // A restarted broker continues after the last block.
    a.close();
    assertThat(store().allocateProducerIdBlock(3, 5)).isEqualTo(new ProducerIdBlock(3, 1000, 5));
  }

  private static List<ProducerIdBlock> allocate(
      ZkMetadataStore store, int brokerId, int size, int n) {
    List<ProducerIdBlock> blocks = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      blocks.add(store.allocateProducerIdBlock(brokerId, size));
    }
    return blocks;
  }

  @Test
  void brokerRegistrationIsEphemeralAndUnique() {
    ZkMetadataStore first = store();
    ZkMetadataStore second = store();
    BrokerInfo one = new BrokerInfo(1, "127.0.0.1", 9092, "rack-a");
    first.registerBroker(one);
    assertThat(first.liveBrokers()).containsExactly(one);
    await().atMost(WAIT).until(() -> second.liveBrokers().contains(one));

    BrokerInfo impostor = new BrokerInfo(1, "127.0.0.1", 9093, null);
    assertThatThrownBy(() -> second.registerBroker(impostor))
        .isInstanceOf(DuplicateBrokerRegistrationException.class)
        .hasMessageContaining("Broker id 1");
    BrokerInfo two = new BrokerInfo(2, "127.0.0.1", 9093, null);
    second.registerBroker(two);
    await().atMost(WAIT).until(() -> first.liveBrokers().size() == 2);
    assertThat(first.liveBrokers()).containsExactly(one, two);
    assertThat(first.liveBroker(2)).contains(two);

    first.close();
    await().atMost(WAIT).until(() -> second.liveBrokers().size() == 1);
    assertThat(second.liveBrokers()).containsExactly(two);
    // The id is free again.
    ZkMetadataStore third = store();
    third.registerBroker(new BrokerInfo(1, "127.0.0.1", 9094, null));
    assertThat(third.liveBroker(1).orElseThrow().port()).isEqualTo(9094);
  }

  @Test
  void brokerIsRegisteredAgainAfterItsSessionExpires() throws Exception {
    ZkMetadataStore store = store();
    ZkMetadataStore observer = store();
    BrokerInfo broker = new BrokerInfo(7, "127.0.0.1", 9092, null);
    store.registerBroker(broker);
    long oldSession = store.curator().getZookeeperClient().getZooKeeper().getSessionId();

    ZkTestSupport.expireSession(
        store.curator().getZookeeperClient().getZooKeeper(), zk.connectString());

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              Stat stat = store.curator().checkExists().forPath(ZkPaths.broker(7));
              assertThat(stat).isNotNull();
              assertThat(stat.getEphemeralOwner()).isNotEqualTo(oldSession);
              assertThat(stat.getEphemeralOwner())
                  .isEqualTo(store.curator().getZookeeperClient().getZooKeeper().getSessionId());
            });
    await().atMost(WAIT).until(() -> observer.liveBrokers().contains(broker));
    assertThat(store.liveBrokers()).containsExactly(broker);
  }

  @Test
  void cacheCatchesUpAfterItsSessionExpires() throws Exception {
    ZkMetadataStore writer = store();
    ZkMetadataStore reader = store();
    RecordingListener listener = new RecordingListener();
    reader.addListener(listener);
    TopicMetadata doomed = writer.createTopic("doomed", assignment(1, 0), Map.of());
    await().atMost(WAIT).until(() -> reader.topic("doomed").isPresent());

    ZkTestSupport.expireSession(
        reader.curator().getZookeeperClient().getZooKeeper(), zk.connectString());
    writer.deleteTopic("doomed");
    TopicMetadata born = writer.createTopic("born", assignment(2, 0), Map.of("k", "v"));

    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              assertThat(reader.topics()).containsExactly(born);
              assertThat(reader.topic(doomed.topicId())).isEmpty();
              assertThat(listener.lastTopicEvent("doomed").kind()).isEqualTo("deleted");
              assertThat(listener.lastTopicEvent("born").topic()).isEqualTo(born);
            });
  }

  @Test
  void connectFailsClearlyWhenZooKeeperIsUnreachable() throws Exception {
    int deadPort;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      deadPort = socket.getLocalPort();
    }
    long start = System.nanoTime();
    assertThatThrownBy(() -> ZkMetadataStore.connect("127.0.0.1:" + deadPort, 6_000, 1_000))
        .isInstanceOf(TimeoutException.class)
        .hasMessageContaining("127.0.0.1:" + deadPort);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    // Nothing of the failed attempt keeps running.
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(storeThreads("127.0.0.1:" + deadPort)).isEmpty());
  }

  @Test
  void closeStopsEveryThreadOfTheStore() {
    ZkMetadataStore store = store();
    store.addListener(new RecordingListener());
    store.registerBroker(new BrokerInfo(1, "127.0.0.1", 9092, null));
    store.createTopic("t", assignment(1, 1), Map.of());
    assertThat(storeThreads(zk.connectString())).isNotEmpty();
    store.close();
    await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(storeThreads(zk.connectString())).isEmpty());
  }

  /** Threads of our stores, and ZooKeeper client threads talking to {@code server}. */
  private static List<String> storeThreads(String server) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .map(Thread::getName)
        .filter(
            name ->
                name.startsWith("ferry-metadata-events")
                    || name.startsWith("ferry-broker-registration")
                    || name.startsWith("ferry-zk-")
                    || name.contains("SendThread(" + server))
        .toList();
  }

  @Test
  void malformedZnodesAreIgnoredAndOthersStillServed() throws Exception {
    ZkMetadataStore store = store();
    TopicMetadata good = store.createTopic("good", assignment(1, 0), Map.of());
    store
        .curator()
        .create()
        .forPath("/ferry/topics/bad", "{not json".getBytes(StandardCharsets.UTF_8));
    store
        .curator()
        .create()
        .forPath("/ferry/topics/future", "{\"version\":99}".getBytes(StandardCharsets.UTF_8));
    TopicMetadata later = store.createTopic("later", assignment(1, 0), Map.of());

    ZkMetadataStore other = store();
    assertThat(other.topics()).containsExactlyInAnyOrder(good, later);
    assertThat(store.topics()).containsExactlyInAnyOrder(good, later);
  }
}
