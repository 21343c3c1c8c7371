package dev.ferry.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.metadata.BrokerInfo;
import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.memory.InMemoryMetadataCluster;
import dev.ferry.metadata.memory.InMemoryMetadataStore;
import dev.ferry.runtime.ManualClock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The controller's election and ISR decisions as it makes them against a metadata store: no
 * sockets, no ZooKeeper, and time that moves only when the test advances the scheduler. Brokers are
 * sessions of one in-memory cluster; a broker "dies" when its session closes, as its ZooKeeper
 * session would expire.
 */
class ClusterControllerTest {

  private static final String TOPIC = "orders";
  private static final long REBALANCE_INTERVAL_MS = 5_000;

  private final InMemoryMetadataCluster cluster = new InMemoryMetadataCluster();
  private final Map<Integer, InMemoryMetadataStore> brokers = new HashMap<>();
  private final List<ClusterController> controllers = new ArrayList<>();

  /** Each controller's own thread, as in a broker; time moves for all of them together. */
  private final List<ManualClock> schedulers = new ArrayList<>();

  private InMemoryMetadataStore admin;

  @BeforeEach
  void threeBrokersAndATopic() {
    for (int id = 1; id <= 3; id++) {
      startBroker(id);
    }
    admin = cluster.connect();
    admin.createTopic(TOPIC, Map.of(0, List.of(1, 2, 3), 1, List.of(2, 3, 1)), Map.of());
  }

  @AfterEach
  void close() {
    controllers.forEach(ClusterController::close);
    brokers.values().forEach(InMemoryMetadataStore::close);
    admin.close();
  }

  private void startBroker(int id) {
    InMemoryMetadataStore store = cluster.connect();
    store.registerBroker(new BrokerInfo(id, "127.0.0.1", 9000 + id, null), 0);
    brokers.put(id, store);
  }

  /** A controller candidate on broker {@code id}, told of metadata changes by the test. */
  private ClusterController controllerOn(int id, boolean autoRebalance) {
    ManualClock scheduler = new ManualClock(0);
    ClusterController controller =
        new ClusterController(
            id,
            brokers.get(id),
            new ClusterController.Config(false, autoRebalance, REBALANCE_INTERVAL_MS),
            scheduler);
    controllers.add(controller);
    schedulers.add(scheduler);
    controller.start();
    runDue();
    return controller;
  }

  private void runDue() {
    schedulers.forEach(ManualClock::runDue);
  }

  private void advance(long ms) {
    schedulers.forEach(s -> s.advance(ms));
  }

  private void killBroker(int id, ClusterController controller) {
    brokers.remove(id).close();
    controller.onBrokersChanged(List.copyOf(admin.liveBrokers()));
    runDue();
  }

  private PartitionState state(int partition) {
    return admin.partitionState(TOPIC, partition).orElseThrow();
  }

  @Test
  void theFirstCandidateIsElectedAndClaimsEpochOneWithoutTouchingHealthyPartitions() {
    ClusterController controller = controllerOn(1, false);

    assertThat(controller.isActive()).isTrue();
    assertThat(controller.controllerEpoch()).isEqualTo(1);
    assertThat(state(0)).isEqualTo(new PartitionState(1, 0, List.of(1, 2, 3), 0, 0));
    assertThat(state(1)).isEqualTo(new PartitionState(2, 0, List.of(2, 3, 1), 0, 0));
  }

  @Test
  void aDeadLeaderIsReplacedFromTheIsrAndDeadFollowersLeaveIt() {
    ClusterController controller = controllerOn(2, false);

    killBroker(1, controller);

    // Partition 0 lost its leader: the next in-sync replica leads at a new leader epoch.
    assertThat(state(0)).isEqualTo(new PartitionState(2, 1, List.of(2, 3), 1, 1));
    // Partition 1 lost a follower: same leader, same leader epoch, smaller ISR.
    assertThat(state(1)).isEqualTo(new PartitionState(2, 0, List.of(2, 3), 1, 1));
  }

  @Test
  void withNoInSyncReplicaLeftThePartitionGoesOfflineInsteadOfLosingData() {
    ClusterController controller = controllerOn(3, false);
    // Broker 3 fell out of partition 0's ISR (as its leader would record it).
    PartitionState shrunk = new PartitionState(1, 0, List.of(1, 2), 0, 0);
    assertThat(admin.compareAndSetPartitionState(TOPIC, 0, 0, shrunk, null)).isPresent();

    killBroker(1, controller);
    killBroker(2, controller);

    // Broker 2 was the last in-sync replica: it stays in the ISR, so it leads when it returns.
    assertThat(state(0)).isEqualTo(new PartitionState(-1, 2, List.of(2), 1, 3));
    assertThat(state(1)).isEqualTo(new PartitionState(3, 1, List.of(3), 1, 2));
  }

