package dev.ferry.conformance;

import static dev.ferry.conformance.Fixture.TOPIC;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.ConsumerGroupDescribeRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * KIP-848 consumer groups: a member joins (epoch 0), heartbeats at its epoch, is fenced at a wrong
 * one, leaves (epoch -1); unknown members, missing subscriptions; ConsumerGroupDescribe of a live
 * group, an unknown group and a classic group. Member ids are chosen by the client (required from
 * v1, accepted at v0), the same on both sides, so they are compared as they are.
 */
final class ConsumerGroupCases {

  private ConsumerGroupCases() {}

  static List<Case> all() {
    List<Case> c = new ArrayList<>();
    c.add(
        Case.of(
            ApiKeys.CONSUMER_GROUP_HEARTBEAT,
            "join-heartbeat-fenced-leave",
            join("ch", TOPIC),
            heartbeat("ch", 0),
            heartbeat("ch", 5),
            leave("ch")));
    c.add(
        Case.of(
            ApiKeys.CONSUMER_GROUP_HEARTBEAT,
            "subscribe-unknown-topic",
            join("chu", "conf-no-such-topic"),
            leave("chu").uncompared()));
    c.add(
        Case.of(
            ApiKeys.CONSUMER_GROUP_HEARTBEAT,
            "unknown-member",
            Exchange.of(
                ApiKeys.CONSUMER_GROUP_HEARTBEAT,
                (s, v) ->
                    new ConsumerGroupHeartbeatRequestData()
                        .setGroupId(group("chm", s, v))
                        .setMemberId(member("chm", s, v))
                        .setMemberEpoch(3))));
    c.add(
        Case.of(
            ApiKeys.CONSUMER_GROUP_HEARTBEAT,
            "join-without-subscription",
            Exchange.of(
                ApiKeys.CONSUMER_GROUP_HEARTBEAT,
                (s, v) ->
                    new ConsumerGroupHeartbeatRequestData()
                        .setGroupId(group("chs", s, v))
                        .setMemberId(member("chs", s, v))
                        .setMemberEpoch(0)
                        .setRebalanceTimeoutMs(10_000)
                        .setTopicPartitions(List.of()))));
    c.add(
        Case.of(
            ApiKeys.CONSUMER_GROUP_HEARTBEAT,
            "empty-group-id",
            Exchange.of(
                ApiKeys.CONSUMER_GROUP_HEARTBEAT,
                (s, v) -> joinData("", member("che", s, v), TOPIC))));
    c.add(
        Case.of(
            ApiKeys.CONSUMER_GROUP_HEARTBEAT,
            "classic-group-id",
            // A classic group with a live member: a KIP-848 member may not join it.
            GroupCases.join("conf-chc-v", ApiKeys.CONSUMER_GROUP_HEARTBEAT).uncompared(),
            GroupCases.join("conf-chc-v", ApiKeys.CONSUMER_GROUP_HEARTBEAT).uncompared(),
            Exchange.of(
                ApiKeys.CONSUMER_GROUP_HEARTBEAT,
                (s, v) -> joinData(group("chc", s, v), member("chc", s, v), TOPIC))));
    c.add(
        Case.of(
            ApiKeys.CONSUMER_GROUP_DESCRIBE,
            "live-unknown-and-classic",
            join("cd", TOPIC).uncompared(),
            GroupCases.join("conf-cdc-v", ApiKeys.CONSUMER_GROUP_DESCRIBE).uncompared(),
            GroupCases.join("conf-cdc-v", ApiKeys.CONSUMER_GROUP_DESCRIBE).uncompared(),
            Exchange.of(
                ApiKeys.CONSUMER_GROUP_DESCRIBE,
                (s, v) ->
                    new ConsumerGroupDescribeRequestData()
                        .setGroupIds(
                            List.of(group("cd", s, v), "conf-no-such-group", group("cdc", s, v)))
                        .setIncludeAuthorizedOperations(true)),
            leave("cd").uncompared()));
    return c;
  }

  static String group(String prefix, SideContext s, short v) {
    return "conf-" + prefix + "-v" + s.recall(Conformance.CASE_VERSION, v);
  }

  /** A client-chosen member id, matched by the suite's member-id normalisation. */
  static String member(String prefix, SideContext s, short v) {
    int n = (prefix + s.recall(Conformance.CASE_VERSION, v)).hashCode() & 0xffff;
    return String.format("conformance-00000000-0000-0000-0000-%012x", n);
  }

  static ConsumerGroupHeartbeatRequestData joinData(String group, String member, String topic) {
    return new ConsumerGroupHeartbeatRequestData()
        .setGroupId(group)
        .setMemberId(member)
        .setMemberEpoch(0)
        .setRebalanceTimeoutMs(10_000)
        .setSubscribedTopicNames(List.of(topic))
        .setTopicPartitions(List.of());
  }

  private static Exchange join(String prefix, String topic) {
    return Exchange.of(
            ApiKeys.CONSUMER_GROUP_HEARTBEAT,
            (s, v) -> joinData(group(prefix, s, v), member(prefix, s, v), topic))
        .then(
            (s, r) -> {
              ConsumerGroupHeartbeatResponseData d = (ConsumerGroupHeartbeatResponseData) r.data();
              if (d.errorCode() == Errors.NONE.code()) {
                s.remember("epoch:" + group(prefix, s, (short) -1), d.memberEpoch());
              }
            });
  }

  /** A heartbeat at the member's epoch plus {@code epochOffset}, nothing changed. */
  private static Exchange heartbeat(String prefix, int epochOffset) {
    return Exchange.of(
        ApiKeys.CONSUMER_GROUP_HEARTBEAT,
        (s, v) -> {
          String g = group(prefix, s, v);
          return new ConsumerGroupHeartbeatRequestData()
              .setGroupId(g)
              .setMemberId(member(prefix, s, v))
              .setMemberEpoch(s.recall("epoch:" + g, 0) + epochOffset);
        });
  }

  private static Exchange leave(String prefix) {
    return Exchange.of(
        ApiKeys.CONSUMER_GROUP_HEARTBEAT,
        (s, v) ->
            new ConsumerGroupHeartbeatRequestData()
                .setGroupId(group(prefix, s, v))
                .setMemberId(member(prefix, s, v))
                .setMemberEpoch(-1));
  }
}
