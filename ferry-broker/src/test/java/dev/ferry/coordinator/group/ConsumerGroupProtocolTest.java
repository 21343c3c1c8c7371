package dev.ferry.coordinator.group;

import static dev.ferry.coordinator.group.CoordinatorFixture.protocols;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.runtime.ManualClock;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData.TopicPartitions;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The consumer group protocol (KIP-848) against the coordinator alone: no sockets, a clock the test
 * moves. Epochs, incremental reconciliation, timeouts, bad input and epoch-checked commits.
 */
class ConsumerGroupProtocolTest {

  private static final String G = "kip848";
  private static final Uuid ORDERS = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");
  private static final int SESSION_MS = 10_000;
  private static final int REBALANCE_MS = 30_000;

  @TempDir Path dir;
  private final ManualClock clock = new ManualClock(1_000_000);
  private final Map<String, SubscribableTopics.Topic> topics = new HashMap<>();
  private CoordinatorFixture f;

  @BeforeEach
  void start() throws Exception {
    topics.put("orders", new SubscribableTopics.Topic(ORDERS, 12));
    f =
        CoordinatorFixture.startManual(
            dir, new GroupCoordinatorConfig(10, 600_000, 0, 100, 1, 600_000, 600_000, 4096), clock);
    f.setup = c -> c.enableConsumerGroups(config(Integer.MAX_VALUE), () -> Map.copyOf(topics));
    f.restart();
  }

  @AfterEach
  void stop() {
    f.close();
  }

  private static ConsumerGroupConfig config(int maxSize) {
    return new ConsumerGroupConfig(
        SESSION_MS,
        1_000,
        1_000,
        60_000,
        500,
        15_000,
        maxSize,
        List.of("uniform", "range"),
        ConsumerGroupMigrationPolicy.BIDIRECTIONAL);
  }

  // ---------------------------------------------------------------- protocol helpers

