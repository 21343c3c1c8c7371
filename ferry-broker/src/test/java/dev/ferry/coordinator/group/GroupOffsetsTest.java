package dev.ferry.coordinator.group;

import static dev.ferry.coordinator.group.CoordinatorFixture.offset;
import static dev.ferry.coordinator.group.CoordinatorFixture.protocols;
import static dev.ferry.coordinator.group.CoordinatorFixture.subscription;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.runtime.ManualClock;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.Records;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Committed offsets and group metadata: durability across coordinator restarts, deletion, expiry.
 */
class GroupOffsetsTest {

  private static final String G = "orders-app";
  private static final TopicPartition T0 = new TopicPartition("orders", 0);
  private static final TopicPartition T1 = new TopicPartition("orders", 1);
  private static final TopicPartition P0 = new TopicPartition("payments", 0);

  @TempDir Path dir;
  private CoordinatorFixture f;

  @AfterEach
  void tearDown() {
    if (f != null) {
      f.close();
    }
  }

  /** One member, Stable at generation 1, subscribed to "orders"; returns its member id. */
  private String stableMember(String group, int session) throws Exception {
    JoinGroupResponseData j =
        f.await(
            f.joinNew(group, "c0", session, 10_000, protocols("range", subscription("orders"))));
    assertThat(Errors.forCode(j.errorCode())).isEqualTo(Errors.NONE);
    f.await(
        f.sync(
            group, j.memberId(), null, j.generationId(), Map.of(j.memberId(), new byte[] {7, 7})));
    return j.memberId();
  }

  @Test
  void committedOffsetsSurviveRestartExactly() throws Exception {
    f = CoordinatorFixture.start(dir, CoordinatorFixture.config(0, 600_000));
    String member = stableMember(G, 30_000);
    Map<TopicPartition, OffsetAndMetadata> first = new LinkedHashMap<>();
    first.put(T0, offset(100, 5, "host-a/txn=1"));
    first.put(T1, offset(200, -1, ""));
    assertThat(f.commit(G, member, 1, first))
        .containsOnly(Map.entry(T0, Errors.NONE), Map.entry(T1, Errors.NONE));
    // A later commit overwrites T0 and adds P0 with a null metadata string.
    Map<TopicPartition, OffsetAndMetadata> second = new LinkedHashMap<>();
    second.put(T0, offset(150, 6, "host-a/txn=2"));
    second.put(P0, offset(7, 2, null));
    assertThat(f.commit(G, member, 1, second).values()).containsOnly(Errors.NONE);
    // A standalone commit (generation -1) to another group.
    assertThat(f.commit("standalone", "", -1, Map.of(T0, offset(42, 1, "manual"))).values())
        .containsOnly(Errors.NONE);

    OffsetFetchResult before = f.coordinator.fetchOffsets(G, null);
    f.restart();

    OffsetFetchResult after = f.coordinator.fetchOffsets(G, null);
    assertThat(after.error()).isEqualTo(Errors.NONE);
    assertThat(after.offsets()).isEqualTo(before.offsets());
    assertThat(after.offsets()).containsOnlyKeys(T0, T1, P0);
    assertThat(after.offsets().get(T0))
        .extracting(
            OffsetAndMetadata::offset, OffsetAndMetadata::leaderEpoch, OffsetAndMetadata::metadata)
        .containsExactly(150L, 6, "host-a/txn=2");
    assertThat(after.offsets().get(T1))
        .extracting(
            OffsetAndMetadata::offset, OffsetAndMetadata::leaderEpoch, OffsetAndMetadata::metadata)
        .containsExactly(200L, -1, "");
    assertThat(after.offsets().get(P0))
        .extracting(
            OffsetAndMetadata::offset, OffsetAndMetadata::leaderEpoch, OffsetAndMetadata::metadata)
        .containsExactly(7L, 2, null);
    assertThat(after.offsets().get(T0).commitTimestampMs()).isPositive();
    assertThat(
            f.coordinator.fetchOffsets(G, List.of(T1, new TopicPartition("orders", 9))).offsets())
        .containsOnlyKeys(T1);
    assertThat(f.coordinator.fetchOffsets("standalone", null).offsets().get(T0).offset())
        .isEqualTo(42);

    // The stable group came back too: same generation, the member keeps heartbeating, and its
    // assignment is still served.
    assertThat(f.coordinator.describeGroup(G).groupState()).isEqualTo("Stable");
    assertThat(f.heartbeat(G, member, null, 1)).isEqualTo(Errors.NONE);
    assertThat(f.sync(G, member, null, 1, Map.of()).get(5, TimeUnit.SECONDS).assignment())
        .containsExactly(7, 7);
    assertThat(f.commit(G, member, 1, Map.of(T1, offset(201, 0, "x"))).values())
        .containsOnly(Errors.NONE);
  }

