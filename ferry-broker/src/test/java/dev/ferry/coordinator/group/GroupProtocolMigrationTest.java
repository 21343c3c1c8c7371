package dev.ferry.coordinator.group;

import static dev.ferry.coordinator.group.CoordinatorFixture.protocols;
import static dev.ferry.coordinator.group.CoordinatorFixture.subscription;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.runtime.ManualClock;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Online migration between the classic and the consumer protocol (KIP-848) against the coordinator
 * alone, on a clock the test moves: the upgrade when a consumer-protocol member joins a classic
 * group, classic members inside a consumer-protocol group, the downgrade when the last
 * consumer-protocol member leaves, {@code group.consumer.migration.policy}, and the offsets kept
 * across both.
 */
class GroupProtocolMigrationTest {

  private static final String G = "migrating";
  private static final Uuid ORDERS = Uuid.fromString("AAAAAAAAAAAAAAAAAAAAAQ");
  private static final int CLASSIC_SESSION_MS = 20_000;
  private static final TopicPartition P0 = new TopicPartition("orders", 0);

  @TempDir Path dir;
  private final ManualClock clock = new ManualClock(1_000_000);
  private final Map<String, SubscribableTopics.Topic> topics = new HashMap<>();
  private CoordinatorFixture f;

  @BeforeEach
  void start() throws Exception {
    topics.put("orders", new SubscribableTopics.Topic(ORDERS, 12));
    f = CoordinatorFixture.startManual(dir, CoordinatorFixture.config(0, 600_000), clock);
    useMigrationPolicy(ConsumerGroupMigrationPolicy.BIDIRECTIONAL);
  }

  private void useMigrationPolicy(ConsumerGroupMigrationPolicy policy) throws Exception {
    ConsumerGroupConfig config =
        new ConsumerGroupConfig(
                10_000,
                1_000,
                1_000,
                60_000,
                500,
                15_000,
                Integer.MAX_VALUE,
                List.of("uniform", "range"),
                ConsumerGroupMigrationPolicy.BIDIRECTIONAL)
            .withMigrationPolicy(policy);
    f.setup = c -> c.enableConsumerGroups(config, () -> Map.copyOf(topics));
    f.restart();
  }

  @AfterEach
  void stop() {
    f.close();
  }

  // ---------------------------------------------------------------- helpers

  /** A classic member "c" owning all twelve partitions at generation 1, offset 42 committed. */
  private String stableClassicGroup() throws Exception {
    JoinGroupResponseData j =
        f.await(f.joinNew(G, "c", CLASSIC_SESSION_MS, 30_000, classicProtocols()));
    assertThat(j.generationId()).isEqualTo(1);
    Set<Integer> all = new TreeSet<>();
    for (int p = 0; p < 12; p++) {
      all.add(p);
    }
    SyncGroupResponseData s =
        f.await(f.sync(G, j.memberId(), null, 1, Map.of(j.memberId(), assignment(all))));
    assertThat(Errors.forCode(s.errorCode())).isEqualTo(Errors.NONE);
    assertThat(f.commit(G, j.memberId(), 1, Map.of(P0, CoordinatorFixture.offset(42, 0, ""))))
        .containsEntry(P0, Errors.NONE);
    return j.memberId();
  }

  private static Map<String, byte[]> classicProtocols() {
    return protocols("range", subscription("orders"));
  }

  private static byte[] assignment(Set<Integer> partitions) {
    return ConsumerSubscriptions.assignment(Map.of("orders", partitions), (short) 1);
  }

  private static Set<Integer> partitionsOf(SyncGroupResponseData s) {
    return new TreeSet<>(
        ConsumerSubscriptions.parseAssignment(s.assignment()).getOrDefault("orders", List.of()));
  }

  private ConsumerGroupHeartbeatResponseData cgh(String memberId, int epoch, Set<Integer> owned) {
    return cgh(G, memberId, epoch, owned);
  }

