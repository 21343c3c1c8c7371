package dev.ferry.coordinator.group;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.runtime.ManualClock;
import dev.ferry.storage.LogConfig;
import dev.ferry.storage.PartitionLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.ConsumerProtocolSubscription;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocol;
import org.apache.kafka.common.message.JoinGroupRequestData.JoinGroupRequestProtocolCollection;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupRequestData.SyncGroupRequestAssignment;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.protocol.MessageUtil;
import org.apache.kafka.common.utils.Time;

/**
 * A coordinator over a real {@code __consumer_offsets-0} log in a test directory (one offsets
 * partition, so every group lives there), with helpers that speak the protocol like a client.
 */
final class CoordinatorFixture implements AutoCloseable {

  static final short JOIN_V = 9;
  static final short SYNC_V = 5;

  final Path dir;
  final GroupCoordinatorConfig config;

  /** The clock and timers of the coordinator when the test drives time; null for real time. */
  final ManualClock manual;

  PartitionLog log;
  GroupCoordinator coordinator;

  /** Applied to each new coordinator before it loads (e.g. enabling consumer groups). */
  java.util.function.Consumer<GroupCoordinator> setup = c -> {};

  CoordinatorFixture(Path dir, GroupCoordinatorConfig config, ManualClock manual) {
    this.dir = dir;
    this.config = config;
    this.manual = manual;
  }

  /** Test defaults: short session bounds allowed, no initial delay, one offsets partition. */
  static GroupCoordinatorConfig config(int initialDelayMs, long retentionMs) {
    return new GroupCoordinatorConfig(
        10, 600_000, initialDelayMs, 100, 1, retentionMs, 600_000, 4096);
  }

  static CoordinatorFixture start(Path dir, GroupCoordinatorConfig config) throws Exception {
    CoordinatorFixture f = new CoordinatorFixture(dir, config, null);
    f.open();
    return f;
  }

  /** A coordinator whose clock and timers move only when the test advances {@code manual}. */
  static CoordinatorFixture startManual(Path dir, GroupCoordinatorConfig config, ManualClock manual)
      throws Exception {
    CoordinatorFixture f = new CoordinatorFixture(dir, config, manual);
    f.open();
    return f;
  }

  /**
   * The result of {@code future}. With a manual clock, work the coordinator handed to its scheduler
   * runs first (the clock does not move); a future still pending then fails the test.
   */
  <T> T await(CompletableFuture<T> future) throws Exception {
    if (manual != null) {
      manual.runDue();
      assertThat(future).as("completed without time passing").isDone();
    }
    return future.get(5, TimeUnit.SECONDS);
  }

  private java.util.concurrent.ScheduledExecutorService realTimers;

  /** A real-time timer thread for coordinators of this fixture (the broker's would be shared). */
  synchronized java.util.concurrent.ScheduledExecutorService timers() {
    if (realTimers == null) {
      realTimers = dev.ferry.runtime.BrokerThreads.newScheduler("test-group-timers");
    }
    return realTimers;
  }

  /** Opens the log and a fresh coordinator that loads it (what a broker restart does). */
  void open() throws Exception {
    log =
        PartitionLog.open(
            dir.resolve("__consumer_offsets-0"), LogConfig.defaults(), Time.SYSTEM, true);
    coordinator =
        manual == null
            ? new GroupCoordinator(config, Time.SYSTEM, timers())
            : new GroupCoordinator(config, manual, manual);
    setup.accept(coordinator);
    coordinator.onBecomeCoordinator(0, CoordinatorLog.of(log, () -> 3)).get(10, TimeUnit.SECONDS);
  }

  /** Stops the coordinator and closes the log cleanly. */
  void stop() {
    if (coordinator != null) {
      coordinator.close();
      coordinator = null;
    }
    if (log != null) {
      log.close();
      log = null;
    }
  }

  void restart() throws Exception {
    stop();
    open();
  }

  @Override
  public void close() {
    stop();
    synchronized (this) {
      if (realTimers != null) {
        realTimers.shutdownNow();
        realTimers = null;
      }
    }
  }

  // ---------------------------------------------------------------- protocol helpers

