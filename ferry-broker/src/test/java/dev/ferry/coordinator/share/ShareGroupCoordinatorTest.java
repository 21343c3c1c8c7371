package dev.ferry.coordinator.share;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.runtime.ManualClock;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/**
 * Share-group membership on a manual clock: joins with every partition assigned, epochs, Kafka's
 * errors for bad heartbeats, session expiry, describe; snapshots that let another coordinator carry
 * on with the same members and epochs.
 */
class ShareGroupCoordinatorTest {

  private static final Uuid ORDERS = Uuid.randomUuid();
  private final ManualClock clock = new ManualClock(0);
  private final Map<String, ShareGroupCoordinator.TopicInfo> topics =
      new java.util.HashMap<>(
          Map.of("orders", new ShareGroupCoordinator.TopicInfo("orders", ORDERS, 3)));
  private final ShareGroupCoordinator coordinator =
      new ShareGroupCoordinator(
          ShareGroupConfig.DEFAULTS,
          clock,
          clock,
          name -> Optional.ofNullable(topics.get(name)),
          group -> group.startsWith("elsewhere") ? Errors.NOT_COORDINATOR : Errors.NONE);

  private static final String M1 = Uuid.randomUuid().toString();
  private static final String M2 = Uuid.randomUuid().toString();

  private ShareGroupHeartbeatResponseData beat(String member, int epoch, List<String> topics) {
    return coordinator
        .heartbeat(
            "client",
            "/127.0.0.1",
            new ShareGroupHeartbeatRequestData()
                .setGroupId("g")
                .setMemberId(member)
                .setMemberEpoch(epoch)
                .setSubscribedTopicNames(topics))
        .join();
  }

  @Test
  void everyMemberGetsEveryPartitionAndEpochsMoveOn() {
    ShareGroupHeartbeatResponseData first = beat(M1, 0, List.of("orders"));
    assertThat(first.errorCode()).isZero();
    assertThat(first.memberEpoch()).isEqualTo(1);
    assertThat(first.heartbeatIntervalMs()).isEqualTo(5000);
    assertThat(first.assignment().topicPartitions().get(0).partitions()).containsExactly(0, 1, 2);
    ShareGroupHeartbeatResponseData second = beat(M2, 0, List.of("orders"));
    assertThat(second.memberEpoch()).isEqualTo(2);
    assertThat(second.assignment().topicPartitions().get(0).partitions()).containsExactly(0, 1, 2);
    // M1 catches up with the group epoch (same partitions); then nothing changes.
    ShareGroupHeartbeatResponseData again = beat(M1, 1, null);
    assertThat(again.memberEpoch()).isEqualTo(2);
    assertThat(beat(M1, 2, null).assignment()).isNull();
    // A new partition moves the group on.
    topics.put("orders", new ShareGroupCoordinator.TopicInfo("orders", ORDERS, 4));
    ShareGroupHeartbeatResponseData grown = beat(M1, 2, null);
    assertThat(grown.memberEpoch()).isEqualTo(3);
    assertThat(grown.assignment().topicPartitions().get(0).partitions())
        .containsExactly(0, 1, 2, 3);
  }

