package dev.ferry.coordinator.group;

import static dev.ferry.coordinator.group.CoordinatorFixture.protocols;
import static dev.ferry.coordinator.group.CoordinatorFixture.subscription;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ferry.runtime.ManualClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.JoinGroupResponseData.JoinGroupResponseMember;
import org.apache.kafka.common.message.LeaveGroupRequestData.MemberIdentity;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The classic rebalance protocol, driven through the coordinator's public methods. */
class GroupMembershipTest {

  private static final String G = "group-a";
  private static final int SESSION = 10_000;
  private static final int REBALANCE = 10_000;

  @TempDir Path dir;
  private CoordinatorFixture f;

  @AfterEach
  void tearDown() {
    if (f != null) {
      f.close();
    }
  }

  private static Errors err(JoinGroupResponseData r) {
    return Errors.forCode(r.errorCode());
  }

  private static JoinGroupResponseData get(CompletableFuture<JoinGroupResponseData> f)
      throws Exception {
    return f.get(5, TimeUnit.SECONDS);
  }

  private static byte[] randomBytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  /** Two members in a Stable group at generation 1; returns {leaderId, followerId}. */
  private String[] stableGroupOfTwo(int session, int rebalance, byte[] a0, byte[] a1)
      throws Exception {
    var j0 = f.joinNew(G, "c0", session, rebalance, protocols("range", subscription("t")));
    var j1 = f.joinNew(G, "c1", session, rebalance, protocols("range", subscription("t")));
    JoinGroupResponseData r0 = get(j0);
    JoinGroupResponseData r1 = get(j1);
    assertThat(r0.generationId()).isEqualTo(r1.generationId());
    String leader = r0.leader();
    String follower = leader.equals(r0.memberId()) ? r1.memberId() : r0.memberId();
    var s1 = f.sync(G, follower, null, r0.generationId(), Map.of());
    var s0 = f.sync(G, leader, null, r0.generationId(), Map.of(leader, a0, follower, a1));
    assertThat(s0.get(5, TimeUnit.SECONDS).assignment()).isEqualTo(a0);
    assertThat(s1.get(5, TimeUnit.SECONDS).assignment()).isEqualTo(a1);
    return new String[] {leader, follower};
  }

