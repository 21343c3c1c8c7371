package dev.ferry.coordinator.group;

import static dev.ferry.coordinator.group.CoordinatorFixture.protocols;
import static dev.ferry.coordinator.group.CoordinatorFixture.subscription;
import static dev.ferry.coordinator.group.GroupState.COMPLETING_REBALANCE;
import static dev.ferry.coordinator.group.GroupState.DEAD;
import static dev.ferry.coordinator.group.GroupState.EMPTY;
import static dev.ferry.coordinator.group.GroupState.PREPARING_REBALANCE;
import static dev.ferry.coordinator.group.GroupState.STABLE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.runtime.ManualClock;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroupMember;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The classic group state machine (Empty, PreparingRebalance, CompletingRebalance, Stable, Dead):
 * which moves are legal, and the moves joins, syncs, session and rebalance timeouts and the initial
 * delay make. No sockets; the coordinator's clock and timers move only when the test advances them,
 * so every timeout is exact.
 */
class ClassicGroupStateMachineTest {

  private static final String G = "machine";
  private static final int SESSION_MS = 10_000;
  private static final int REBALANCE_MS = 20_000;
  private static final Map<String, byte[]> RANGE = protocols("range", subscription("orders"));

  @TempDir Path dir;
  private final ManualClock clock = new ManualClock(1_000_000);
  private CoordinatorFixture f;

  @AfterEach
  void tearDown() {
    if (f != null) {
      f.close();
    }
  }

  private void start(int initialDelayMs) throws Exception {
    f =
        CoordinatorFixture.startManual(
            dir,
            new GroupCoordinatorConfig(10, 600_000, initialDelayMs, 100, 1, 600_000, 600_000, 4096),
            clock);
  }

  private GroupState state() {
    String name = f.coordinator.describeGroup(G).groupState();
    return GroupState.parse(name).orElseThrow();
  }

  private CompletableFuture<JoinGroupResponseData> rejoin(String memberId) {
    return f.join(G, "c", memberId, null, SESSION_MS, REBALANCE_MS, RANGE);
  }

  // ---------------------------------------------------------------- the table

  @Test
  void legalMovesAreKafkasTable() {
    Map<GroupState, Set<GroupState>> legalFrom =
        Map.of(
            PREPARING_REBALANCE, EnumSet.of(STABLE, COMPLETING_REBALANCE, EMPTY),
            COMPLETING_REBALANCE, EnumSet.of(PREPARING_REBALANCE),
            STABLE, EnumSet.of(COMPLETING_REBALANCE),
            EMPTY, EnumSet.of(PREPARING_REBALANCE),
            DEAD, EnumSet.allOf(GroupState.class));
    for (GroupState next : GroupState.values()) {
      for (GroupState previous : GroupState.values()) {
        assertThat(next.canFollow(previous))
            .as(previous + " -> " + next)
            .isEqualTo(legalFrom.get(next).contains(previous));
      }
    }
  }

  @Test
  void anIllegalMoveThrowsAndLeavesTheGroupWhereItWas() {
    ClassicGroup g = new ClassicGroup(G, 0, 5);
    assertThatThrownBy(() -> g.transitionTo(STABLE, 6))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("EMPTY")
        .hasMessageContaining("STABLE");
    assertThat(g.state()).isEqualTo(EMPTY);
    assertThat(g.stateTimestampMs()).isEqualTo(5);

    g.transitionTo(PREPARING_REBALANCE, 7);
    assertThatThrownBy(() -> g.transitionTo(PREPARING_REBALANCE, 8))
        .isInstanceOf(IllegalStateException.class);
    assertThat(g.state()).isEqualTo(PREPARING_REBALANCE);
    assertThat(g.stateTimestampMs()).isEqualTo(7);

    g.transitionTo(DEAD, 9);
    assertThatThrownBy(() -> g.transitionTo(EMPTY, 10)).isInstanceOf(IllegalStateException.class);
    assertThat(g.state()).isEqualTo(DEAD);
  }

  // ---------------------------------------------------------------- the moves