  @Test
  void commitChecksMembershipAndGeneration() throws Exception {
    f = CoordinatorFixture.start(dir, CoordinatorFixture.config(0, 600_000));
    String member = stableMember(G, 30_000);
    Map<TopicPartition, OffsetAndMetadata> o = Map.of(T0, offset(1, 0, ""));
    assertThat(f.commit(G, member, 0, o)).containsEntry(T0, Errors.ILLEGAL_GENERATION);
    assertThat(f.commit(G, "stranger", 1, o)).containsEntry(T0, Errors.UNKNOWN_MEMBER_ID);
    assertThat(f.commit(G, "", -1, o))
        .containsEntry(T0, Errors.UNKNOWN_MEMBER_ID); // group is active
    assertThat(f.commit("no-group", "m", 3, o)).containsEntry(T0, Errors.GROUP_ID_NOT_FOUND);
    assertThat(f.commit(G, member, 1, Map.of(T0, offset(1, 0, "x".repeat(4097)))))
        .containsEntry(T0, Errors.OFFSET_METADATA_TOO_LARGE);
    assertThat(f.coordinator.fetchOffsets(G, null).offsets()).isEmpty();

    // A second member joins: while CompletingRebalance commits must wait for the assignment.
    var j2 = f.joinNew(G, "c1", 30_000, 10_000, protocols("range", subscription("orders")));
    var j1 =
        f.join(G, "c0", member, null, 30_000, 10_000, protocols("range", subscription("orders")));
    assertThat(j1.get(5, TimeUnit.SECONDS).generationId()).isEqualTo(2);
    j2.get(5, TimeUnit.SECONDS);
    assertThat(f.commit(G, member, 2, o)).containsEntry(T0, Errors.REBALANCE_IN_PROGRESS);
  }

  @Test
  void deletedGroupWritesTombstonesAndStaysDeletedAfterReload() throws Exception {
    f = CoordinatorFixture.start(dir, CoordinatorFixture.config(0, 600_000));
    String member = stableMember(G, 30_000);
    f.commit(G, member, 1, Map.of(T0, offset(10, 1, "a"), P0, offset(20, 1, "b")));
    assertThat(f.coordinator.deleteGroups(List.of(G)).get(5, TimeUnit.SECONDS))
        .containsEntry(G, Errors.NON_EMPTY_GROUP);
    f.coordinator.leaveGroup(
        G,
        List.of(
            new org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity()
                .setMemberId(member)));
    assertThat(f.coordinator.describeGroup(G).groupState()).isEqualTo("Empty");
    long endBefore = f.log.logEndOffset();

    Map<String, Errors> r =
        f.coordinator.deleteGroups(List.of(G, "never-existed")).get(5, TimeUnit.SECONDS);
    assertThat(r)
        .containsEntry(G, Errors.NONE)
        .containsEntry("never-existed", Errors.GROUP_ID_NOT_FOUND);
    assertThat(f.coordinator.fetchOffsets(G, null).offsets()).isEmpty();
    assertThat(f.coordinator.describeGroup(G).errorCode())
        .isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());

    // Exactly three tombstones were appended: two offsets and the group.
    List<String> tombstones = new ArrayList<>();
    Records recs = f.log.read(endBefore, 1 << 20, f.log.logEndOffset(), true).records();
    for (RecordBatch b : recs.batches()) {
      for (Record rec : b) {
        assertThat(rec.hasValue()).isFalse();
        tombstones.add(describe(GroupRecords.parseKey(rec.key())));
      }
    }
    assertThat(tombstones)
        .containsExactlyInAnyOrder("offset orders-0", "offset payments-0", "group");