  private ConsumerGroupHeartbeatResponseData send(ConsumerGroupHeartbeatRequestData req) {
    try {
      return f.await(
          f.coordinator.consumerGroupHeartbeat(CoordinatorFixture.ctx("c", (short) 1), req));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private ConsumerGroupHeartbeatResponseData join(String memberId) {
    return send(
        new ConsumerGroupHeartbeatRequestData()
            .setGroupId(G)
            .setMemberId(memberId)
            .setMemberEpoch(0)
            .setRebalanceTimeoutMs(REBALANCE_MS)
            .setSubscribedTopicNames(List.of("orders"))
            .setTopicPartitions(List.of()));
  }

  private ConsumerGroupHeartbeatResponseData beat(String memberId, int epoch, Set<Integer> owned) {
    return send(
        new ConsumerGroupHeartbeatRequestData()
            .setGroupId(G)
            .setMemberId(memberId)
            .setMemberEpoch(epoch)
            .setTopicPartitions(owned == null ? null : List.of(owned(owned))));
  }

  private static TopicPartitions owned(Set<Integer> partitions) {
    return new TopicPartitions().setTopicId(ORDERS).setPartitions(new ArrayList<>(partitions));
  }

  private static Set<Integer> assigned(ConsumerGroupHeartbeatResponseData r) {
    assertThat(r.assignment()).as("assignment in the response").isNotNull();
    Set<Integer> out = new TreeSet<>();
    for (var tp : r.assignment().topicPartitions()) {
      assertThat(tp.topicId()).isEqualTo(ORDERS);
      out.addAll(tp.partitions());
    }
    return out;
  }

  private static Errors error(ConsumerGroupHeartbeatResponseData r) {
    return Errors.forCode(r.errorCode());
  }

  private ConsumerGroupDescribeResponseData.DescribedGroup describe() {
    return f.coordinator.consumerGroupDescribe(G);
  }

  // ---------------------------------------------------------------- reconciliation

  @Test
  void aPartitionMovesOnlyAfterItsOwnerRevokedIt() {
    ConsumerGroupHeartbeatResponseData a = join("a");
    assertThat(error(a)).isEqualTo(Errors.NONE);
    assertThat(a.memberEpoch()).isEqualTo(1);
    assertThat(a.heartbeatIntervalMs()).isEqualTo(1_000);
    Set<Integer> all = assigned(a);
    assertThat(all).hasSize(12);
    assertThat(describe().groupState()).isEqualTo("Stable");

    // b joins: epoch 2, but everything is still a's, so b gets nothing yet.
    ConsumerGroupHeartbeatResponseData b = join("b");
    assertThat(b.memberEpoch()).isEqualTo(2);
    assertThat(assigned(b)).isEmpty();
    assertThat(describe().groupEpoch()).isEqualTo(2);
    assertThat(describe().groupState()).isEqualTo("Reconciling");

    // a learns it must give up half: it keeps its epoch until it has.
    ConsumerGroupHeartbeatResponseData a2 = beat("a", 1, all);
    assertThat(a2.memberEpoch()).isEqualTo(1);
    Set<Integer> kept = assigned(a2);
    assertThat(kept).hasSize(6);
    Set<Integer> moving = new TreeSet<>(all);
    moving.removeAll(kept);

    // b asks again before a revoked: still nothing.
    ConsumerGroupHeartbeatResponseData b2 = beat("b", 2, Set.of());
    assertThat(b2.memberEpoch()).isEqualTo(2);
    assertThat(b2.assignment()).isNull(); // unchanged, so not repeated

    // a reports the revocation: it moves to epoch 2; then b gets the six.
    ConsumerGroupHeartbeatResponseData a3 = beat("a", 1, kept);
    assertThat(a3.memberEpoch()).isEqualTo(2);
    ConsumerGroupHeartbeatResponseData b3 = beat("b", 2, Set.of());
    assertThat(assigned(b3)).isEqualTo(moving);
    assertThat(beat("b", 2, moving).memberEpoch()).isEqualTo(2);
    assertThat(describe().groupState()).isEqualTo("Stable");
    assertThat(describe().assignmentEpoch()).isEqualTo(2);
    assertThat(describe().assignorName()).isEqualTo("uniform");
  }

  @Test
  void aMemberThatDoesNotRevokeWithinItsRebalanceTimeoutIsRemoved() {
    Set<Integer> all = assigned(join("a"));
    join("b");
    assertThat(assigned(beat("a", 1, all))).hasSize(6);
    // a never reports the revocation (but keeps heartbeating without saying what it owns).
    for (int i = 0; i < 3; i++) {
      clock.advance(9_000);
      assertThat(error(beat("a", 1, null))).isEqualTo(Errors.NONE);
      assertThat(beat("b", 2, Set.of()).memberEpoch()).isEqualTo(2);
    }
    clock.advance(REBALANCE_MS - 27_000);
    assertThat(error(beat("a", 1, all))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    ConsumerGroupHeartbeatResponseData b = beat("b", 2, Set.of());
    assertThat(b.memberEpoch()).isEqualTo(3);
    assertThat(assigned(b)).hasSize(12);
  }

  @Test
  void aSilentMemberIsRemovedAfterItsSessionTimeout() {
    Set<Integer> all = assigned(join("a"));
    join("b");
    Set<Integer> kept = assigned(beat("a", 1, all));
    beat("a", 1, kept);
    Set<Integer> bs = assigned(beat("b", 2, Set.of()));
    // a keeps heartbeating, b goes silent.
    clock.advance(SESSION_MS / 2);
    beat("a", 2, kept);
    clock.advance(SESSION_MS / 2 - 1);
    assertThat(describe().members()).hasSize(2);
    clock.advance(1);
    assertThat(describe().members())
        .extracting(ConsumerGroupDescribeResponseData.Member::memberId)
        .containsExactly("a");
    ConsumerGroupHeartbeatResponseData a = beat("a", 2, kept);
    assertThat(a.memberEpoch()).isEqualTo(3);
    assertThat(assigned(a)).hasSize(12).containsAll(bs);
  }

  @Test
  void leavingBumpsTheGroupEpoch() {
    join("a");
    join("b");
    ConsumerGroupHeartbeatResponseData left =
        send(
            new ConsumerGroupHeartbeatRequestData()
                .setGroupId(G)
                .setMemberId("b")
                .setMemberEpoch(ConsumerGroupMember.LEAVE_EPOCH));
    assertThat(error(left)).isEqualTo(Errors.NONE);
    assertThat(left.memberEpoch()).isEqualTo(-1);
    assertThat(describe().groupEpoch()).isEqualTo(3);
    assertThat(describe().members()).hasSize(1);
  }

  @Test
  void aNewCoordinatorResumesTheGroupFromItsRecords() throws Exception {
    Set<Integer> all = assigned(join("a"));
    join("b");
    Set<Integer> kept = assigned(beat("a", 1, all));
    beat("a", 1, kept);
    Set<Integer> bs = assigned(beat("b", 2, Set.of()));
    var before = describe();

    f.restart(); // a new coordinator replays __consumer_offsets-0

    var after = describe();
    assertThat(after.groupEpoch()).isEqualTo(before.groupEpoch());
    assertThat(after.assignmentEpoch()).isEqualTo(before.assignmentEpoch());
    assertThat(after.members()).isEqualTo(before.members());
    ConsumerGroupHeartbeatResponseData a = beat("a", 2, kept);
    assertThat(error(a)).isEqualTo(Errors.NONE);
    assertThat(a.memberEpoch()).isEqualTo(2);
    assertThat(beat("b", 2, bs).memberEpoch()).isEqualTo(2);
    // Members that never come back expire on the new coordinator too.
    clock.advance(SESSION_MS / 2);
    beat("a", 2, kept);
    clock.advance(SESSION_MS / 2 + 1);
    beat("a", 2, kept);
    clock.advance(SESSION_MS / 2);
    assertThat(describe().members())
        .extracting(ConsumerGroupDescribeResponseData.Member::memberId)
        .containsExactly("a");
  }

  @Test
  void aRestartedStaticMemberTakesBackItsAssignmentWithoutARebalance() {
    ConsumerGroupHeartbeatResponseData first =
        send(join("first-incarnation", r -> r.setInstanceId("host-1")));
    Set<Integer> all = assigned(first);
    beat("first-incarnation", 1, all);
    join("b");
    Set<Integer> kept = assigned(beat("first-incarnation", 1, all));
    beat("first-incarnation", 1, kept);
    beat("b", 2, Set.of());
    int epoch = describe().groupEpoch();

    // While the instance is still live, another process cannot take its id.
    assertThat(error(send(join("impostor", r -> r.setInstanceId("host-1")))))
        .isEqualTo(Errors.UNRELEASED_INSTANCE_ID);

    // A static member that leaves with epoch -2 keeps its partitions for its restart...
    ConsumerGroupHeartbeatResponseData left =
        send(
            new ConsumerGroupHeartbeatRequestData()
                .setGroupId(G)
                .setMemberId("first-incarnation")
                .setInstanceId("host-1")
                .setMemberEpoch(ConsumerGroupMember.STATIC_LEAVE_EPOCH));
    assertThat(left.memberEpoch()).isEqualTo(-2);
    // ...which rejoins with a new member id and gets them back, the group epoch unchanged.
    ConsumerGroupHeartbeatResponseData second =
        send(join("second-incarnation", r -> r.setInstanceId("host-1")));
    assertThat(error(second)).isEqualTo(Errors.NONE);
    assertThat(second.memberEpoch()).isEqualTo(2);
    assertThat(assigned(second)).isEqualTo(kept);
    assertThat(describe().groupEpoch()).isEqualTo(epoch);
    assertThat(describe().members())
        .extracting(ConsumerGroupDescribeResponseData.Member::memberId)
        .containsExactlyInAnyOrder("second-incarnation", "b");
    assertThat(error(beat("first-incarnation", 2, kept))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
  }

  // ---------------------------------------------------------------- bad input

  @Test
  void badHeartbeatsGetKafkasErrorsAndLeaveTheGroupAlone() {
    join("a");
    int epoch = describe().groupEpoch();

    assertThat(error(beat("a", 7, Set.of()))).isEqualTo(Errors.FENCED_MEMBER_EPOCH);
    assertThat(error(beat("nobody", 1, Set.of()))).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    assertThat(
            error(
                send(
                    new ConsumerGroupHeartbeatRequestData()
                        .setGroupId("other-group")
                        .setMemberId("a")
                        .setMemberEpoch(1)
                        .setTopicPartitions(List.of()))))
        .isEqualTo(Errors.GROUP_ID_NOT_FOUND);
    assertThat(
            error(
                send(
                    new ConsumerGroupHeartbeatRequestData()
                        .setGroupId(G)
                        .setMemberId("c")
                        .setMemberEpoch(0)
                        .setSubscribedTopicNames(List.of("orders"))
                        .setTopicPartitions(List.of()))))
        .as("no rebalance timeout on join")
        .isEqualTo(Errors.INVALID_REQUEST);
    assertThat(error(send(join("c", r -> r.setServerAssignor("sticky")))))
        .isEqualTo(Errors.UNSUPPORTED_ASSIGNOR);
    assertThat(error(send(join("c", r -> r.setSubscribedTopicRegex("orders[")))))
        .isEqualTo(Errors.INVALID_REGULAR_EXPRESSION);
    assertThat(error(send(join("c", r -> r.setSubscribedTopicRegex("(?=ord)orders")))))
        .as("RE2J syntax as in Kafka: look-ahead is java.util.regex only")
        .isEqualTo(Errors.INVALID_REGULAR_EXPRESSION);
    assertThat(error(send(join("c", r -> r.setSubscribedTopicRegex("(o)\\1rders")))))
        .as("no back-references in RE2J")
        .isEqualTo(Errors.INVALID_REGULAR_EXPRESSION);
    assertThat(error(send(join("c", r -> r.setMemberEpoch(-3))))).isEqualTo(Errors.INVALID_REQUEST);
    assertThat(error(send(join("", r -> r))))
        .as("v1 needs a member id")
        .isEqualTo(Errors.INVALID_REQUEST);

    assertThat(describe().groupEpoch()).isEqualTo(epoch);
    assertThat(describe().members())
        .extracting(ConsumerGroupDescribeResponseData.Member::memberId)
        .containsExactly("a");
  }

  private interface Tweak {
    ConsumerGroupHeartbeatRequestData apply(ConsumerGroupHeartbeatRequestData r);
  }

  private static ConsumerGroupHeartbeatRequestData join(String memberId, Tweak tweak) {
    return tweak.apply(
        new ConsumerGroupHeartbeatRequestData()
            .setGroupId(G)
            .setMemberId(memberId)
            .setMemberEpoch(0)
            .setRebalanceTimeoutMs(REBALANCE_MS)
            .setSubscribedTopicNames(List.of("orders"))
            .setTopicPartitions(List.of()));
  }

  @Test
  void aFullGroupRefusesNewMembers() throws Exception {
    f.setup = c -> c.enableConsumerGroups(config(1), () -> Map.copyOf(topics));
    f.restart();
    assertThat(error(join("a"))).isEqualTo(Errors.NONE);
    assertThat(error(join("b"))).isEqualTo(Errors.GROUP_MAX_SIZE_REACHED);
  }

  @Test
  void groupsOfOtherProtocolTypesDoNotMixWithConsumerGroups() throws Exception {
    // A classic group of another embedded protocol (Connect workers) cannot be upgraded ...
    var connect =
        CoordinatorFixture.joinRequest(
                G + "-connect", "", null, 10_000, 10_000, protocols("default", new byte[] {0, 1}))
            .setProtocolType("connect");
    var first = f.await(f.coordinator.joinGroup(CoordinatorFixture.ctx("w", (short) 9), connect));
    f.await(
        f.coordinator.joinGroup(
            CoordinatorFixture.ctx("w", (short) 9), connect.setMemberId(first.memberId())));
    ConsumerGroupHeartbeatResponseData r = send(join("x", req -> req.setGroupId(G + "-connect")));
    assertThat(error(r)).isEqualTo(Errors.GROUP_ID_NOT_FOUND);

    // ... and such a member cannot join a consumer-protocol group.
    join("a");
    var classicJoin =
        f.await(
            f.coordinator.joinGroup(
                CoordinatorFixture.ctx("w", (short) 9),
                CoordinatorFixture.joinRequest(
                        G, "", null, 10_000, 10_000, protocols("default", new byte[] {0, 1}))
                    .setProtocolType("connect")));
    assertThat(Errors.forCode(classicJoin.errorCode()))
        .isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
    assertThat(describe().members()).hasSize(1);
  }

  // ---------------------------------------------------------------- offsets

  @Test
  void commitsAndFetchesAreCheckedAgainstTheMemberEpoch() throws Exception {
    Set<Integer> all = assigned(join("a"));
    beat("a", 1, all);
    TopicPartition p0 = new TopicPartition("orders", 0);
    var offset = CoordinatorFixture.offset(42, 0, "");

    assertThat(f.commit(G, "a", 1, Map.of(p0, offset))).containsEntry(p0, Errors.NONE);
    assertThat(f.commit(G, "a", 0, Map.of(p0, offset)))
        .containsEntry(p0, Errors.STALE_MEMBER_EPOCH);
    assertThat(f.commit(G, "zombie", 1, Map.of(p0, offset)))
        .containsEntry(p0, Errors.UNKNOWN_MEMBER_ID);
    assertThat(f.commit(G, "", -1, Map.of(p0, offset)))
        .as("an admin commit while members are active")
        .containsEntry(p0, Errors.UNKNOWN_MEMBER_ID);

    assertThat(f.coordinator.fetchOffsets(G, "a", 1, List.of(p0)).offsets().get(p0).offset())
        .isEqualTo(42);
    assertThat(f.coordinator.fetchOffsets(G, "a", 0, List.of(p0)).error())
        .isEqualTo(Errors.STALE_MEMBER_EPOCH);
    assertThat(f.coordinator.fetchOffsets(G, null, -1, List.of(p0)).offsets().get(p0).offset())
        .isEqualTo(42);

    assertThat(f.coordinator.listGroups(Set.of(), Set.of("consumer")).groups())
        .singleElement()
        .satisfies(
            g -> {
              assertThat(g.groupId()).isEqualTo(G);
              assertThat(g.type()).isEqualTo("consumer");
              assertThat(g.state()).isEqualTo("Stable");
            });
    assertThat(f.coordinator.listGroups(Set.of(), Set.of("classic")).groups()).isEmpty();
  }
}