  @Test
  void uncleanElectionPicksALiveOutOfSyncReplicaWhenTheTopicAllowsIt() {
    ClusterController controller = controllerOn(3, false);
    admin.setTopicConfigs(TOPIC, Map.of("unclean.leader.election.enable", "true"));
    admin.compareAndSetPartitionState(
        TOPIC, 0, 0, new PartitionState(1, 0, List.of(1), 0, 0), null);

    killBroker(1, controller);

    assertThat(state(0)).isEqualTo(new PartitionState(2, 1, List.of(2), 1, 2));
  }

  @Test
  void controlledShutdownMovesLeadershipAwayWhileTheBrokerIsStillLive() {
    ClusterController controller = controllerOn(3, false);

    brokers.get(1).requestControlledShutdown(1);
    runDue();

    assertThat(admin.liveBroker(1)).isPresent();
    assertThat(state(0)).isEqualTo(new PartitionState(2, 1, List.of(2, 3), 1, 1));
    assertThat(state(1)).isEqualTo(new PartitionState(2, 0, List.of(2, 3), 1, 1));
    assertThat(controller.isActive()).isTrue();
  }

  @Test
  void aReplicaWhoseLogDirFailedLosesLeadershipAndLeavesTheIsrOfThatPartitionOnly() {
    ClusterController controller = controllerOn(3, false);

    // Broker 1's dir holding partition 0 failed; partition 1's replica there is in another dir.
    brokers.get(1).reportOfflineReplicas(1, Set.of(new TopicPartition(TOPIC, 0)));
    runDue();

    assertThat(admin.liveBroker(1)).isPresent();
    assertThat(state(0)).isEqualTo(new PartitionState(2, 1, List.of(2, 3), 1, 1));
    assertThat(state(1)).isEqualTo(new PartitionState(2, 0, List.of(2, 3, 1), 0, 0));
    assertThat(controller.isActive()).isTrue();

    // The report goes with the broker's session: restarted, it is a replica like any other.
    killBroker(1, controller);
    startBroker(1);
    controller.onBrokersChanged(List.copyOf(admin.liveBrokers()));
    runDue();
    assertThat(admin.offlineReplicas(() -> {})).isEmpty();
  }

  @Test
  void anOfflineReplicaThatIsTheWholeIsrTakesThePartitionOffline() {
    controllerOn(3, false);
    admin.compareAndSetPartitionState(
        TOPIC, 0, 0, new PartitionState(1, 0, List.of(1), 0, 0), null);

    brokers.get(1).reportOfflineReplicas(1, Set.of(new TopicPartition(TOPIC, 0)));
    runDue();

    // No other replica holds what the ISR holds: no leader, the ISR kept (as for a dead leader).
    assertThat(state(0)).isEqualTo(new PartitionState(-1, 1, List.of(1), 1, 2));
  }

  @Test
  void aShuttingDownSoleInSyncLeaderKeepsLeading() {
    controllerOn(3, false);
    admin.compareAndSetPartitionState(
        TOPIC, 0, 0, new PartitionState(1, 0, List.of(1), 0, 0), null);

    brokers.get(1).requestControlledShutdown(1);
    runDue();

    assertThat(state(0)).isEqualTo(new PartitionState(1, 0, List.of(1), 0, 1));
  }

  @Test
  void leadershipReturnsToThePreferredReplicaAtTheNextImbalanceCheck() {
    ClusterController controller = controllerOn(2, true);
    killBroker(1, controller);
    assertThat(state(0).leader()).isEqualTo(2);

    // Broker 1 comes back and catches up: the leader adds it to the ISR.
    startBroker(1);
    PartitionState led = state(0);
    admin.compareAndSetPartitionState(
        TOPIC,
        0,
        led.partitionEpoch(),
        new PartitionState(2, led.leaderEpoch(), List.of(2, 3, 1), led.controllerEpoch(), 0),
        null);
    controller.onBrokersChanged(List.copyOf(admin.liveBrokers()));
    runDue();
    assertThat(state(0).leader()).as("no move before the check").isEqualTo(2);

    advance(REBALANCE_INTERVAL_MS);

    assertThat(state(0)).isEqualTo(new PartitionState(1, 2, List.of(2, 3, 1), 1, 3));
  }

  @Test
  void aControllerWhoseEpochWasSupersededStopsWriting() {
    ClusterController controller = controllerOn(2, false);
    // Another controller claimed a newer epoch (this one missed its deposition).
    brokers.get(3).claimControllerEpoch();

    killBroker(1, controller);

    assertThat(controller.isActive()).isFalse();
    assertThat(state(0))
        .as("unchanged")
        .isEqualTo(new PartitionState(1, 0, List.of(1, 2, 3), 0, 0));
  }

