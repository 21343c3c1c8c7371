package dev.ferry.server.group;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.coordinator.group.CoordinatorLog;
import dev.ferry.coordinator.group.GroupCoordinator;
import dev.ferry.coordinator.group.GroupCoordinatorConfig;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import dev.ferry.storage.LogConfig;
import dev.ferry.storage.PartitionLog;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopicCollection;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DeleteGroupsResponse;
import org.apache.kafka.common.requests.DescribeGroupsResponse;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.HeartbeatResponse;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.requests.LeaveGroupResponse;
import org.apache.kafka.common.requests.ListGroupsResponse;
import org.apache.kafka.common.requests.OffsetCommitResponse;
import org.apache.kafka.common.requests.OffsetDeleteResponse;
import org.apache.kafka.common.requests.OffsetFetchResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.SyncGroupResponse;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every group API at every advertised version, through the wire codec both ways: requests are
 * serialized and parsed as the network layer would, responses serialized at the request's version
 * and parsed back as a client would. Catches fields set at versions that do not have them.
 */
class GroupApisTest {

  private static final Uuid ORDERS_ID = Uuid.fromString("f8Wg7dXXQdmSGdHcbYXDRA");
  private static final Node NODE = new Node(7, "127.0.0.1", 19092);

  @TempDir Path dir;
  private PartitionLog log;
  private GroupCoordinator coordinator;
  private Map<ApiKeys, ApiHandler<?>> handlers;
  private Optional<Node> located = Optional.of(NODE);
  private int correlation;
  private java.util.concurrent.ScheduledExecutorService timers;

  @BeforeEach
  void setUp() throws Exception {
    log =
        PartitionLog.open(
            dir.resolve("__consumer_offsets-0"), LogConfig.defaults(), Time.SYSTEM, true);
    timers = dev.ferry.runtime.BrokerThreads.newScheduler("test-group-timers");
    coordinator =
        new GroupCoordinator(
            new GroupCoordinatorConfig(10, 600_000, 0, 100, 1, 600_000, 600_000, 4096),
            Time.SYSTEM,
            timers);
    coordinator.onBecomeCoordinator(0, CoordinatorLog.of(log, () -> 0)).get(5, TimeUnit.SECONDS);
    TopicIdResolver ids =
        new TopicIdResolver() {
          @Override
          public Optional<Uuid> topicId(String topicName) {
            return topicName.equals("orders") ? Optional.of(ORDERS_ID) : Optional.empty();
          }

          @Override
          public Optional<String> topicName(Uuid topicId) {
            return topicId.equals(ORDERS_ID) ? Optional.of("orders") : Optional.empty();
          }
        };
    handlers = new HashMap<>();
    for (ApiHandler<?> h : GroupApis.handlers(coordinator, p -> located, ids)) {
      handlers.put(h.apiKey(), h);
    }
  }

  @AfterEach
  void tearDown() {
    coordinator.close();
    timers.shutdownNow();
    log.close();
  }

  private static ByteBuffer wire(ApiMessage m, short version) {
    ByteBuffer b = MessageUtil.toByteBufferAccessor(m, version).buffer();
    if (b.position() != 0) {
      b.flip();
    }
    return b;
  }

  /** Sends {@code body} at {@code version} through the handler; returns the parsed response. */
  @SuppressWarnings("unchecked")
  private <T extends AbstractResponse> T call(ApiKeys key, ApiMessage body, short version)
      throws Exception {
    AbstractRequest req =
        AbstractRequest.parseRequest(key, version, new ByteBufferAccessor(wire(body, version)))
            .request;
    RequestHeader header = new RequestHeader(key, version, "client-" + version, ++correlation);
    NetworkRequest nr =
        new NetworkRequest(header, req, 0, "conn-1", InetAddress.getLoopbackAddress(), 0L);
    AbstractResponse resp = handlers.get(key).handle(nr).get(10, TimeUnit.SECONDS);
    return (T)
        AbstractResponse.parseResponse(
            key, new ByteBufferAccessor(wire(resp.data(), version)), version);
  }