  @Test
  void threeMembersJoinOneLeaderOneGenerationAndSyncRelaysAssignmentsByteExact() throws Exception {
    // The initial delay lets all three join before the first generation forms.
    f = CoordinatorFixture.start(dir, CoordinatorFixture.config(300, 600_000));
    byte[][] subs = {subscription("t1"), subscription("t1", "t2"), subscription("t2")};
    List<CompletableFuture<JoinGroupResponseData>> joins =
        List.of(
            f.joinNew(
                G,
                "c0",
                SESSION,
                REBALANCE,
                protocols("cooperative-sticky", subs[0], "range", subs[0])),
            f.joinNew(
                G,
                "c1",
                SESSION,
                REBALANCE,
                protocols("cooperative-sticky", subs[1], "range", subs[1])),
            f.joinNew(
                G,
                "c2",
                SESSION,
                REBALANCE,
                protocols("range", subs[2], "cooperative-sticky", subs[2])));
    assertThat(joins.get(0)).isNotDone(); // parked until the join phase ends
    JoinGroupResponseData[] rs = new JoinGroupResponseData[3];
    for (int i = 0; i < 3; i++) {
      rs[i] = get(joins.get(i));
      assertThat(err(rs[i])).isEqualTo(Errors.NONE);
    }
    Set<Integer> generations = new HashSet<>();
    Set<String> leaders = new HashSet<>();
    for (JoinGroupResponseData r : rs) {
      generations.add(r.generationId());
      leaders.add(r.leader());
      // Two of three prefer cooperative-sticky and all support it.
      assertThat(r.protocolName()).isEqualTo("cooperative-sticky");
      assertThat(r.protocolType()).isEqualTo("consumer");
    }
    assertThat(generations).containsExactly(1);
    assertThat(leaders).hasSize(1);
    String leaderId = rs[0].leader();
    JoinGroupResponseData leader = null;
    for (JoinGroupResponseData r : rs) {
      if (r.memberId().equals(leaderId)) {
        leader = r;
        assertThat(r.members()).hasSize(3);
      } else {
        assertThat(r.members()).isEmpty();
      }
    }
    assertThat(leader).isNotNull();
    // The leader sees each member's metadata for the chosen protocol.
    for (JoinGroupResponseMember m : leader.members()) {
      int i = indexOf(rs, m.memberId());
      assertThat(m.metadata()).isEqualTo(subs[i]);
    }

    // Followers sync first and wait; large assignments must arrive whole.
    byte[][] assignments = {randomBytes(300_000, 1), randomBytes(70_000, 2), new byte[0]};
    CompletableFuture<?>[] syncs = new CompletableFuture<?>[3];
    for (int i = 0; i < 3; i++) {
      if (!rs[i].memberId().equals(leaderId)) {
        syncs[i] = f.sync(G, rs[i].memberId(), null, 1, Map.of());
        assertThat(syncs[i]).isNotDone();
      }
    }
    Map<String, byte[]> byMember = new java.util.HashMap<>();
    for (int i = 0; i < 3; i++) {
      byMember.put(rs[i].memberId(), assignments[i]);
    }
    int li = indexOf(rs, leaderId);
    syncs[li] = f.sync(G, leaderId, null, 1, byMember);
    for (int i = 0; i < 3; i++) {
      SyncGroupResponseData s = (SyncGroupResponseData) syncs[i].get(5, TimeUnit.SECONDS);
      assertThat(Errors.forCode(s.errorCode())).isEqualTo(Errors.NONE);
      assertThat(s.assignment()).isEqualTo(assignments[i]);
      assertThat(s.protocolName()).isEqualTo("cooperative-sticky");
    }
    DescribedGroup d = f.coordinator.describeGroup(G);
    assertThat(d.groupState()).isEqualTo("Stable");
    assertThat(d.protocolData()).isEqualTo("cooperative-sticky");
    assertThat(d.members()).hasSize(3);
    for (var m : d.members()) {
      int i = indexOf(rs, m.memberId());
      assertThat(m.memberAssignment()).isEqualTo(assignments[i]);
      assertThat(m.memberMetadata()).isEqualTo(subs[i]);
      assertThat(m.clientId()).isEqualTo("c" + i);
      assertThat(m.clientHost()).isEqualTo("/127.0.0.1");
    }
    for (JoinGroupResponseData r : rs) {
      assertThat(f.heartbeat(G, r.memberId(), null, 1)).isEqualTo(Errors.NONE);
    }
  }

  private static int indexOf(JoinGroupResponseData[] rs, String memberId) {
    for (int i = 0; i < rs.length; i++) {
      if (rs[i].memberId().equals(memberId)) {
        return i;
      }
    }
    throw new AssertionError("unknown member " + memberId);
  }

  @Test
  void memberIdRequiredRoundTripFromV4AndDirectJoinBefore() throws Exception {
    f = CoordinatorFixture.start(dir, CoordinatorFixture.config(0, 600_000));
    JoinGroupResponseData first =
        get(
            f.coordinator.joinGroup(
                CoordinatorFixture.ctx("client-x", (short) 4),
                CoordinatorFixture.joinRequest(
                    G, "", null, SESSION, REBALANCE, protocols("range", new byte[] {1}))));
    assertThat(err(first)).isEqualTo(Errors.MEMBER_ID_REQUIRED);
    assertThat(first.memberId()).startsWith("client-x-");
    assertThat(f.coordinator.describeGroup(G).members()).isEmpty();

    JoinGroupResponseData second =
        get(
            f.coordinator.joinGroup(
                CoordinatorFixture.ctx("client-x", (short) 4),
                CoordinatorFixture.joinRequest(
                    G,
                    first.memberId(),
                    null,
                    SESSION,
                    REBALANCE,
                    protocols("range", new byte[] {1}))));
    assertThat(err(second)).isEqualTo(Errors.NONE);
    assertThat(second.memberId()).isEqualTo(first.memberId());
    assertThat(second.leader()).isEqualTo(first.memberId());
    assertThat(second.generationId()).isEqualTo(1);

    // v3 and older: the member id comes with the join itself.
    JoinGroupResponseData old =
        get(
            f.coordinator.joinGroup(
                CoordinatorFixture.ctx("client-y", (short) 3),
                CoordinatorFixture.joinRequest(
                    "group-b", "", null, SESSION, REBALANCE, protocols("range", new byte[] {2}))));
    assertThat(err(old)).isEqualTo(Errors.NONE);
    assertThat(old.memberId()).startsWith("client-y-");
    assertThat(old.generationId()).isEqualTo(1);

    // An unknown member id is refused.
    assertThat(
            err(
                get(
                    f.join(
                        G,
                        "c",
                        "nobody",
                        null,
                        SESSION,
                        REBALANCE,
                        protocols("range", new byte[0])))))
        .isEqualTo(Errors.UNKNOWN_MEMBER_ID);
  }