  private ConsumerGroupHeartbeatResponseData cgh(
      String group, String memberId, int epoch, Set<Integer> owned) {
    ConsumerGroupHeartbeatRequestData req =
        new ConsumerGroupHeartbeatRequestData()
            .setGroupId(group)
            .setMemberId(memberId)
            .setMemberEpoch(epoch)
            .setTopicPartitions(
                owned == null
                    ? null
                    : owned.isEmpty()
                        ? List.of()
                        : List.of(
                            new ConsumerGroupHeartbeatRequestData.TopicPartitions()
                                .setTopicId(ORDERS)
                                .setPartitions(List.copyOf(owned))));
    if (epoch == 0) {
      req.setRebalanceTimeoutMs(30_000).setSubscribedTopicNames(List.of("orders"));
    }
    try {
      return f.await(
          f.coordinator.consumerGroupHeartbeat(CoordinatorFixture.ctx("a", (short) 1), req));
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private static Set<Integer> assigned(ConsumerGroupHeartbeatResponseData r) {
    Set<Integer> out = new TreeSet<>();
    if (r.assignment() != null) {
      r.assignment().topicPartitions().forEach(tp -> out.addAll(tp.partitions()));
    }
    return out;
  }

  private String typeOfGroup() {
    return f.coordinator.listGroups(Set.of(), Set.of()).groups().stream()
        .filter(g -> g.groupId().equals(G))
        .map(GroupListing::type)
        .findFirst()
        .orElse("none");
  }

  // ---------------------------------------------------------------- upgrade

  @Test
  void aConsumerProtocolMemberUpgradesAClassicGroupAndTheClassicMemberReconcilesByRejoining()
      throws Exception {
    String c = stableClassicGroup();

    ConsumerGroupHeartbeatResponseData a = cgh("a", 0, Set.of());
    assertThat(Errors.forCode(a.errorCode())).isEqualTo(Errors.NONE);
    assertThat(assigned(a)).as("everything is still owned by the classic member").isEmpty();
    assertThat(typeOfGroup()).isEqualTo("consumer");
    ConsumerGroupDescribeResponseData.DescribedGroup d = f.coordinator.consumerGroupDescribe(G);
    assertThat(d.groupEpoch()).as("classic generation 1, then a's join").isEqualTo(2);
    assertThat(d.members())
        .extracting(
            ConsumerGroupDescribeResponseData.Member::memberId,
            ConsumerGroupDescribeResponseData.Member::memberType)
        .containsExactlyInAnyOrder(
            org.assertj.core.groups.Tuple.tuple(c, (byte) 0),
            org.assertj.core.groups.Tuple.tuple("a", (byte) 1));

    // The classic member learns of the rebalance from its heartbeat, rejoins (an eager client owns
    // nothing by then) and syncs: it keeps six partitions, at generation = its new member epoch.
    assertThat(f.heartbeat(G, c, null, 1)).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
    JoinGroupResponseData rejoin =
        f.await(f.join(G, "c", c, null, CLASSIC_SESSION_MS, 30_000, classicProtocols()));
    assertThat(Errors.forCode(rejoin.errorCode())).isEqualTo(Errors.NONE);
    assertThat(rejoin.generationId()).isEqualTo(2);
    assertThat(rejoin.leader()).as("nobody assigns client-side").isEmpty();
    assertThat(rejoin.protocolName()).isEqualTo("range");
    SyncGroupResponseData s = f.await(f.sync(G, c, null, 2, Map.of()));
    Set<Integer> classicShare = partitionsOf(s);
    assertThat(classicShare).hasSize(6);
    assertThat(f.heartbeat(G, c, null, 2)).isEqualTo(Errors.NONE);
    assertThat(f.heartbeat(G, c, null, 1)).isEqualTo(Errors.ILLEGAL_GENERATION);

    // The released partitions go to the consumer-protocol member.
    ConsumerGroupHeartbeatResponseData a2 = cgh("a", 2, Set.of());
    assertThat(assigned(a2)).hasSize(6).doesNotContainAnyElementsOf(classicShare);

    // Offsets committed under the classic protocol are still there; a classic member commits
    // with its generation (ILLEGAL_GENERATION for a stale one, as Kafka).
    assertThat(f.coordinator.fetchOffsets(G, List.of(P0)).offsets().get(P0).offset()).isEqualTo(42);
    var o = CoordinatorFixture.offset(43, 0, "");
    assertThat(f.commit(G, c, 1, Map.of(P0, o))).containsEntry(P0, Errors.ILLEGAL_GENERATION);
    assertThat(f.commit(G, c, 2, Map.of(P0, o))).containsEntry(P0, Errors.NONE);
  }

  @Test
  void aClassicMemberInAConsumerGroupExpiresAfterItsOwnSessionTimeout() throws Exception {
    String c = stableClassicGroup();
    cgh("a", 0, Set.of());
    // "a" heartbeats within its own 10 s session; the classic member says nothing for 20 s.
    for (int i = 0; i < 3; i++) {
      clock.advance(5_000);
      cgh("a", 2, Set.of());
    }
    clock.advance(CLASSIC_SESSION_MS - 15_000 - 1);
    cgh("a", 2, Set.of());
    assertThat(f.coordinator.consumerGroupDescribe(G).members()).hasSize(2);
    clock.advance(1);
    assertThat(f.coordinator.consumerGroupDescribe(G).members())
        .extracting(ConsumerGroupDescribeResponseData.Member::memberId)
        .containsExactly("a");
    assertThat(f.heartbeat(G, c, null, 1)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
    assertThat(assigned(cgh("a", 2, Set.of()))).hasSize(12);
  }

  // ---------------------------------------------------------------- downgrade

  @Test
  void theGroupDowngradesWhenItsLastConsumerProtocolMemberLeaves() throws Exception {
    String c = stableClassicGroup();
    cgh("a", 0, Set.of());
    f.await(f.join(G, "c", c, null, CLASSIC_SESSION_MS, 30_000, classicProtocols()));
    f.await(f.sync(G, c, null, 2, Map.of()));
    ConsumerGroupHeartbeatResponseData a = cgh("a", 2, Set.of());

    ConsumerGroupHeartbeatResponseData left = cgh("a", -1, assigned(a));
    assertThat(Errors.forCode(left.errorCode())).isEqualTo(Errors.NONE);
    assertThat(typeOfGroup()).isEqualTo("classic");
    assertThat(f.coordinator.describeGroup(G).groupState()).isEqualTo("PreparingRebalance");

    // The classic member rejoins a classic rebalance, leads it and gets everything back.
    assertThat(f.heartbeat(G, c, null, 2)).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
    JoinGroupResponseData j =
        f.await(f.join(G, "c", c, null, CLASSIC_SESSION_MS, 30_000, classicProtocols()));
    assertThat(j.leader()).isEqualTo(c);
    assertThat(j.generationId()).as("the group epoch 2, then one rebalance").isEqualTo(3);
    assertThat(f.coordinator.fetchOffsets(G, List.of(P0)).offsets().get(P0).offset()).isEqualTo(42);
  }

  // ---------------------------------------------------------------- offset expiry

  @Test
  void aConsumerGroupsOffsetsExpireByItsOwnRuleNotByItsEmptyClassicEntry() throws Exception {
    // Retention 300 ms, checked every 200 ms.
    f.close();
    f =
        CoordinatorFixture.startManual(
            dir, new GroupCoordinatorConfig(10, 600_000, 0, 100, 1, 300, 200, 4096), clock);
    useMigrationPolicy(ConsumerGroupMigrationPolicy.BIDIRECTIONAL);
    f.coordinator.startup();
    TopicPartition old = new TopicPartition("retired-topic", 0);
    String c = stableClassicGroup(); // commits orders-0
    assertThat(f.commit(G, c, 1, Map.of(old, CoordinatorFixture.offset(7, 0, ""))))
        .containsEntry(old, Errors.NONE);
    cgh("a", 0, Set.of()); // upgrade: the classic entry is now Empty, the group lives on
    // An empty consumer-protocol group of its own, with one commit.
    ConsumerGroupHeartbeatResponseData x = cgh("solo", "x", 0, Set.of());
    assertThat(
            f.commit("solo", "x", x.memberEpoch(), Map.of(P0, CoordinatorFixture.offset(3, 0, ""))))
        .containsEntry(P0, Errors.NONE);
    cgh("solo", "x", -1, Set.of());

    for (int i = 0; i < 2; i++) {
      clock.advance(200);
      cgh("a", 2, Set.of());
      f.heartbeat(G, c, null, 1);
    }
    // 400 ms on: the live group keeps the offset of the topic it subscribes to, although its
    // classic entry has been Empty for longer than the retention; the other one expired.
    assertThat(f.coordinator.fetchOffsets(G, null).offsets()).containsOnlyKeys(P0);
    // The empty consumer group lost its offsets and is gone.
    assertThat(f.coordinator.fetchOffsets("solo", null).offsets()).isEmpty();
    assertThat(f.coordinator.listGroups(Set.of(), Set.of()).groups())
        .extracting(GroupListing::groupId)
        .containsExactly(G);
    f.restart();
    assertThat(f.coordinator.fetchOffsets(G, null).offsets()).containsOnlyKeys(P0);
    assertThat(f.coordinator.listGroups(Set.of(), Set.of()).groups())
        .extracting(GroupListing::groupId)
        .containsExactly(G);
  }

  // ---------------------------------------------------------------- policy

  @Test
  void withMigrationDisabledAConsumerProtocolMemberCannotJoinALiveClassicGroup() throws Exception {
    useMigrationPolicy(ConsumerGroupMigrationPolicy.DISABLED);
    stableClassicGroup();
    ConsumerGroupHeartbeatResponseData a = cgh("a", 0, Set.of());
    assertThat(Errors.forCode(a.errorCode())).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
    assertThat(typeOfGroup()).isEqualTo("classic");
    assertThat(f.coordinator.describeGroup(G).groupState()).isEqualTo("Stable");
  }

  @Test
  void withUpgradeOnlyTheGroupStaysAConsumerGroupWhenTheLastConsumerMemberLeaves()
      throws Exception {
    useMigrationPolicy(ConsumerGroupMigrationPolicy.UPGRADE);
    String c = stableClassicGroup();
    cgh("a", 0, Set.of());
    cgh("a", -1, Set.of());
    assertThat(typeOfGroup()).isEqualTo("consumer");
    assertThat(f.coordinator.consumerGroupDescribe(G).members())
        .extracting(ConsumerGroupDescribeResponseData.Member::memberId)
        .containsExactly(c);
  }

  @Test
  void policyValuesParseAsKafkaSpellsThem() {
    assertThat(ConsumerGroupMigrationPolicy.parse("Bidirectional"))
        .isEqualTo(ConsumerGroupMigrationPolicy.BIDIRECTIONAL);
    assertThat(ConsumerGroupMigrationPolicy.parse("downgrade"))
        .isEqualTo(ConsumerGroupMigrationPolicy.DOWNGRADE);
    assertThat(ConsumerGroupConfig.defaults().migrationPolicy()).hasToString("bidirectional");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> ConsumerGroupMigrationPolicy.parse("sideways"))
        .isInstanceOf(org.apache.kafka.common.config.ConfigException.class);
  }
}
