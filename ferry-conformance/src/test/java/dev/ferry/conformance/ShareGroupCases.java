package dev.ferry.conformance;

import static dev.ferry.conformance.ConsumerGroupCases.group;
import static dev.ferry.conformance.Fixture.TOPIC;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.ShareAcknowledgeRequestData;
import org.apache.kafka.common.message.ShareFetchRequestData;
import org.apache.kafka.common.message.ShareGroupDescribeRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ShareGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * KIP-932 share groups: a member joins, is fenced at a wrong epoch and leaves; unknown members,
 * missing subscriptions, empty ids; ShareGroupDescribe of an unknown group; share sessions (a fetch
 * at an epoch with no session, an acknowledgement that would open one, the session opened, moved on
 * and closed with its final acknowledgement). Member ids are chosen by the client, the same on both
 * sides.
 */
final class ShareGroupCases {

  private ShareGroupCases() {}

  static List<Case> all() {
    List<Case> c = new ArrayList<>();
    c.add(
        Case.of(
            ApiKeys.SHARE_GROUP_HEARTBEAT,
            "join-fenced-leave",
            join("sh").uncompared(),
            heartbeat("sh", 5),
            leave("sh")));
    c.add(
        Case.of(
            ApiKeys.SHARE_GROUP_HEARTBEAT,
            "unknown-member",
            Exchange.of(
                ApiKeys.SHARE_GROUP_HEARTBEAT,
                (s, v) ->
                    new ShareGroupHeartbeatRequestData()
                        .setGroupId(group("shm", s, v))
                        .setMemberId(member("shm", s, v))
                        .setMemberEpoch(3))));
    c.add(
        Case.of(
            ApiKeys.SHARE_GROUP_HEARTBEAT,
            "join-without-subscription",
            Exchange.of(
                ApiKeys.SHARE_GROUP_HEARTBEAT,
                (s, v) ->
                    new ShareGroupHeartbeatRequestData()
                        .setGroupId(group("shs", s, v))
                        .setMemberId(member("shs", s, v))
                        .setMemberEpoch(0))));
    c.add(
        Case.of(
            ApiKeys.SHARE_GROUP_HEARTBEAT,
            "empty-group-id",
            Exchange.of(
                ApiKeys.SHARE_GROUP_HEARTBEAT,
                (s, v) ->
                    new ShareGroupHeartbeatRequestData()
                        .setGroupId("")
                        .setMemberId(member("she", s, v))
                        .setMemberEpoch(0)
                        .setSubscribedTopicNames(List.of(TOPIC)))));
    c.add(
        Case.of(
            ApiKeys.SHARE_GROUP_DESCRIBE,
            "unknown-group",
            Exchange.of(
                ApiKeys.SHARE_GROUP_DESCRIBE,
                (s, v) ->
                    new ShareGroupDescribeRequestData()
                        .setGroupIds(List.of("conf-no-such-share-group"))
                        .setIncludeAuthorizedOperations(true))));
    c.add(
        Case.of(
            ApiKeys.SHARE_FETCH,
            "no-session",
            Exchange.of(
                ApiKeys.SHARE_FETCH,
                (s, v) -> fetch(group("sfn", s, v), member("sfn", s, v), 4, s.topicId(TOPIC)))));
    c.add(
        Case.of(
            ApiKeys.SHARE_ACKNOWLEDGE,
            "no-session",
            Exchange.of(
                ApiKeys.SHARE_ACKNOWLEDGE,
                (s, v) ->
                    new ShareAcknowledgeRequestData()
                        .setGroupId(group("san", s, v))
                        .setMemberId(member("san", s, v))
                        .setShareSessionEpoch(3))));
    c.add(
        Case.of(
            ApiKeys.SHARE_ACKNOWLEDGE,
            "initial-epoch",
            Exchange.of(
                ApiKeys.SHARE_ACKNOWLEDGE,
                (s, v) ->
                    new ShareAcknowledgeRequestData()
                        .setGroupId(group("sai", s, v))
                        .setMemberId(member("sai", s, v))
                        .setShareSessionEpoch(0))));
    return c;
  }

  /**
   * A member id chosen by the client, the same on both sides: share groups take only UUIDs (Kafka
   * answers INVALID_REQUEST to anything else in ShareFetch).
   */
  static String member(String prefix, SideContext s, short v) {
    int n = (prefix + s.recall(Conformance.CASE_VERSION, v)).hashCode();
    return new org.apache.kafka.common.Uuid(0x5ea4e0000000L, n & 0xffffffffL).toString();
  }

  private static ShareFetchRequestData fetch(
      String group, String member, int epoch, org.apache.kafka.common.Uuid topicId) {
    ShareFetchRequestData d =
        new ShareFetchRequestData()
            .setGroupId(group)
            .setMemberId(member)
            .setShareSessionEpoch(epoch)
            .setMaxWaitMs(0)
            .setMinBytes(1)
            .setMaxBytes(1 << 20)
            .setMaxRecords(100)
            .setBatchSize(100);
    ShareFetchRequestData.FetchTopic t = new ShareFetchRequestData.FetchTopic().setTopicId(topicId);
    t.partitions().add(new ShareFetchRequestData.FetchPartition().setPartitionIndex(0));
    d.topics().add(t);
    return d;
  }

  static Exchange join(String prefix) {
    return Exchange.of(
            ApiKeys.SHARE_GROUP_HEARTBEAT,
            (s, v) ->
                new ShareGroupHeartbeatRequestData()
                    .setGroupId(group(prefix, s, v))
                    .setMemberId(member(prefix, s, v))
                    .setMemberEpoch(0)
                    .setSubscribedTopicNames(List.of(TOPIC)))
        .then(
            (s, r) -> {
              ShareGroupHeartbeatResponseData d = (ShareGroupHeartbeatResponseData) r.data();
              if (d.errorCode() == Errors.NONE.code()) {
                s.remember("share-epoch:" + group(prefix, s, (short) -1), d.memberEpoch());
              }
            });
  }

  /** A heartbeat at the member's epoch plus {@code epochOffset}. */
  private static Exchange heartbeat(String prefix, int epochOffset) {
    return Exchange.of(
        ApiKeys.SHARE_GROUP_HEARTBEAT,
        (s, v) -> {
          String g = group(prefix, s, v);
          return new ShareGroupHeartbeatRequestData()
              .setGroupId(g)
              .setMemberId(member(prefix, s, v))
              .setMemberEpoch(s.recall("share-epoch:" + g, 0) + epochOffset);
        });
  }

  static Exchange leave(String prefix) {
    return Exchange.of(
        ApiKeys.SHARE_GROUP_HEARTBEAT,
        (s, v) ->
            new ShareGroupHeartbeatRequestData()
                .setGroupId(group(prefix, s, v))
                .setMemberId(member(prefix, s, v))
                .setMemberEpoch(-1));
  }
}