  @Test
  void advertisedRangesCoverClientsAndStayInsideTheCodec() {
    Map<ApiKeys, String> expected =
        Map.ofEntries(
            Map.entry(ApiKeys.FIND_COORDINATOR, "0-6"),
            Map.entry(ApiKeys.JOIN_GROUP, "0-9"),
            Map.entry(ApiKeys.SYNC_GROUP, "0-5"),
            Map.entry(ApiKeys.HEARTBEAT, "0-4"),
            Map.entry(ApiKeys.LEAVE_GROUP, "0-5"),
            Map.entry(ApiKeys.OFFSET_COMMIT, "2-10"),
            Map.entry(ApiKeys.OFFSET_FETCH, "1-10"),
            Map.entry(ApiKeys.LIST_GROUPS, "0-5"),
            Map.entry(ApiKeys.DESCRIBE_GROUPS, "0-6"),
            Map.entry(ApiKeys.DELETE_GROUPS, "0-3"),
            Map.entry(ApiKeys.OFFSET_DELETE, "0-0"));
    assertThat(handlers).hasSize(expected.size());
    for (ApiHandler<?> h : handlers.values()) {
      assertThat(h.minVersion() + "-" + h.maxVersion())
          .as(h.apiKey().name)
          .isEqualTo(expected.get(h.apiKey()));
      assertThat(h.minVersion()).isGreaterThanOrEqualTo(h.apiKey().oldestVersion());
      assertThat(h.maxVersion()).isLessThanOrEqualTo(h.apiKey().latestVersion());
    }
    // Without a topic id resolver, the id-only versions are not offered.
    for (ApiHandler<?> h : GroupApis.handlers(coordinator, p -> located)) {
      if (h.apiKey() == ApiKeys.OFFSET_COMMIT || h.apiKey() == ApiKeys.OFFSET_FETCH) {
        assertThat(h.maxVersion()).isEqualTo((short) 9);
      }
    }
  }

  @Test
  void findCoordinatorEveryVersion() throws Exception {
    for (short v = 0; v <= 6; v++) {
      FindCoordinatorRequestData req = new FindCoordinatorRequestData();
      if (v >= 4) {
        req.setCoordinatorKeys(List.of("g1", "g2"));
      } else {
        req.setKey("g1");
      }
      FindCoordinatorResponse r = call(ApiKeys.FIND_COORDINATOR, req, v);
      if (v >= 4) {
        assertThat(r.data().coordinators())
            .extracting(c -> c.key() + "@" + c.nodeId() + ":" + c.host() + ":" + c.port())
            .containsExactly("g1@7:127.0.0.1:19092", "g2@7:127.0.0.1:19092");
      } else {
        assertThat(r.data().errorCode()).isZero();
        assertThat(r.node()).isEqualTo(NODE);
      }
    }
    located = Optional.empty();
    FindCoordinatorResponse none =
        call(ApiKeys.FIND_COORDINATOR, new FindCoordinatorRequestData().setKey("g"), (short) 3);
    assertThat(none.error()).isEqualTo(Errors.COORDINATOR_NOT_AVAILABLE);
    FindCoordinatorResponse txn =
        call(
            ApiKeys.FIND_COORDINATOR,
            new FindCoordinatorRequestData().setKeyType((byte) 1).setCoordinatorKeys(List.of("t")),
            (short) 5);
    assertThat(txn.data().coordinators().get(0).errorCode())
        .isEqualTo(Errors.INVALID_REQUEST.code());
  }

  private static JoinGroupRequestData join(String group, String memberId, String instanceId) {
    JoinGroupRequestProtocolCollection ps = new JoinGroupRequestProtocolCollection();
    ps.add(new JoinGroupRequestProtocol().setName("range").setMetadata(new byte[] {1, 2, 3}));
    return new JoinGroupRequestData()
        .setGroupId(group)
        .setMemberId(memberId)
        .setGroupInstanceId(instanceId)
        .setSessionTimeoutMs(30_000)
        .setRebalanceTimeoutMs(30_000)
        .setProtocolType("consumer")
        .setProtocols(ps);
  }

