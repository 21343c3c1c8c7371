package dev.ferry.conformance;

import static dev.ferry.conformance.Fixture.TOPIC;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The classic consumer-group protocol and committed offsets: whole sequences (join, rejoin with the
 * member id, sync, heartbeat, leave) with the API under test at each version and the others at the
 * highest common one, plus unknown groups, members, generations, topics and partitions.
 */
final class GroupCases {

  private GroupCases() {}

  static List<Case> all() {
    List<Case> c = new ArrayList<>();
    c.add(
        Case.of(
            ApiKeys.FIND_COORDINATOR,
            "group",
            Exchange.of(
                ApiKeys.FIND_COORDINATOR, (s, v) -> findCoordinator(v, "conf-g", (byte) 0))));
    c.add(
        Case.of(
                ApiKeys.FIND_COORDINATOR,
                "transaction",
                Exchange.of(
                    ApiKeys.FIND_COORDINATOR, (s, v) -> findCoordinator(v, "conf-txn", (byte) 1)))
            .from(1));
    c.add(
        Case.of(
                ApiKeys.FIND_COORDINATOR,
                "unknown-key-type",
                Exchange.of(
                    ApiKeys.FIND_COORDINATOR, (s, v) -> findCoordinator(v, "conf-g", (byte) 7)))
            .from(1));
    c.add(
        Case.of(
            ApiKeys.JOIN_GROUP,
            "join-rejoin-leave",
            join("gj-v", ApiKeys.JOIN_GROUP),
            join("gj-v", ApiKeys.JOIN_GROUP),
            leave("gj-v", ApiKeys.JOIN_GROUP).uncompared()));
    c.add(
        Case.of(
            ApiKeys.JOIN_GROUP,
            "unknown-member",
            Exchange.of(
                ApiKeys.JOIN_GROUP,
                (s, v) -> joinData("gju-v" + v, v).setMemberId("conformance-no-such-member"))));
    c.add(
        Case.of(
            ApiKeys.JOIN_GROUP,
            "invalid-session-timeout",
            Exchange.of(
                ApiKeys.JOIN_GROUP, (s, v) -> joinData("gjs-v" + v, v).setSessionTimeoutMs(1))));
    c.add(
        Case.of(
            ApiKeys.JOIN_GROUP,
            "empty-group-id",
            Exchange.of(ApiKeys.JOIN_GROUP, (s, v) -> joinData("", v))));
    c.add(
        Case.of(
            ApiKeys.SYNC_GROUP,
            "leader-sync",
            join("gs-v", ApiKeys.SYNC_GROUP).uncompared(),
            join("gs-v", ApiKeys.SYNC_GROUP).uncompared(),
            sync("gs-v", ApiKeys.SYNC_GROUP),
            leave("gs-v", ApiKeys.SYNC_GROUP).uncompared()));
    c.add(
        Case.of(
            ApiKeys.SYNC_GROUP,
            "unknown-group",
            Exchange.of(
                ApiKeys.SYNC_GROUP,
                (s, v) ->
                    new SyncGroupRequestData()
                        .setGroupId("gsu-v" + v)
                        .setGenerationId(1)
                        .setMemberId("conformance-no-such-member")
                        .setProtocolType(v >= 5 ? "consumer" : null)
                        .setProtocolName(v >= 5 ? "range" : null))));
    c.add(
        Case.of(
            ApiKeys.HEARTBEAT,
            "heartbeat",
            join("gh-v", ApiKeys.HEARTBEAT).uncompared(),
            join("gh-v", ApiKeys.HEARTBEAT).uncompared(),
            sync("gh-v", ApiKeys.HEARTBEAT).uncompared(),
            heartbeat("gh-v", ApiKeys.HEARTBEAT, 0),
            heartbeat("gh-v", ApiKeys.HEARTBEAT, 5),
            leave("gh-v", ApiKeys.HEARTBEAT).uncompared()));
    c.add(
        Case.of(
            ApiKeys.HEARTBEAT,
            "unknown-group",
            Exchange.of(
                ApiKeys.HEARTBEAT,
                (s, v) ->
                    new HeartbeatRequestData()
                        .setGroupId("ghu-v" + v)
                        .setGenerationId(1)
                        .setMemberId("conformance-no-such-member"))));
    c.add(
        Case.of(
            ApiKeys.LEAVE_GROUP,
            "leave",
            join("gl-v", ApiKeys.LEAVE_GROUP).uncompared(),
            join("gl-v", ApiKeys.LEAVE_GROUP).uncompared(),
            leave("gl-v", ApiKeys.LEAVE_GROUP),
            leave("gl-v", ApiKeys.LEAVE_GROUP)));
    c.add(
        Case.of(
            ApiKeys.DESCRIBE_GROUPS,
            "stable-and-unknown",
            join("gd-v", ApiKeys.DESCRIBE_GROUPS).uncompared(),
            join("gd-v", ApiKeys.DESCRIBE_GROUPS).uncompared(),
            sync("gd-v", ApiKeys.DESCRIBE_GROUPS).uncompared(),
            Exchange.of(
                ApiKeys.DESCRIBE_GROUPS,
                (s, v) ->
                    new DescribeGroupsRequestData()
                        .setGroups(List.of("gd-v" + v, "gd-unknown"))
                        .setIncludeAuthorizedOperations(v >= 3)),
            leave("gd-v", ApiKeys.DESCRIBE_GROUPS).uncompared()));
    c.add(
        Case.of(
            ApiKeys.OFFSET_COMMIT,
            "simple-commit",
            commit("gc-v", ApiKeys.OFFSET_COMMIT, TOPIC, 0, 3L)));
    c.add(
        Case.of(
            ApiKeys.OFFSET_COMMIT,
            "unknown-partition",
            commit("gcp-v", ApiKeys.OFFSET_COMMIT, TOPIC, 99, 3L)));
    c.add(
        Case.of(
            ApiKeys.OFFSET_COMMIT,
            "unknown-topic",
            commit("gct-v", ApiKeys.OFFSET_COMMIT, "conf-no-such-topic", 0, 3L)));
    c.add(
        Case.of(
            ApiKeys.OFFSET_COMMIT,
            "unknown-member",
            Exchange.of(
                ApiKeys.OFFSET_COMMIT,
                (s, v) -> {
                  OffsetCommitRequestData d = commitData(s, v, "gcm-v" + v, TOPIC, 0, 1L);
                  return d.setGenerationIdOrMemberEpoch(3).setMemberId("conformance-no-member");
                })));
    c.add(
        Case.of(
            ApiKeys.OFFSET_FETCH,
            "committed-and-unknown",
            commit("gf-v", ApiKeys.OFFSET_FETCH, TOPIC, 1, 7L).uncompared(),
            Exchange.of(ApiKeys.OFFSET_FETCH, (s, v) -> fetchOffsets(s, v, "gf-v" + v, false))));
    c.add(
        Case.of(
                ApiKeys.OFFSET_FETCH,
                "all-partitions",
                commit("gfa-v", ApiKeys.OFFSET_FETCH, TOPIC, 1, 7L).uncompared(),
                Exchange.of(ApiKeys.OFFSET_FETCH, (s, v) -> fetchOffsets(s, v, "gfa-v" + v, true)))
            .from(2));
    c.add(
        Case.of(
            ApiKeys.OFFSET_FETCH,
            "unknown-group",
            Exchange.of(ApiKeys.OFFSET_FETCH, (s, v) -> fetchOffsets(s, v, "gfu-v" + v, false))));
    c.add(
        Case.of(
            ApiKeys.DELETE_GROUPS,
            "empty-unknown-and-active",
            commit("gx-v", ApiKeys.DELETE_GROUPS, TOPIC, 0, 1L).uncompared(),
            join("gxa-v", ApiKeys.DELETE_GROUPS).uncompared(),
            join("gxa-v", ApiKeys.DELETE_GROUPS).uncompared(),
            Exchange.of(
                ApiKeys.DELETE_GROUPS,
                (s, v) ->
                    new DeleteGroupsRequestData()
                        .setGroupsNames(List.of("gx-v" + v, "gx-unknown", "gxa-v" + v))),
            leave("gxa-v", ApiKeys.DELETE_GROUPS).uncompared()));
    c.add(
        Case.of(
            ApiKeys.OFFSET_DELETE,
            "delete",
            commit("go-v", ApiKeys.OFFSET_DELETE, TOPIC, 0, 1L).uncompared(),
            Exchange.of(
                ApiKeys.OFFSET_DELETE, (s, v) -> offsetDelete("go-v" + v, TOPIC, List.of(0, 99))),
            Exchange.of(
                ApiKeys.OFFSET_DELETE, (s, v) -> offsetDelete("go-unknown", TOPIC, List.of(0)))));
    c.add(
        Case.of(
            ApiKeys.LIST_GROUPS,
            "all",
            Exchange.of(ApiKeys.LIST_GROUPS, (s, v) -> new ListGroupsRequestData())));
    return c;
  }

