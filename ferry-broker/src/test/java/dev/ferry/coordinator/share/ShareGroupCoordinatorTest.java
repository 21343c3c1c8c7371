package dev.ferry.coordinator.share;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.runtime.ManualClock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.junit.jupiter.api.Test;

/**
 * Share-group membership on a manual clock: joins with every partition assigned, epochs, Kafka's
 * errors for bad heartbeats, session expiry, describe.
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
    return coordinator.heartbeat(
        "client",
        "/127.0.0.1",
        new ShareGroupHeartbeatRequestData()
            .setGroupId("g")
            .setMemberId(member)
            .setMemberEpoch(epoch)
            .setSubscribedTopicNames(topics));
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
}