  @Test
  void membershipApisEveryVersion() throws Exception {
    for (short v = 0; v <= 9; v++) {
      String group = "g-v" + v;
      JoinGroupResponse jr = call(ApiKeys.JOIN_GROUP, join(group, "", null), v);
      if (v >= 4) {
        assertThat(jr.error()).isEqualTo(Errors.MEMBER_ID_REQUIRED);
        assertThat(jr.data().memberId()).startsWith("client-" + v + "-");
        jr = call(ApiKeys.JOIN_GROUP, join(group, jr.data().memberId(), null), v);
      }
      assertThat(jr.error()).as("join v%d", v).isEqualTo(Errors.NONE);
      String member = jr.data().memberId();
      assertThat(jr.data().generationId()).isEqualTo(1);
      assertThat(jr.data().protocolName()).isEqualTo("range");
      assertThat(jr.data().leader()).isEqualTo(member);
      assertThat(jr.data().protocolType()).isEqualTo(v >= 7 ? "consumer" : null);
      assertThat(jr.data().members()).hasSize(1);
      assertThat(jr.data().members().get(0).metadata()).containsExactly(1, 2, 3);

      short sv = (short) Math.min(v, 5);
      SyncGroupRequestData sync =
          new SyncGroupRequestData()
              .setGroupId(group)
              .setMemberId(member)
              .setGenerationId(1)
              .setAssignments(
                  List.of(
                      new SyncGroupRequestAssignment()
                          .setMemberId(member)
                          .setAssignment(new byte[] {9, 8, 7})));
      if (sv >= 5) {
        sync.setProtocolType("consumer").setProtocolName("range");
      }
      SyncGroupResponse sr = call(ApiKeys.SYNC_GROUP, sync, sv);
      assertThat(sr.error()).isEqualTo(Errors.NONE);
      assertThat(sr.data().assignment()).containsExactly(9, 8, 7);
      assertThat(sr.data().protocolName()).isEqualTo(sv >= 5 ? "range" : null);

      short hv = (short) Math.min(v, 4);
      HeartbeatResponse hr =
          call(
              ApiKeys.HEARTBEAT,
              new HeartbeatRequestData().setGroupId(group).setMemberId(member).setGenerationId(1),
              hv);
      assertThat(hr.error()).isEqualTo(Errors.NONE);
      HeartbeatResponse bad =
          call(
              ApiKeys.HEARTBEAT,
              new HeartbeatRequestData().setGroupId(group).setMemberId("x").setGenerationId(1),
              hv);
      assertThat(bad.error()).isEqualTo(Errors.UNKNOWN_MEMBER_ID);

      short lv = (short) Math.min(v, 5);
      LeaveGroupRequestData leave = new LeaveGroupRequestData().setGroupId(group);
      if (lv >= 3) {
        leave.setMembers(
            List.of(
                new MemberIdentity().setMemberId(member), new MemberIdentity().setMemberId("x")));
      } else {
        leave.setMemberId(member);
      }
      LeaveGroupResponse lr = call(ApiKeys.LEAVE_GROUP, leave, lv);
      if (lv >= 3) {
        assertThat(lr.topLevelError()).isEqualTo(Errors.NONE);
        assertThat(lr.memberResponses())
            .extracting(m -> Errors.forCode(m.errorCode()))
            .containsExactly(Errors.NONE, Errors.UNKNOWN_MEMBER_ID);
      } else {
        assertThat(lr.error()).isEqualTo(Errors.NONE);
      }
      assertThat(coordinator.describeGroup(group).groupState()).isEqualTo("Empty");
    }
    // A static member at v5+: no member id round trip.
    JoinGroupResponse st = call(ApiKeys.JOIN_GROUP, join("static", "", "i-1"), (short) 9);
    assertThat(st.error()).isEqualTo(Errors.NONE);
    assertThat(st.data().memberId()).startsWith("i-1-");
  }