    f.restart();
    assertThat(f.coordinator.fetchOffsets(G, null).offsets()).isEmpty();
    assertThat(f.coordinator.describeGroup(G).errorCode())
        .isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
    assertThat(f.coordinator.listGroups(java.util.Set.of(), java.util.Set.of()).groups()).isEmpty();
  }

  private static String describe(GroupRecords.Key k) {
    if (k instanceof GroupRecords.OffsetKey o) {
      assertThat(o.group()).isEqualTo(G);
      return "offset " + o.topicPartition();
    }
    assertThat(k.group()).isEqualTo(G);
    return "group";
  }

  @Test
  void offsetDeleteRespectsSubscriptions() throws Exception {
    f = CoordinatorFixture.start(dir, CoordinatorFixture.config(0, 600_000));
    String member = stableMember(G, 30_000);
    f.commit(G, member, 1, Map.of(T0, offset(10, 1, "a"), P0, offset(20, 1, "b")));
    OffsetDeleteResult r = f.coordinator.deleteOffsets(G, List.of(T0, P0)).get(5, TimeUnit.SECONDS);
    assertThat(r.error()).isEqualTo(Errors.NONE);
    assertThat(r.partitions())
        .containsEntry(T0, Errors.GROUP_SUBSCRIBED_TO_TOPIC)
        .containsEntry(P0, Errors.NONE);
    assertThat(f.coordinator.fetchOffsets(G, null).offsets()).containsOnlyKeys(T0);
    assertThat(f.coordinator.deleteOffsets("nope", List.of(T0)).get().error())
        .isEqualTo(Errors.GROUP_ID_NOT_FOUND);
    f.restart();
    assertThat(f.coordinator.fetchOffsets(G, null).offsets()).containsOnlyKeys(T0);
  }

  @Test
  void expiryRemovesOldOffsetsAndEmptyGroupsDurably() throws Exception {
    // Retention 300 ms, checked every 200 ms, on a clock the test moves.
    ManualClock clock = new ManualClock(1_000_000);
    f =
        CoordinatorFixture.startManual(
            dir, new GroupCoordinatorConfig(10, 600_000, 0, 100, 1, 300, 200, 4096), clock);
    f.coordinator.startup();
    // Standalone offsets expire one by one from their commit time.
    f.commit("standalone", "", -1, Map.of(T0, offset(1, 0, "")));
    // An active consumer group keeps offsets of subscribed topics, loses the others.
    String member = stableMember(G, 30_000);
    f.commit(G, member, 1, Map.of(T0, offset(5, 0, ""), P0, offset(6, 0, "")));
    // An empty consumer group loses everything once it has been empty for the retention.
    String other = stableMember("leaving", 30_000);
    f.commit("leaving", other, 1, Map.of(T1, offset(9, 0, "")));
    f.coordinator.leaveGroup(
        "leaving",
        List.of(
            new org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity()
                .setMemberId(other)));

    clock.advance(200); // first check: nothing is 300 ms old yet
    assertThat(f.coordinator.fetchOffsets("standalone", null).offsets()).containsOnlyKeys(T0);
    assertThat(f.coordinator.fetchOffsets(G, null).offsets()).containsOnlyKeys(T0, P0);
    assertThat(f.coordinator.fetchOffsets("leaving", null).offsets()).containsOnlyKeys(T1);
    f.commit("standalone", "", -1, Map.of(T1, offset(2, 0, ""))); // fresh: stays
    clock.advance(200); // second check, 400 ms in: the three old offsets go

    assertThat(f.coordinator.fetchOffsets("standalone", null).offsets()).containsOnlyKeys(T1);
    assertThat(f.coordinator.fetchOffsets(G, null).offsets()).containsOnlyKeys(T0);
    assertThat(f.coordinator.describeGroup("leaving").errorCode())
        .isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());

    f.restart();
    assertThat(f.coordinator.fetchOffsets("standalone", null).offsets()).containsOnlyKeys(T1);
    assertThat(f.coordinator.fetchOffsets(G, null).offsets()).containsOnlyKeys(T0);
    assertThat(f.coordinator.describeGroup("leaving").errorCode())
        .isEqualTo(Errors.GROUP_ID_NOT_FOUND.code());
    assertThat(f.coordinator.listGroups(java.util.Set.of(), java.util.Set.of()).groups())
        .extracting(GroupListing::groupId)
        .containsExactlyInAnyOrder(G, "standalone");
  }

  @Test
  void aStableFetchReportsPartitionsWithUndecidedTransactionalOffsets() throws Exception {
    f = CoordinatorFixture.start(dir, CoordinatorFixture.config(0, 600_000));
    assertThat(f.commit("standalone", "", -1, Map.of(T0, offset(10, 1, "plain"))).values())
        .containsOnly(Errors.NONE);
    long pid = 4_000L;
    assertThat(
            f.await(
                f.coordinator.commitTransactionalOffsets(
                    "standalone", pid, (short) 0, "", null, -1, Map.of(T0, offset(20, 1, "tx")))))
        .containsOnly(Map.entry(T0, Errors.NONE));

    // Undecided: a stable fetch reports T0 unstable (no offset); a plain fetch sees the old one.
    OffsetFetchResult stable = f.coordinator.fetchOffsets("standalone", List.of(T0, T1), true);
    assertThat(stable.unstable()).containsExactly(T0);
    assertThat(stable.offsets()).isEmpty();
    assertThat(f.coordinator.fetchOffsets("standalone", null, true).unstable()).containsExactly(T0);
    OffsetFetchResult plain = f.coordinator.fetchOffsets("standalone", List.of(T0), false);
    assertThat(plain.unstable()).isEmpty();
    assertThat(plain.offsets().get(T0).offset()).isEqualTo(10);

    // Committed: stable again, with the transaction's offset.
    f.coordinator.onTransactionCompleted(f.coordinator.partitionFor("standalone"), pid, true);
    OffsetFetchResult after = f.coordinator.fetchOffsets("standalone", List.of(T0), true);
    assertThat(after.unstable()).isEmpty();
    assertThat(after.offsets().get(T0).offset()).isEqualTo(20);

    // Aborted: stable again, the previous offset stays.
    assertThat(
            f.await(
                f.coordinator.commitTransactionalOffsets(
                    "standalone", pid, (short) 1, "", null, -1, Map.of(T0, offset(30, 1, "x")))))
        .containsOnly(Map.entry(T0, Errors.NONE));
    assertThat(f.coordinator.fetchOffsets("standalone", List.of(T0), true).unstable())
        .containsExactly(T0);
    f.coordinator.onTransactionCompleted(f.coordinator.partitionFor("standalone"), pid, false);
    OffsetFetchResult aborted = f.coordinator.fetchOffsets("standalone", List.of(T0), true);
    assertThat(aborted.unstable()).isEmpty();
    assertThat(aborted.offsets().get(T0).offset()).isEqualTo(20);
  }

  @Test
  void recordFormatRoundTrips() {
    byte[] key = GroupRecords.offsetKey("g\u00e9", new TopicPartition("t.x", 12));
    assertThat(GroupRecords.parseKey(ByteBuffer.wrap(key)))
        .isEqualTo(new GroupRecords.OffsetKey("g\u00e9", new TopicPartition("t.x", 12)));
    assertThat(GroupRecords.parseKey(ByteBuffer.wrap(GroupRecords.groupKey("g"))))
        .isEqualTo(new GroupRecords.GroupKey("g"));
    OffsetAndMetadata v = new OffsetAndMetadata(Long.MAX_VALUE - 1, 17, null, 1234);
    assertThat(GroupRecords.parseOffsetValue(ByteBuffer.wrap(GroupRecords.offsetValue(v))))
        .isEqualTo(v);
    GroupMetadataValue gv =
        new GroupMetadataValue(
            "consumer",
            4,
            "range",
            "m1",
            99,
            List.of(
                new GroupMetadataValue.Member(
                    "m1", "i1", "c", "/h", 1, 2, new byte[] {1, 2}, new byte[] {3})));
    GroupMetadataValue back =
        GroupRecords.parseGroupValue(ByteBuffer.wrap(GroupRecords.groupValue(gv)));
    assertThat(back).usingRecursiveComparison().isEqualTo(gv);
    assertThat(GroupRecords.parseKey(ByteBuffer.wrap(new byte[] {0, 9})))
        .isEqualTo(new GroupRecords.UnknownKey((short) 9));
    assertThat(
            org.assertj.core.api.Assertions.catchThrowable(
                () -> GroupRecords.parseKey(ByteBuffer.wrap(new byte[] {0, 1, 0, 5}))))
        .isInstanceOf(GroupRecords.MalformedRecordException.class);
  }

  @Test
  void reloadedMembersThatStopHeartbeatingExpire() throws Exception {
    f = CoordinatorFixture.start(dir, CoordinatorFixture.config(0, 600_000));
    String member = stableMember(G, 500);
    f.restart();
    assertThat(f.coordinator.describeGroup(G).members())
        .extracting(m -> m.memberId())
        .containsExactly(member);
    // Nobody heartbeats to the new coordinator: the session timeout removes the member.
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(10))
        .until(() -> f.coordinator.describeGroup(G).groupState().equals("Empty"));
    assertThat(f.heartbeat(G, member, null, 1)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
  }
}