  static GroupRequestContext ctx(String clientId, short version) {
    return new GroupRequestContext(clientId, "/127.0.0.1", version);
  }

  static JoinGroupRequestData joinRequest(
      String group,
      String memberId,
      String instanceId,
      int sessionMs,
      int rebalanceMs,
      Map<String, byte[]> protocols) {
    JoinGroupRequestProtocolCollection ps = new JoinGroupRequestProtocolCollection();
    for (Map.Entry<String, byte[]> e : protocols.entrySet()) {
      ps.add(new JoinGroupRequestProtocol().setName(e.getKey()).setMetadata(e.getValue()));
    }
    return new JoinGroupRequestData()
        .setGroupId(group)
        .setMemberId(memberId)
        .setGroupInstanceId(instanceId)
        .setSessionTimeoutMs(sessionMs)
        .setRebalanceTimeoutMs(rebalanceMs)
        .setProtocolType("consumer")
        .setProtocols(ps);
  }

  CompletableFuture<JoinGroupResponseData> join(
      String group,
      String client,
      String memberId,
      String instanceId,
      int sessionMs,
      int rebalanceMs,
      Map<String, byte[]> protocols) {
    return coordinator.joinGroup(
        ctx(client, JOIN_V),
        joinRequest(group, memberId, instanceId, sessionMs, rebalanceMs, protocols));
  }

  /**
   * A dynamic member's first join at v9: the MEMBER_ID_REQUIRED round trip, then the real join.
   * Returns the (possibly still parked) second join.
   */
  CompletableFuture<JoinGroupResponseData> joinNew(
      String group, String client, int sessionMs, int rebalanceMs, Map<String, byte[]> protocols)
      throws Exception {
    JoinGroupResponseData first =
        join(group, client, "", null, sessionMs, rebalanceMs, protocols).get(5, TimeUnit.SECONDS);
    assertThat(Errors.forCode(first.errorCode())).isEqualTo(Errors.MEMBER_ID_REQUIRED);
    return join(group, client, first.memberId(), null, sessionMs, rebalanceMs, protocols);
  }

  CompletableFuture<SyncGroupResponseData> sync(
      String group,
      String memberId,
      String instanceId,
      int generation,
      Map<String, byte[]> assignments) {
    List<SyncGroupRequestAssignment> as = new ArrayList<>();
    for (Map.Entry<String, byte[]> e : assignments.entrySet()) {
      as.add(new SyncGroupRequestAssignment().setMemberId(e.getKey()).setAssignment(e.getValue()));
    }
    return coordinator.syncGroup(
        ctx("c", SYNC_V),
        new SyncGroupRequestData()
            .setGroupId(group)
            .setMemberId(memberId)
            .setGroupInstanceId(instanceId)
            .setGenerationId(generation)
            .setProtocolType("consumer")
            .setAssignments(as));
  }

  Errors heartbeat(String group, String memberId, String instanceId, int generation) {
    return coordinator.heartbeat(
        ctx("c", (short) 4),
        new HeartbeatRequestData()
            .setGroupId(group)
            .setMemberId(memberId)
            .setGroupInstanceId(instanceId)
            .setGenerationId(generation));
  }

  Map<TopicPartition, Errors> commit(
      String group, String memberId, int generation, Map<TopicPartition, OffsetAndMetadata> offsets)
      throws Exception {
    return await(coordinator.commitOffsets(group, memberId, null, generation, offsets));
  }

  /** Consumer-protocol subscription bytes for {@code topics}, as the Java client writes them. */
  static byte[] subscription(String... topics) {
    return MessageUtil.toVersionPrefixedBytes(
        (short) 1, new ConsumerProtocolSubscription().setTopics(List.of(topics)));
  }

  static Map<String, byte[]> protocols(Object... nameThenBytes) {
    Map<String, byte[]> m = new LinkedHashMap<>();
    for (int i = 0; i < nameThenBytes.length; i += 2) {
      m.put((String) nameThenBytes[i], (byte[]) nameThenBytes[i + 1]);
    }
    return m;
  }

  static OffsetAndMetadata offset(long offset, int epoch, String metadata) {
    return new OffsetAndMetadata(offset, epoch, metadata, -1);
  }
}