  private OffsetCommitRequestData commit(String group, short v, long offset) {
    OffsetCommitRequestTopic t =
        new OffsetCommitRequestTopic()
            .setPartitions(
                List.of(
                    new OffsetCommitRequestPartition()
                        .setPartitionIndex(3)
                        .setCommittedOffset(offset)
                        .setCommittedLeaderEpoch(v >= 6 ? 11 : -1)
                        .setCommittedMetadata("meta-" + v)));
    if (v >= 10) {
      t.setTopicId(ORDERS_ID);
    } else {
      t.setName("orders");
    }
    List<OffsetCommitRequestTopic> topics = new ArrayList<>(List.of(t));
    if (v >= 10) {
      topics.add(
          new OffsetCommitRequestTopic()
              .setTopicId(Uuid.randomUuid())
              .setPartitions(
                  List.of(
                      new OffsetCommitRequestPartition()
                          .setPartitionIndex(0)
                          .setCommittedOffset(1))));
    }
    return new OffsetCommitRequestData()
        .setGroupId(group)
        .setGenerationIdOrMemberEpoch(-1)
        .setMemberId("")
        .setTopics(topics);
  }

  @Test
  void offsetCommitAndFetchEveryVersionPair() throws Exception {
    for (short cv = 2; cv <= 10; cv++) {
      String group = "oc-" + cv;
      long offset = 1000L + cv;
      OffsetCommitResponse cr = call(ApiKeys.OFFSET_COMMIT, commit(group, cv, offset), cv);
      assertThat(cr.data().topics().get(0).partitions().get(0).errorCode())
          .as("commit v%d", cv)
          .isZero();
      if (cv >= 10) {
        assertThat(cr.data().topics().get(0).topicId()).isEqualTo(ORDERS_ID);
        assertThat(cr.data().topics().get(1).partitions().get(0).errorCode())
            .isEqualTo(Errors.UNKNOWN_TOPIC_ID.code());
      } else {
        assertThat(cr.data().topics().get(0).name()).isEqualTo("orders");
      }
      int expectedEpoch = cv >= 6 ? 11 : -1;
      for (short fv = 1; fv <= 10; fv++) {
        assertFetched(group, fv, offset, expectedEpoch, "meta-" + cv);
      }
    }
  }

  private void assertFetched(String group, short fv, long offset, int epoch, String metadata)
      throws Exception {
    String what = group + " fetch v" + fv;
    if (fv < 8) {
      OffsetFetchRequestData req =
          new OffsetFetchRequestData()
              .setGroupId(group)
              .setTopics(
                  fv >= 2 && fv % 2 == 0
                      ? null // all partitions
                      : List.of(
                          new OffsetFetchRequestTopic()
                              .setName("orders")
                              .setPartitionIndexes(List.of(3, 4))));
      OffsetFetchResponse r = call(ApiKeys.OFFSET_FETCH, req, fv);
      assertThat(r.data().errorCode()).as(what).isZero();
      var parts = r.data().topics().get(0).partitions();
      assertThat(parts.get(0).partitionIndex()).isEqualTo(3);
      assertThat(parts.get(0).committedOffset()).as(what).isEqualTo(offset);
      assertThat(parts.get(0).metadata()).isEqualTo(metadata);
      assertThat(parts.get(0).committedLeaderEpoch()).isEqualTo(fv >= 5 ? epoch : -1);
      if (req.topics() != null) {
        assertThat(parts.get(1).committedOffset()).isEqualTo(-1);
      } else {
        assertThat(parts).hasSize(1);
      }
      return;
    }
    OffsetFetchRequestTopics t = new OffsetFetchRequestTopics().setPartitionIndexes(List.of(3));
    if (fv >= 10) {
      t.setTopicId(ORDERS_ID);
    } else {
      t.setName("orders");
    }
    OffsetFetchRequestData req =
        new OffsetFetchRequestData()
            .setGroups(
                List.of(
                    new OffsetFetchRequestGroup().setGroupId(group).setTopics(List.of(t)),
                    new OffsetFetchRequestGroup().setGroupId(group).setTopics(null),
                    new OffsetFetchRequestGroup()
                        .setGroupId("unknown-group")
                        .setTopics(List.of(t))));
    OffsetFetchResponse r = call(ApiKeys.OFFSET_FETCH, req, fv);
    var groups = r.data().groups();
    assertThat(groups).hasSize(3);
    for (int i = 0; i < 2; i++) {
      var topic = groups.get(i).topics().get(0);
      if (fv >= 10) {
        assertThat(topic.topicId()).isEqualTo(ORDERS_ID);
      } else {
        assertThat(topic.name()).isEqualTo("orders");
      }
      var p = topic.partitions().get(0);
      assertThat(p.committedOffset()).as(what).isEqualTo(offset);
      assertThat(p.committedLeaderEpoch()).isEqualTo(epoch);
      assertThat(p.metadata()).isEqualTo(metadata);
    }
    assertThat(groups.get(2).topics().get(0).partitions().get(0).committedOffset()).isEqualTo(-1);
  }