  @Test
  void sessionTimeoutRemovesSilentMemberAndRebalances() throws Exception {
    f = CoordinatorFixture.start(dir, CoordinatorFixture.config(100, 600_000));
    String[] ids = stableGroupOfTwo(400, REBALANCE, new byte[] {1}, new byte[] {2});
    String alive = ids[0];
    // Only the leader keeps heartbeating (every 100 ms, within its 400 ms session); the follower
    // goes silent until its session expires and the group rebalances.
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> f.heartbeat(G, alive, null, 1), e -> e != Errors.NONE);
    assertThat(f.heartbeat(G, alive, null, 1)).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
    JoinGroupResponseData rejoin =
        get(f.join(G, "c0", alive, null, 400, REBALANCE, protocols("range", subscription("t"))));
    assertThat(err(rejoin)).isEqualTo(Errors.NONE);
    assertThat(rejoin.generationId()).isEqualTo(2);
    assertThat(rejoin.members())
        .extracting(JoinGroupResponseMember::memberId)
        .containsExactly(alive);
    assertThat(f.heartbeat(G, ids[1], null, 1)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
  }

  @Test
  void membersThatDoNotRejoinWithinRebalanceTimeoutAreRemoved() throws Exception {
    f = CoordinatorFixture.start(dir, CoordinatorFixture.config(100, 600_000));
    String[] ids = stableGroupOfTwo(SESSION, 500, new byte[] {1}, new byte[] {2});
    // The leader rejoins (as on a metadata change): a rebalance starts.
    var rejoin = f.join(G, "c0", ids[0], null, SESSION, 500, protocols("range", subscription("t")));
    assertThat(f.heartbeat(G, ids[1], null, 1)).isEqualTo(Errors.REBALANCE_IN_PROGRESS);
    assertThat(f.coordinator.describeGroup(G).groupState()).isEqualTo("PreparingRebalance");
    JoinGroupResponseData r = get(rejoin); // completes at the rebalance timeout
    assertThat(err(r)).isEqualTo(Errors.NONE);
    assertThat(r.generationId()).isEqualTo(2);
    assertThat(r.members()).extracting(JoinGroupResponseMember::memberId).containsExactly(ids[0]);
    assertThat(f.heartbeat(G, ids[1], null, 1)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
  }

  @Test
  void staticMemberRejoinKeepsAssignmentWithoutRebalanceAndFencesOldId() throws Exception {
    f = CoordinatorFixture.start(dir, CoordinatorFixture.config(0, 600_000));
    Map<String, byte[]> pa = protocols("range", subscription("t"));
    JoinGroupResponseData a = get(f.join(G, "ca", "", "instance-a", SESSION, REBALANCE, pa));
    assertThat(err(a)).isEqualTo(Errors.NONE); // static members skip MEMBER_ID_REQUIRED
    assertThat(a.memberId()).startsWith("instance-a-");
    var sa = f.sync(G, a.memberId(), "instance-a", 1, Map.of(a.memberId(), new byte[] {9}));
    assertThat(sa.get(5, TimeUnit.SECONDS).assignment()).containsExactly(9);
    // A second static member joins: generation 2.
    var jb = f.join(G, "cb", "", "instance-b", SESSION, REBALANCE, pa);
    JoinGroupResponseData a2 =
        get(f.join(G, "ca", a.memberId(), "instance-a", SESSION, REBALANCE, pa));
    JoinGroupResponseData b = get(jb);
    assertThat(a2.generationId()).isEqualTo(2);
    byte[] assignA = randomBytes(5000, 3);
    byte[] assignB = randomBytes(7000, 4);
    String leader = a2.leader();
    var sb =
        f.sync(
            G,
            b.memberId(),
            "instance-b",
            2,
            leader.equals(b.memberId())
                ? Map.of(a.memberId(), assignA, b.memberId(), assignB)
                : Map.of());
    var sa2 =
        f.sync(
            G,
            a.memberId(),
            "instance-a",
            2,
            leader.equals(a.memberId())
                ? Map.of(a.memberId(), assignA, b.memberId(), assignB)
                : Map.of());
    assertThat(sa2.get(5, TimeUnit.SECONDS).assignment()).isEqualTo(assignA);
    assertThat(sb.get(5, TimeUnit.SECONDS).assignment()).isEqualTo(assignB);

    // Instance b restarts: it joins with no member id but the same instance id and protocols.
    JoinGroupResponseData b2 = get(f.join(G, "cb", "", "instance-b", SESSION, REBALANCE, pa));
    assertThat(err(b2)).isEqualTo(Errors.NONE);
    assertThat(b2.memberId()).isNotEqualTo(b.memberId()).startsWith("instance-b-");
    assertThat(b2.generationId()).isEqualTo(2); // no new generation
    SyncGroupResponseData bs =
        f.sync(G, b2.memberId(), "instance-b", 2, Map.of()).get(5, TimeUnit.SECONDS);
    assertThat(Errors.forCode(bs.errorCode())).isEqualTo(Errors.NONE);
    assertThat(bs.assignment()).isEqualTo(assignB);
    assertThat(f.coordinator.describeGroup(G).groupState()).isEqualTo("Stable");
    assertThat(f.heartbeat(G, a.memberId(), "instance-a", 2)).isEqualTo(Errors.NONE);
    // The old incarnation is fenced.
    assertThat(f.heartbeat(G, b.memberId(), "instance-b", 2)).isEqualTo(Errors.FENCED_INSTANCE_ID);
    assertThat(f.heartbeat(G, b2.memberId(), "instance-b", 2)).isEqualTo(Errors.NONE);
  }

  @Test
  void staticLeaderRejoinGetsMembersWithSkipAssignment() throws Exception {
    f = CoordinatorFixture.start(dir, CoordinatorFixture.config(0, 600_000));
    Map<String, byte[]> pa = protocols("range", subscription("t"));
    JoinGroupResponseData a = get(f.join(G, "ca", "", "ia", SESSION, REBALANCE, pa));
    f.sync(G, a.memberId(), "ia", 1, Map.of(a.memberId(), new byte[] {5})).get(5, TimeUnit.SECONDS);
    JoinGroupResponseData again = get(f.join(G, "ca", "", "ia", SESSION, REBALANCE, pa));
    assertThat(again.leader()).isEqualTo(again.memberId());
    assertThat(again.skipAssignment()).isTrue();
    assertThat(again.members())
        .extracting(JoinGroupResponseMember::memberId)
        .containsExactly(again.memberId());
    assertThat(again.generationId()).isEqualTo(1);
    // Its (empty) SyncGroup gets the stored assignment back.
    assertThat(f.sync(G, again.memberId(), "ia", 1, Map.of()).get(5, TimeUnit.SECONDS).assignment())
        .containsExactly(5);
  }

  @Test
  void requestValidation() throws Exception {
    f =
        CoordinatorFixture.start(
            dir, new GroupCoordinatorConfig(6000, 1_800_000, 0, 2, 1, 600_000, 600_000, 4096));
    Map<String, byte[]> p = protocols("range", new byte[0]);
    assertThat(err(get(f.join(G, "c", "", null, 5999, REBALANCE, p))))
        .isEqualTo(Errors.INVALID_SESSION_TIMEOUT);
    assertThat(err(get(f.join(G, "c", "", null, 1_800_001, REBALANCE, p))))
        .isEqualTo(Errors.INVALID_SESSION_TIMEOUT);
    assertThat(err(get(f.join("", "c", "", null, 6000, REBALANCE, p))))
        .isEqualTo(Errors.INVALID_GROUP_ID);
    JoinGroupResponseData ok = get(f.joinNew(G, "c", 6000, REBALANCE, p));
    assertThat(err(ok)).isEqualTo(Errors.NONE);
    // A member offering only protocols the group does not support.
    assertThat(
            err(
                get(
                    f.join(
                        G, "d", "", null, 6000, REBALANCE, protocols("roundrobin", new byte[0])))))
        .isEqualTo(Errors.INCONSISTENT_GROUP_PROTOCOL);
    // group.max.size is 2: the member id round trip counts as a slot.
    assertThat(err(get(f.join(G, "e", "", null, 6000, REBALANCE, p))))
        .isEqualTo(Errors.MEMBER_ID_REQUIRED);
    assertThat(err(get(f.join(G, "g", "", null, 6000, REBALANCE, p))))
        .isEqualTo(Errors.GROUP_MAX_SIZE_REACHED);
    assertThat(f.heartbeat(G, ok.memberId(), null, 7)).isEqualTo(Errors.ILLEGAL_GENERATION);
    assertThat(Errors.forCode(f.sync(G, ok.memberId(), null, 7, Map.of()).get().errorCode()))
        .isEqualTo(Errors.ILLEGAL_GENERATION);
    assertThat(f.heartbeat("no-such-group", "m", null, 1)).isEqualTo(Errors.UNKNOWN_MEMBER_ID);
  }

  @Test
  void batchedLeaveRemovesMembersAndEmptiesGroup() throws Exception {
    f = CoordinatorFixture.start(dir, CoordinatorFixture.config(100, 600_000));
    String[] ids = stableGroupOfTwo(SESSION, REBALANCE, new byte[] {1}, new byte[] {2});
    LeaveGroupResponseData r =
        f.coordinator.leaveGroup(
            G,
            List.of(
                new MemberIdentity().setMemberId(ids[0]),
                new MemberIdentity().setMemberId(ids[1]).setReason("shutting down"),
                new MemberIdentity().setMemberId("ghost")));
    assertThat(r.errorCode()).isZero();
    assertThat(r.members())
        .extracting(m -> m.memberId() + "=" + Errors.forCode(m.errorCode()))
        .containsExactly(ids[0] + "=NONE", ids[1] + "=NONE", "ghost=UNKNOWN_MEMBER_ID");
    DescribedGroup d = f.coordinator.describeGroup(G);
    assertThat(d.groupState()).isEqualTo("Empty");
    assertThat(d.members()).isEmpty();
    assertThat(f.coordinator.listGroups(Set.of("empty"), Set.of()).groups())
        .extracting(GroupListing::groupId)
        .containsExactly(G);
    assertThat(f.coordinator.listGroups(Set.of("Stable"), Set.of()).groups()).isEmpty();
  }

  @Test
  void notCoordinatorAndLoadInProgress() throws Exception {
    GroupCoordinatorConfig twoPartitions =
        new GroupCoordinatorConfig(10, 600_000, 0, 100, 2, 600_000, 600_000, 4096);
    f = CoordinatorFixture.start(dir, CoordinatorFixture.config(0, 600_000));
    try (GroupCoordinator c = new GroupCoordinator(twoPartitions, Time.SYSTEM, f.timers())) {
      String g0 = groupIn(c, 0);
      String g1 = groupIn(c, 1);
      java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
      CoordinatorLog base = CoordinatorLog.of(f.log, () -> 0);
      CoordinatorLog blocking =
          new CoordinatorLog() {
            @Override
            public CompletableFuture<dev.ferry.storage.AppendResult> append(
                org.apache.kafka.common.record.internal.MemoryRecords r) {
              return base.append(r);
            }

            @Override
            public long logStartOffset() {
              try {
                release.await(10, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return base.logStartOffset();
            }

            @Override
            public long logEndOffset() {
              return base.logEndOffset();
            }

            @Override
            public org.apache.kafka.common.record.internal.Records read(long offset, int maxBytes) {
              return base.read(offset, maxBytes);
            }
          };
      CompletableFuture<Void> loaded = c.onBecomeCoordinator(0, blocking);
      Map<String, byte[]> p = protocols("range", new byte[0]);
      var ctx = CoordinatorFixture.ctx("c", (short) 9);
      assertThat(
              err(
                  get(
                      c.joinGroup(
                          ctx,
                          CoordinatorFixture.joinRequest(g0, "", null, SESSION, REBALANCE, p)))))
          .isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS);
      assertThat(c.fetchOffsets(g0, null).error()).isEqualTo(Errors.COORDINATOR_LOAD_IN_PROGRESS);
      assertThat(
              err(
                  get(
                      c.joinGroup(
                          ctx,
                          CoordinatorFixture.joinRequest(g1, "", null, SESSION, REBALANCE, p)))))
          .isEqualTo(Errors.NOT_COORDINATOR);
      release.countDown();
      loaded.get(5, TimeUnit.SECONDS);
      JoinGroupResponseData first =
          get(
              c.joinGroup(
                  ctx, CoordinatorFixture.joinRequest(g0, "", null, SESSION, REBALANCE, p)));
      assertThat(err(first)).isEqualTo(Errors.MEMBER_ID_REQUIRED);
      JoinGroupResponseData r =
          get(
              c.joinGroup(
                  ctx,
                  CoordinatorFixture.joinRequest(
                      g0, first.memberId(), null, SESSION, REBALANCE, p)));
      assertThat(err(r)).isEqualTo(Errors.NONE);
      // After resigning, the group is no longer served here.
      c.onResignCoordinator(0);
      assertThat(
              c.heartbeat(
                  ctx,
                  new org.apache.kafka.common.message.HeartbeatRequestData()
                      .setGroupId(g0)
                      .setMemberId(r.memberId())
                      .setGenerationId(1)))
          .isEqualTo(Errors.NOT_COORDINATOR);
    }
  }

  private static String groupIn(GroupCoordinator c, int partition) {
    for (int i = 0; i < 1000; i++) {
      if (c.partitionFor("g" + i) == partition) {
        return "g" + i;
      }
    }
    throw new AssertionError();
  }

  @Test
  void initialDelayWaitsForLateJoiners() throws Exception {
    ManualClock clock = new ManualClock(0);
    f = CoordinatorFixture.startManual(dir, CoordinatorFixture.config(400, 600_000), clock);
    var j0 = f.joinNew(G, "c0", SESSION, REBALANCE, protocols("range", new byte[0]));
    clock.advance(250);
    var j1 = f.joinNew(G, "c1", SESSION, REBALANCE, protocols("range", new byte[0]));
    // The late joiner extended the 400 ms delay by another round.
    clock.advance(499);
    assertThat(j0).as("at 749 ms").isNotDone();
    assertThat(j1).isNotDone();
    clock.advance(400);
    JoinGroupResponseData r0 = f.await(j0);
    JoinGroupResponseData r1 = f.await(j1);
    assertThat(r0.generationId()).isEqualTo(1).isEqualTo(r1.generationId());
    assertThat(r0.members()).hasSize(2);
    assertThat(f.coordinator.describeGroup(G).groupState()).isEqualTo("CompletingRebalance");
  }

  @Test
  void concurrentJoinsFromManyThreadsFormOneGeneration() throws Exception {
    f = CoordinatorFixture.start(dir, CoordinatorFixture.config(500, 600_000));
    int n = 24;
    java.util.concurrent.ExecutorService pool =
        java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      List<java.util.concurrent.Future<CompletableFuture<JoinGroupResponseData>>> submitted =
          new java.util.ArrayList<>();
      for (int i = 0; i < n; i++) {
        String client = "c" + i;
        submitted.add(
            pool.submit(
                () ->
                    f.joinNew(
                        G, client, SESSION, REBALANCE, protocols("range", subscription("t")))));
      }
      JoinGroupResponseData[] rs = new JoinGroupResponseData[n];
      for (int i = 0; i < n; i++) {
        rs[i] = submitted.get(i).get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS);
        assertThat(err(rs[i])).isEqualTo(Errors.NONE);
        assertThat(rs[i].generationId()).isEqualTo(1);
      }
      String leaderId = rs[0].leader();
      Map<String, byte[]> assignments = new java.util.HashMap<>();
      for (int i = 0; i < n; i++) {
        assertThat(rs[i].leader()).isEqualTo(leaderId);
        assignments.put(rs[i].memberId(), randomBytes(100 + i, i));
      }
      assertThat(assignments).hasSize(n);
      List<java.util.concurrent.Future<SyncGroupResponseData>> syncs = new java.util.ArrayList<>();
      for (int i = 0; i < n; i++) {
        String id = rs[i].memberId();
        syncs.add(
            pool.submit(
                () ->
                    f.sync(G, id, null, 1, id.equals(leaderId) ? assignments : Map.of())
                        .get(10, TimeUnit.SECONDS)));
      }
      for (int i = 0; i < n; i++) {
        assertThat(syncs.get(i).get(15, TimeUnit.SECONDS).assignment())
            .isEqualTo(assignments.get(rs[i].memberId()));
      }
      assertThat(f.coordinator.describeGroup(G).members()).hasSize(n);
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    }
  }
}