  @Test
  void badHeartbeatsGetKafkasErrors() {
    assertThat(beat(M1, 3, null).errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
    beat(M1, 0, List.of("orders"));
    assertThat(beat(M2, 1, null).errorCode()).isEqualTo(Errors.UNKNOWN_MEMBER_ID.code());
    assertThat(beat(M1, 7, null).errorCode()).isEqualTo(Errors.FENCED_MEMBER_EPOCH.code());
    assertThat(beat(M2, 0, List.of()).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
    assertThat(beat("not-a-uuid", 0, List.of("orders")).errorCode())
        .isEqualTo(Errors.INVALID_REQUEST.code());
    assertThat(beat(M1, -2, null).errorCode()).isEqualTo(Errors.INVALID_REQUEST.code());
    assertThat(
            coordinator
                .heartbeat(
                    "c",
                    "h",
                    new ShareGroupHeartbeatRequestData()
                        .setGroupId("elsewhere-g")
                        .setMemberId(M1)
                        .setMemberEpoch(0)
                        .setSubscribedTopicNames(List.of("orders")))
                .join()
                .errorCode())
        .isEqualTo(Errors.NOT_COORDINATOR.code());
    // The fenced member is unaffected for the others and can go on at its epoch.
    assertThat(beat(M1, 1, null).errorCode()).isZero();
  }

  @Test
  void aSilentMemberLeavesAfterTheSessionTimeoutAndALeaverAtOnce() {
    beat(M1, 0, List.of("orders"));
    beat(M2, 0, List.of("orders"));
    clock.advance(30_000);
    beat(M2, 2, null);
    clock.advance(15_000); // M1 silent for 45 s
    ShareGroupDescribeResponseData.DescribedGroup g = coordinator.describe("g");
    assertThat(g.members()).extracting(m -> m.memberId()).containsExactly(M2);
    assertThat(g.groupEpoch()).isEqualTo(3);
    assertThat(g.groupState()).isEqualTo("Stable");
    assertThat(g.assignorName()).isEqualTo("simple");
    assertThat(g.members().get(0).assignment().topicPartitions().get(0).topicName())
        .isEqualTo("orders");
    assertThat(beat(M2, -1, null).memberEpoch()).isEqualTo(-1);
    assertThat(coordinator.describe("g").groupState()).isEqualTo("Empty");
    assertThat(coordinator.describe("nope").errorCode())
        .isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
    assertThat(coordinator.list()).extracting(l -> l.type()).containsExactly("share");
  }

  /** Snapshots by group, as the offsets partition would keep them (the latest per key). */
  private static final class FakeStore implements ShareGroupStore {
    final Map<String, byte[]> latest = new ConcurrentHashMap<>();
    Errors next = Errors.NONE;

    @Override
    public int partitionFor(String groupId) {
      return groupId.length() % 2;
    }

    @Override
    public CompletableFuture<Errors> store(String groupId, byte[] snapshot) {
      if (next == Errors.NONE) {
        latest.put(groupId, snapshot);
      }
      return CompletableFuture.completedFuture(next);
    }
  }

  private ShareGroupCoordinator coordinatorOn(FakeStore store) {
    return new ShareGroupCoordinator(
        ShareGroupConfig.DEFAULTS,
        clock,
        clock,
        name -> Optional.ofNullable(topics.get(name)),
        group -> Errors.NONE,
        store);
  }

  private static ShareGroupHeartbeatResponseData beat(
      ShareGroupCoordinator on, String member, int epoch, List<String> topics) {
    return on.heartbeat(
            "client",
            "/127.0.0.1",
            new ShareGroupHeartbeatRequestData()
                .setGroupId("g")
                .setMemberId(member)
                .setMemberEpoch(epoch)
                .setSubscribedTopicNames(topics))
        .join();
  }

  @Test
  void aNewCoordinatorCarriesOnWithTheStoredMembersAndEpochs() {
    FakeStore store = new FakeStore();
    ShareGroupCoordinator first = coordinatorOn(store);
    beat(first, M1, 0, List.of("orders"));
    beat(first, M2, 0, List.of("orders"));
    assertThat(beat(first, M1, 1, null).memberEpoch()).isEqualTo(2); // catches up: stored too

    ShareGroupCoordinator next = coordinatorOn(store);
    next.restore(1, "g", ByteBuffer.wrap(store.latest.get("g")));
    ShareGroupDescribeResponseData.DescribedGroup g = next.describe("g");
    assertThat(g.groupEpoch()).isEqualTo(2);
    assertThat(g.members())
        .extracting(m -> m.memberId() + "@" + m.memberEpoch() + ":" + m.subscribedTopicNames())
        .containsExactly(M1 + "@2:[orders]", M2 + "@2:[orders]");
    assertThat(g.members().get(0).assignment().topicPartitions().get(0).partitions())
        .containsExactly(0, 1, 2);
    // Both go on at their epochs: no rejoin, and nothing changed, so no new epoch.
    assertThat(beat(next, M1, 2, null).errorCode()).isZero();
    ShareGroupHeartbeatResponseData m2 = beat(next, M2, 2, null);
    assertThat(m2.errorCode()).isZero();
    assertThat(m2.memberEpoch()).isEqualTo(2);
    // Sessions restarted at the restore: a member that stays silent expires, and that is stored.
    clock.advance(44_000);
    beat(next, M2, 2, null);
    clock.advance(2_000);
    assertThat(next.describe("g").members()).extracting(m -> m.memberId()).containsExactly(M2);
    ShareGroupCoordinator third = coordinatorOn(store);
    third.restore(1, "g", ByteBuffer.wrap(store.latest.get("g")));
    assertThat(third.describe("g").groupEpoch()).isEqualTo(3);
    assertThat(third.describe("g").members()).extracting(m -> m.memberId()).containsExactly(M2);
  }

  @Test
  void unloadDropsTheGroupsOfThatPartitionOnlyAndAFailedWriteIsAnswered() {
    FakeStore store = new FakeStore();
    ShareGroupCoordinator c = coordinatorOn(store);
    beat(c, M1, 0, List.of("orders"));
    c.unload(0); // "g" is in partition 1
    assertThat(c.describe("g").members()).hasSize(1);
    c.unload(1);
    assertThat(c.describe("g").errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
    assertThat(beat(c, M1, 1, null).errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
    // A join whose snapshot cannot be written gets the store's error, as Kafka answers a failed
    // append; the member rejoins.
    store.next = Errors.NOT_COORDINATOR;
    assertThat(beat(c, M2, 0, List.of("orders")).errorCode())
        .isEqualTo(Errors.NOT_COORDINATOR.code());
    store.next = Errors.NONE;
    assertThat(beat(c, M2, 0, List.of("orders")).errorCode()).isZero();
  }

  @Test
  void anUnreadableSnapshotIsSkipped() {
    ShareGroupCoordinator c = coordinatorOn(new FakeStore());
    c.restore(1, "g", ByteBuffer.wrap(new byte[] {0, 9, 0}));
    assertThat(c.describe("g").errorCode()).isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
  }
}