  @Test
  void adminApisEveryVersion() throws Exception {
    call(ApiKeys.OFFSET_COMMIT, commit("admin-g", (short) 9, 5), (short) 9);
    for (short v = 0; v <= 6; v++) {
      DescribeGroupsResponse r =
          call(
              ApiKeys.DESCRIBE_GROUPS,
              new DescribeGroupsRequestData().setGroups(List.of("admin-g", "missing")),
              v);
      var groups = r.data().groups();
      assertThat(groups.get(0).groupState()).isEqualTo("Empty");
      assertThat(groups.get(0).errorCode()).isZero();
      assertThat(groups.get(1).groupState()).isEqualTo("Dead");
      assertThat(Errors.forCode(groups.get(1).errorCode()))
          .isEqualTo(v >= 6 ? Errors.GROUP_ID_NOT_FOUND : Errors.NONE);
    }
    for (short v = 0; v <= 5; v++) {
      ListGroupsRequestData req = new ListGroupsRequestData();
      if (v >= 4) {
        req.setStatesFilter(List.of("Empty"));
      }
      ListGroupsResponse r = call(ApiKeys.LIST_GROUPS, req, v);
      assertThat(r.data().errorCode()).isZero();
      assertThat(r.data().groups())
          .extracting(g -> g.groupId() + "/" + g.protocolType())
          .containsExactly("admin-g/");
      if (v >= 4) {
        assertThat(r.data().groups().get(0).groupState()).isEqualTo("Empty");
      }
      if (v >= 5) {
        assertThat(r.data().groups().get(0).groupType()).isEqualTo("classic");
      }
    }
    OffsetDeleteRequestTopicCollection topics = new OffsetDeleteRequestTopicCollection();
    topics.add(
        new OffsetDeleteRequestTopic()
            .setName("orders")
            .setPartitions(List.of(new OffsetDeleteRequestPartition().setPartitionIndex(3))));
    OffsetDeleteResponse od =
        call(
            ApiKeys.OFFSET_DELETE,
            new OffsetDeleteRequestData().setGroupId("admin-g").setTopics(topics),
            (short) 0);
    assertThat(od.data().errorCode()).isZero();
    assertThat(od.data().topics().find("orders").partitions().find(3).errorCode()).isZero();
    assertThat(coordinator.fetchOffsets("admin-g", null).offsets()).isEmpty();

    for (short v = 0; v <= 3; v++) {
      call(ApiKeys.OFFSET_COMMIT, commit("del-" + v, (short) 9, 5), (short) 9);
      DeleteGroupsResponse r =
          call(
              ApiKeys.DELETE_GROUPS,
              new DeleteGroupsRequestData().setGroupsNames(List.of("del-" + v, "nope")),
              v);
      assertThat(r.get("del-" + v)).isEqualTo(Errors.NONE);
      assertThat(r.get("nope")).isEqualTo(Errors.GROUP_ID_NOT_FOUND);
    }
  }
}