  private static FindCoordinatorRequestData findCoordinator(short v, String key, byte type) {
    FindCoordinatorRequestData d = new FindCoordinatorRequestData();
    if (v >= 4) {
      d.setCoordinatorKeys(List.of(key));
    } else {
      d.setKey(key);
    }
    if (v >= 1) {
      d.setKeyType(type);
    }
    return d;
  }

  private static String memberKey(String group) {
    return "member:" + group;
  }

  static JoinGroupRequestData joinData(String group, short v) {
    JoinGroupRequestData.JoinGroupRequestProtocolCollection protocols =
        new JoinGroupRequestData.JoinGroupRequestProtocolCollection();
    protocols.add(
        new JoinGroupRequestData.JoinGroupRequestProtocol()
            .setName("range")
            .setMetadata(new byte[] {0, 1, 2}));
    JoinGroupRequestData d =
        new JoinGroupRequestData()
            .setGroupId(group)
            .setSessionTimeoutMs(10_000)
            .setMemberId("")
            .setProtocolType("consumer")
            .setProtocols(protocols);
    if (v >= 1) {
      d.setRebalanceTimeoutMs(10_000);
    }
    return d;
  }

  /**
   * Join with the member id this side was handed for the group (empty at first); remembers the
   * member id, generation and leader the answer carries.
   */
  static Exchange join(String prefix, ApiKeys caseApi) {
    return Exchange.of(
            ApiKeys.JOIN_GROUP,
            (s, v) -> {
              String g = versioned(prefix, caseApi, s, v);
              return joinData(g, v).setMemberId(s.recall(memberKey(g), ""));
            })
        .then(
            (s, r) -> {
              JoinGroupResponseData d = (JoinGroupResponseData) r.data();
              String g = prefix + s.recall(Conformance.CASE_VERSION, (short) -1);
              if (!d.memberId().isEmpty()) {
                s.remember(memberKey(g), d.memberId());
              }
              s.remember("generation:" + g, d.generationId());
            });
  }