  @Test
  void joinSyncJoinSessionExpiryAndSyncTimeoutWalkTheStates() throws Exception {
    start(0);
    // The first member: Empty -> PreparingRebalance -> CompletingRebalance at once (all joined).
    JoinGroupResponseData a = f.await(f.joinNew(G, "a", SESSION_MS, REBALANCE_MS, RANGE));
    assertThat(a.generationId()).isEqualTo(1);
    assertThat(a.leader()).isEqualTo(a.memberId());
    assertThat(state()).isEqualTo(COMPLETING_REBALANCE);

    // The leader's assignment, once stored, makes it Stable.
    SyncGroupResponseData sa =
        f.await(f.sync(G, a.memberId(), null, 1, Map.of(a.memberId(), new byte[] {1})));
    assertThat(sa.assignment()).containsExactly(1);
    assertThat(state()).isEqualTo(STABLE);

    // A second member: PreparingRebalance until the first rejoins; its heartbeat says so.
    CompletableFuture<JoinGroupResponseData> bJoin =
        f.joinNew(G, "b", SESSION_MS, REBALANCE_MS, RANGE);
    clock.runDue();
    assertThat(bJoin).isNotDone();
    assertThat(state()).isEqualTo(PREPARING_REBALANCE);
    assertThat(f.heartbeat(G, a.memberId(), null, 1)).isEqualTo(Errors.REBALANCE_IN_PROGRESS);

    JoinGroupResponseData a2 = f.await(rejoin(a.memberId()));
    JoinGroupResponseData b = f.await(bJoin);
    assertThat(a2.generationId()).isEqualTo(2);
    assertThat(b.generationId()).isEqualTo(2);
    assertThat(a2.members()).hasSize(2);
    assertThat(state()).isEqualTo(COMPLETING_REBALANCE);
    CompletableFuture<SyncGroupResponseData> sb = f.sync(G, b.memberId(), null, 2, Map.of());
    f.await(
        f.sync(
            G,
            a.memberId(),
            null,
            2,
            Map.of(a.memberId(), new byte[] {1}, b.memberId(), new byte[] {2})));
    assertThat(f.await(sb).assignment()).containsExactly(2);
    assertThat(state()).isEqualTo(STABLE);

    // b goes silent; a heartbeats. One ms before b's session ends nothing happens...
    clock.advance(SESSION_MS / 2);
    assertThat(f.heartbeat(G, a.memberId(), null, 2)).isEqualTo(Errors.NONE);
    clock.advance(SESSION_MS / 2 - 1);
    assertThat(state()).isEqualTo(STABLE);
    // ...at its end b is removed and the group rebalances.
    clock.advance(1);
    assertThat(state()).isEqualTo(PREPARING_REBALANCE);
    assertThat(f.heartbeat(G, b.memberId(), null, 2)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);

    JoinGroupResponseData a3 = f.await(rejoin(a.memberId()));
    assertThat(a3.generationId()).isEqualTo(3);
    assertThat(a3.members())
        .extracting(JoinGroupResponseData.JoinGroupResponseMember::memberId)
        .containsExactly(a.memberId());
    assertThat(state()).isEqualTo(COMPLETING_REBALANCE);

    // a heartbeats but never sends SyncGroup: after the rebalance timeout it is dropped and the
    // group is Empty.
    for (int i = 0; i < 3; i++) {
      clock.advance(5_000);
      assertThat(f.heartbeat(G, a.memberId(), null, 3)).isEqualTo(Errors.NONE);
    }
    clock.advance(REBALANCE_MS - 15_000 - 1);
    assertThat(state()).isEqualTo(COMPLETING_REBALANCE);
    clock.advance(1);
    assertThat(state()).isEqualTo(EMPTY);
    assertThat(f.coordinator.describeGroup(G).members()).isEmpty();
  }

  @Test
  void initialDelayHoldsTheFirstRebalanceWhileMembersKeepArriving() throws Exception {
    start(3_000);
    CompletableFuture<JoinGroupResponseData> aJoin =
        f.joinNew(G, "a", SESSION_MS, REBALANCE_MS, RANGE);
    clock.advance(2_999);
    assertThat(aJoin).isNotDone();
    assertThat(state()).isEqualTo(PREPARING_REBALANCE);

    // b arrives within the delay: the delay starts again for up to the rebalance timeout.
    CompletableFuture<JoinGroupResponseData> bJoin =
        f.joinNew(G, "b", SESSION_MS, REBALANCE_MS, RANGE);
    clock.advance(1);
    assertThat(aJoin).isNotDone();
    clock.advance(2_999);
    assertThat(aJoin).isNotDone();
    clock.advance(1);
    assertThat(aJoin).isDone();
    assertThat(bJoin).isDone();
    assertThat(aJoin.get().generationId()).isEqualTo(1);
    assertThat(aJoin.get().members()).hasSize(2);
    assertThat(state()).isEqualTo(COMPLETING_REBALANCE);
    assertThat(f.coordinator.describeGroup(G).members())
        .extracting(DescribedGroupMember::clientId)
        .containsExactlyInAnyOrder("a", "b");
  }

  @Test
  void lastMemberLeavingEmptiesTheGroupThroughPreparingRebalance() throws Exception {
    start(0);
    JoinGroupResponseData a = f.await(f.joinNew(G, "a", SESSION_MS, REBALANCE_MS, RANGE));
    f.await(f.sync(G, a.memberId(), null, 1, Map.of(a.memberId(), new byte[] {1})));
    assertThat(state()).isEqualTo(STABLE);

    f.coordinator.leaveGroup(
        G,
        java.util.List.of(
            new org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity()
                .setMemberId(a.memberId())));
    clock.runDue();
    assertThat(state()).isEqualTo(EMPTY);
    // The next join starts generation 3: the empty group was generation 2.
    JoinGroupResponseData again = f.await(f.joinNew(G, "a", SESSION_MS, REBALANCE_MS, RANGE));
    assertThat(again.generationId()).isEqualTo(3);
  }
}
