package dev.ferry.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.metadata.BrokerInfo;
import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.memory.InMemoryMetadataCluster;
import dev.ferry.metadata.memory.InMemoryMetadataStore;
import dev.ferry.replication.Partition;
import dev.ferry.replication.ReplicaManager;
import dev.ferry.runtime.ManualClock;
import dev.ferry.storage.LogConfig;
import dev.ferry.storage.LogManager;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which role a broker takes for a partition whose state names it leader: only a decision made after
 * its current registration counts. A broker restarted after a crash or power loss finds the state
 * its previous process led on; leading on it with a log cut back to its last fsync made the
 * followers truncate acknowledged records (ClusterFaultInjectionTest seed 39850102277049).
 */
class PartitionHostTest {

  private static final String TOPIC = "orders";
  private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
  private static final int US = 0;

  @TempDir Path dir;

  private final InMemoryMetadataCluster cluster = new InMemoryMetadataCluster();
  private final InMemoryMetadataStore admin = cluster.connect();
  private final ManualClock clock = new ManualClock(1_000);
  private final LogConfig logConfig = LogConfig.fromMap(LogConfig.defaultValues());
  private InMemoryMetadataStore store;
  private LogManager logManager;
  private ReplicaManager replicas;
  private PartitionHost host;

  @AfterEach
  void close() {
    if (replicas != null) {
      replicas.close();
      logManager.close();
    }
    if (store != null) {
      store.close();
    }
    admin.close();
  }

  /** This broker's process starts: its metadata session, its logs, then its partitions. */
  private void startProcess() {
    store = cluster.connect();
    logManager = new LogManager(List.of(dir), logConfig, 300_000, clock);
    logManager.startup();
    replicas = new ReplicaManager(logManager, clock, clock);
    host = new PartitionHost(US, store, replicas, logConfig, 1);
    host.syncAll();
  }

  private void register() {
    store.registerBroker(new BrokerInfo(US, "127.0.0.1", 9092, null), 0);
  }

  private Partition partition() {
    return replicas.partition(TP);
  }

  /** What the controller writes: a new leader epoch naming {@code leader}. */
  private void elect(int leader) {
    PartitionState s = admin.partitionState(TOPIC, 0).orElseThrow();
    assertThat(
            admin.compareAndSetPartitionState(
                TOPIC,
                0,
                s.partitionEpoch(),
                new PartitionState(leader, s.leaderEpoch() + 1, s.isr(), 1, 0),
                null))
        .isPresent();
    host.onPartitionStateChanged(
        store.topic(TOPIC).orElseThrow(), 0, store.partitionState(TOPIC, 0).orElseThrow());
  }

  @Test
  void aRestartedBrokerDoesNotLeadOnTheStateItsPreviousProcessLedOn() {
    startProcess();
    register();
    admin.createTopic(TOPIC, Map.of(0, List.of(US, 1, 2)), Map.of());
    host.syncAll();
    assertThat(partition().isLeader()).as("a decision made after it registered").isTrue();

    // SIGKILL: the process is gone, but its session (and registration) lingers until it expires.
    InMemoryMetadataStore oldSession = store;
    replicas.close();
    logManager.close();
    startProcess();
    assertThat(store.brokerEpoch(US)).as("the old registration, still live").isPositive();

    // Before registering: the state still names it leader at epoch 0, but about the old process.
    assertThat(partition().isLeader()).isFalse();
    assertThat(partition().leaderId()).isEqualTo(-1);
    assertThat(partition().leaderEpoch()).isZero();

    oldSession.close();
    register();
    host.syncAll();
    assertThat(partition().isLeader()).as("registered, but the state is older").isFalse();

    elect(US);
    assertThat(partition().isLeader()).as("elected again after registering").isTrue();
    assertThat(partition().leaderEpoch()).isEqualTo(1);
  }

  @Test
  void aBrokerNamedFollowerFollowsWhateverItsRegistration() {
    admin.createTopic(TOPIC, Map.of(0, List.of(1, US, 2)), Map.of());
    startProcess();

    assertThat(partition().isLeader()).isFalse();
    assertThat(partition().leaderId()).isEqualTo(1);
  }
}