  /**
   * The group of this exchange: named after the version the case's API runs at (one group per
   * version, so runs at different versions never share state).
   */
  private static String versioned(String prefix, ApiKeys caseApi, SideContext s, short v) {
    return prefix + s.recall(Conformance.CASE_VERSION, v);
  }

  private static Exchange sync(String prefix, ApiKeys caseApi) {
    return Exchange.of(
        ApiKeys.SYNC_GROUP,
        (s, v) -> {
          String g = versioned(prefix, caseApi, s, v);
          String member = s.recall(memberKey(g), "");
          SyncGroupRequestData d =
              new SyncGroupRequestData()
                  .setGroupId(g)
                  .setGenerationId(s.recall("generation:" + g, -1))
                  .setMemberId(member)
                  .setAssignments(
                      List.of(
                          new SyncGroupRequestData.SyncGroupRequestAssignment()
                              .setMemberId(member)
                              .setAssignment(new byte[] {9, 8, 7})));
          if (v >= 5) {
            d.setProtocolType("consumer").setProtocolName("range");
          }
          return d;
        });
  }

  private static Exchange heartbeat(String prefix, ApiKeys caseApi, int generationOffset) {
    return Exchange.of(
        ApiKeys.HEARTBEAT,
        (s, v) -> {
          String g = versioned(prefix, caseApi, s, v);
          return new HeartbeatRequestData()
              .setGroupId(g)
              .setGenerationId(s.recall("generation:" + g, -1) + generationOffset)
              .setMemberId(s.recall(memberKey(g), ""));
        });
  }

