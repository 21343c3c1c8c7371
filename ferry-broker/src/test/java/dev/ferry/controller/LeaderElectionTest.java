package dev.ferry.controller;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.metadata.PartitionState;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The controller's election rules, one at a time: clean election only from the ISR, an offline
 * partition rather than data loss, unclean election only when enabled.
 */
class LeaderElectionTest {

  private static final List<Integer> REPLICAS = List.of(0, 1, 2);

  private static PartitionState state(int leader, int epoch, List<Integer> isr) {
    return new PartitionState(leader, epoch, isr, 7, 11);
  }

  @Test
  void aDeadLeaderIsReplacedByTheFirstLiveInSyncReplicaAtANewEpoch() {
    PartitionState next =
        LeaderElection.decide(
            REPLICAS, state(0, 4, List.of(0, 2, 1)), Set.of(1, 2), Set.of(1, 2), false);

    assertThat(next).isEqualTo(state(1, 5, List.of(2, 1)));
  }

  @Test
  void anOutOfSyncReplicaIsNeverElectedCleanly() {
    // Broker 2 is alive but fell out of the ISR: it may lack acknowledged records.
    PartitionState next =
        LeaderElection.decide(REPLICAS, state(0, 4, List.of(0, 1)), Set.of(2), Set.of(2), false);

    // Offline: no leader, the ISR kept so that its first member to return is elected.
    assertThat(next).isEqualTo(state(-1, 5, List.of(0, 1)));
    assertThat(LeaderElection.decide(REPLICAS, next, Set.of(2), Set.of(2), false))
        .as("stays offline while only the out-of-sync replica is up")
        .isNull();
    assertThat(LeaderElection.decide(REPLICAS, next, Set.of(1, 2), Set.of(1, 2), false))
        .as("the first ISR member to come back leads")
        .isEqualTo(state(1, 6, List.of(1)));
  }

  @Test
  void uncleanElectionLetsAnOutOfSyncReplicaLeadWithAnIsrOfItself() {
    PartitionState next =
        LeaderElection.decide(REPLICAS, state(0, 4, List.of(0, 1)), Set.of(2), Set.of(2), true);

    assertThat(next).isEqualTo(state(2, 5, List.of(2)));
  }

  @Test
  void aLeaderShuttingDownKeepsLeadingWhenNoOtherReplicaIsInSync() {
    // Broker 0 asked for controlled shutdown (live, not eligible); moving would lose data.
    PartitionState next =
        LeaderElection.decide(
            REPLICAS, state(0, 4, List.of(0)), Set.of(1, 2), Set.of(0, 1, 2), false);

    assertThat(next).isNull();
  }

  @Test
  void deadFollowersLeaveTheIsrWithoutANewEpoch() {
    PartitionState next =
        LeaderElection.decide(
            REPLICAS, state(0, 4, List.of(0, 1, 2)), Set.of(0, 1), Set.of(0, 1), false);

    assertThat(next).isEqualTo(state(0, 4, List.of(0, 1)));
  }

  // ---- a replica that registered again since the state was written (restart, power loss)

  @Test
  void aRestartedLeaderHandsOverToAnotherInSyncReplicaAndLeavesTheIsr() {
    // Broker 2 led, was SIGKILLed (its log perhaps cut back to its last fsync) and registered again
    // before the controller saw it gone: live, but its leadership was given to the old process.
    PartitionState next =
        LeaderElection.decide(
            REPLICAS,
            state(2, 2, List.of(2, 0, 1)),
            Set.of(0, 1, 2),
            Set.of(0, 1, 2),
            Set.of(2),
            false);

    assertThat(next).isEqualTo(state(0, 3, List.of(0, 1)));
  }

  @Test
  void aRestartedFollowerLeavesTheIsrUntilItsLeaderAddsItBack() {
    PartitionState next =
        LeaderElection.decide(
            REPLICAS,
            state(0, 4, List.of(0, 1, 2)),
            Set.of(0, 1, 2),
            Set.of(0, 1, 2),
            Set.of(1),
            false);

    assertThat(next).isEqualTo(state(0, 4, List.of(0, 2)));
  }

  @Test
  void aRestartedLeaderThatIsTheWholeIsrLeadsAgainAtANewEpoch() {
    // Nobody else holds what it held: it leads again (as Kafka's would), at a new leader epoch, so
    // that the broker, which leads only on decisions made after it registered, takes it up.
    PartitionState next =
        LeaderElection.decide(
            REPLICAS, state(0, 4, List.of(0)), Set.of(0, 1, 2), Set.of(0, 1, 2), Set.of(0), false);

    assertThat(next).isEqualTo(state(0, 5, List.of(0)));
  }

  @Test
  void aRestartedInSyncReplicaIsElectedWhenTheLeaderIsGoneAndNoneOtherIsInSync() {
    PartitionState next =
        LeaderElection.decide(
            REPLICAS, state(0, 4, List.of(0, 1)), Set.of(1, 2), Set.of(1, 2), Set.of(1), true);

    // Before any out-of-sync replica, even with unclean election allowed.
    assertThat(next).isEqualTo(state(1, 5, List.of(1)));
  }
}