  @Test
  void whenTheControllerLeavesTheNextCandidateTakesOverWithANewerEpoch() {
    ClusterController first = controllerOn(1, false);
    ClusterController second = controllerOn(2, false);
    assertThat(second.isActive()).isFalse();

    first.close();
    brokers.remove(1).close();
    runDue();
    second.onBrokersChanged(List.copyOf(admin.liveBrokers()));
    runDue();

    assertThat(second.isActive()).isTrue();
    assertThat(second.controllerEpoch()).isEqualTo(2);
    assertThat(state(0)).isEqualTo(new PartitionState(2, 1, List.of(2, 3), 2, 1));
  }

  // ---- a broker that restarts before the controller sees it gone (Kafka's "bounced broker")

  /**
   * The broker's session ends and a new process registers the same id, with no controller pass in
   * between: a SIGKILL (or a power loss) and a restart within one pass, as the old ZooKeeper
   * session expires and the new one registers a tenth of a second later.
   */
  private void bounce(int id) {
    brokers.remove(id).close();
    startBroker(id);
  }

  @Test
  void aLeaderThatRestartedUnnoticedIsReplacedAndLeavesTheIsr() {
    ClusterController controller = controllerOn(3, false);

    bounce(1);
    controller.onBrokersChanged(List.copyOf(admin.liveBrokers()));
    runDue();

    // Its registration is newer than the state that made it leader: another in-sync replica takes
    // over, and the restarted broker rejoins the ISR only when the new leader adds it back.
    assertThat(state(0)).isEqualTo(new PartitionState(2, 1, List.of(2, 3), 1, 1));
    assertThat(state(1)).isEqualTo(new PartitionState(2, 0, List.of(2, 3), 1, 1));

    controller.onBrokersChanged(List.copyOf(admin.liveBrokers()));
    runDue();
    assertThat(state(0).partitionEpoch()).as("settled: no further writes").isEqualTo(1);
  }

  @Test
  void aControllerElectedAfterTheRestartSeesItFromTheStatesAlone() {
    bounce(1);
    controllerOn(2, false);

    assertThat(state(0)).isEqualTo(new PartitionState(2, 1, List.of(2, 3), 1, 1));
    assertThat(state(1)).isEqualTo(new PartitionState(2, 0, List.of(2, 3), 1, 1));
  }

  @Test
  void aRestartIsCaughtEvenIfTheLeaderRewroteTheStateSince() {
    ClusterController controller = controllerOn(3, false);
    bounce(1);
    // The leader of partition 1 writes its ISR (a routine change) before the controller's pass,
    // not knowing of the restart: the state is now newer than broker 1's registration.
    PartitionState led = state(1);
    assertThat(
            admin.compareAndSetPartitionState(
                TOPIC,
                1,
                led.partitionEpoch(),
                new PartitionState(2, 0, List.of(2, 3, 1), 0, led.partitionEpoch()),
                null))
        .isPresent();
    controller.onBrokersChanged(List.copyOf(admin.liveBrokers()));
    runDue();

    // The controller had seen broker 1's earlier registration: it is still caught.
    assertThat(state(1)).isEqualTo(new PartitionState(2, 0, List.of(2, 3), 1, 2));
    assertThat(state(0)).isEqualTo(new PartitionState(2, 1, List.of(2, 3), 1, 1));
  }

  @Test
  void aRestartedLeaderThatIsTheWholeIsrLeadsAgainAtANewEpoch() {
    ClusterController controller = controllerOn(3, false);
    admin.compareAndSetPartitionState(
        TOPIC, 0, 0, new PartitionState(1, 0, List.of(1), 0, 0), null);

    bounce(1);
    controller.onBrokersChanged(List.copyOf(admin.liveBrokers()));
    runDue();

    assertThat(state(0)).isEqualTo(new PartitionState(1, 1, List.of(1), 1, 2));
    controller.onBrokersChanged(List.copyOf(admin.liveBrokers()));
    runDue();
    assertThat(state(0).partitionEpoch()).as("settled: no further writes").isEqualTo(2);
  }

  @Test
  void aRestartedBrokerIsNotMadePreferredLeaderBeforeItIsBackInTheIsr() {
    ClusterController controller = controllerOn(2, true);
    killBroker(1, controller);
    startBroker(1);
    // A stale ISR write still naming broker 1 (decided about its previous process)...
    PartitionState led = state(0);
    admin.compareAndSetPartitionState(
        TOPIC,
        0,
        led.partitionEpoch(),
        new PartitionState(2, led.leaderEpoch(), List.of(2, 3, 1), led.controllerEpoch(), 0),
        null);
    // ... is newer than broker 1's registration only if written after it: here it is, so broker 1
    // counts as added back by its leader and may lead again.
    controller.onBrokersChanged(List.copyOf(admin.liveBrokers()));
    runDue();
    advance(REBALANCE_INTERVAL_MS);
    assertThat(state(0).leader()).isEqualTo(1);

    // Broker 1 restarts again: it is not made leader on its place in the ISR.
    bounce(1);
    advance(REBALANCE_INTERVAL_MS);
    assertThat(state(0).leader()).isEqualTo(2);
    assertThat(state(0).isr()).containsExactly(2, 3);
  }
}