  private static Exchange leave(String prefix, ApiKeys caseApi) {
    return Exchange.of(
        ApiKeys.LEAVE_GROUP,
        (s, v) -> {
          String g = versioned(prefix, caseApi, s, v);
          String member = s.recall(memberKey(g), "");
          LeaveGroupRequestData d = new LeaveGroupRequestData().setGroupId(g);
          if (v >= 3) {
            d.setMembers(List.of(new LeaveGroupRequestData.MemberIdentity().setMemberId(member)));
          } else {
            d.setMemberId(member);
          }
          return d;
        });
  }

  private static Exchange commit(
      String prefix, ApiKeys caseApi, String topic, int partition, long offset) {
    return Exchange.of(
        ApiKeys.OFFSET_COMMIT,
        (s, v) -> commitData(s, v, versioned(prefix, caseApi, s, v), topic, partition, offset));
  }

  static OffsetCommitRequestData commitData(
      SideContext s, short v, String group, String topic, int partition, long offset) {
    OffsetCommitRequestData.OffsetCommitRequestTopic t =
        new OffsetCommitRequestData.OffsetCommitRequestTopic();
    DataCases.nameOrId(s, v, 10, topic, t::setName, t::setTopicId);
    t.setPartitions(
        List.of(
            new OffsetCommitRequestData.OffsetCommitRequestPartition()
                .setPartitionIndex(partition)
                .setCommittedOffset(offset)
                .setCommittedMetadata("m")));
    return new OffsetCommitRequestData()
        .setGroupId(group)
        .setGenerationIdOrMemberEpoch(-1)
        .setMemberId("")
        .setTopics(List.of(t));
  }

  private static OffsetFetchRequestData fetchOffsets(
      SideContext s, short v, String group, boolean all) {
    if (v >= 8) {
      OffsetFetchRequestData.OffsetFetchRequestGroup g =
          new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId(group);
      if (all) {
        g.setTopics(null);
      } else {
        OffsetFetchRequestData.OffsetFetchRequestTopics t =
            new OffsetFetchRequestData.OffsetFetchRequestTopics()
                .setPartitionIndexes(List.of(1, 2));
        DataCases.nameOrId(s, v, 10, TOPIC, t::setName, t::setTopicId);
        g.setTopics(List.of(t));
      }
      return new OffsetFetchRequestData().setGroups(List.of(g));
    }
    OffsetFetchRequestData d = new OffsetFetchRequestData().setGroupId(group);
    d.setTopics(
        all
            ? null
            : List.of(
                new OffsetFetchRequestData.OffsetFetchRequestTopic()
                    .setName(TOPIC)
                    .setPartitionIndexes(List.of(1, 2))));
    return d;
  }

  private static OffsetDeleteRequestData offsetDelete(
      String group, String topic, List<Integer> partitions) {
    OffsetDeleteRequestData.OffsetDeleteRequestPartition[] ps =
        partitions.stream()
            .map(
                p ->
                    new OffsetDeleteRequestData.OffsetDeleteRequestPartition().setPartitionIndex(p))
            .toArray(OffsetDeleteRequestData.OffsetDeleteRequestPartition[]::new);
    OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection topics =
        new OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection();
    topics.add(
        new OffsetDeleteRequestData.OffsetDeleteRequestTopic()
            .setName(topic)
            .setPartitions(List.of(ps)));
    return new OffsetDeleteRequestData().setGroupId(group).setTopics(topics);
  }
}
