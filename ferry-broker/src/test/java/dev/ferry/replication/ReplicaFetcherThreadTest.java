package dev.ferry.replication;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.metadata.PartitionState;
import dev.ferry.runtime.ManualClock;
import dev.ferry.storage.LogConfig;
import dev.ferry.storage.PartitionLog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.Record;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The follower side of replication against a leader without a network ({@link FakeLeaderEndpoint}):
 * truncation to where the logs diverge (OffsetForLeaderEpoch), following the leader's log start, a
 * log below the leader's log start, and backing off on errors. The fetcher's rounds run on the test
 * thread with a manual clock.
 */
class ReplicaFetcherThreadTest {

  private static final int LEADER = 0;
  private static final int FOLLOWER = 1;
  private static final long BACKOFF_MS = 1_000;

  @TempDir Path dir;

  private final TopicPartition tp = new TopicPartition("t", 0);
  private final Uuid topicId = Uuid.randomUuid();
  private final ManualClock time = new ManualClock(1_000_000L);
  private final List<PartitionLog> logs = new ArrayList<>();
  private final ReplicationConfig config =
      new ReplicationConfig(FOLLOWER, 30_000, 0, 1 << 20, 1 << 20, 30_000, BACKOFF_MS);

  @AfterEach
  void closeLogs() {
    logs.forEach(PartitionLog::close);
  }

  @Test
  void aFollowerThatLedBrieflyTruncatesItsUnreplicatedTailToWhereTheLogsDiverge() {
    Partition leader = replica("leader", LEADER);
    Partition follower = replica("follower", FOLLOWER);
    // Both have a, b, c at epoch 0.
    lead(leader, 0, List.of(LEADER, FOLLOWER));
    append(leader, "a", "b", "c");
    FakeLeaderEndpoint endpoint = new FakeLeaderEndpoint(FOLLOWER).lead(leader);
    follow(follower, 0);
    ReplicaFetcherThread fetcher = fetcher(endpoint);
    fetcher.addPartition(follower, 0);
    fetcher.runOnce();
    assertThat(values(follower)).containsExactly("a", "b", "c");

    // The follower led epoch 1 for a moment and took x, y that nobody copied...
    lead(follower, 1, List.of(FOLLOWER));
    append(follower, "x", "y");
    // ...while the old leader came back at epoch 2 and took d.
    lead(leader, 2, List.of(LEADER));
    append(leader, "d");

    follow(follower, 2);
    fetcher.removePartition(tp);
    fetcher.addPartition(follower, 2);
    fetcher.runOnce();

    assertThat(endpoint.epochRequests)
        .as("one request: the first round's empty log had no epoch to ask about")
        .isEqualTo(1);
    assertThat(values(follower))
        .as("x, y (epoch 1, offsets 3-4) cut at 3, where the leader's epoch 0 ended; then d")
        .containsExactly("a", "b", "c", "d");
    assertThat(follower.log().endOffsetForEpoch(2).endOffset()).isEqualTo(4);
    assertThat(follower.asFollower().latestEpoch()).isEqualTo(2);
  }

  @Test
  void aFollowerWithoutEpochsTruncatesToItsHighWatermark() {
    Partition leader = replica("leader", LEADER);
    Partition follower = replica("follower", FOLLOWER);
    lead(leader, 0, List.of(LEADER));
    append(leader, "a");
    follow(follower, 0);
    FakeLeaderEndpoint endpoint = new FakeLeaderEndpoint(FOLLOWER).lead(leader);
    ReplicaFetcherThread fetcher = fetcher(endpoint);
    fetcher.addPartition(follower, 0);
    fetcher.runOnce();

    assertThat(endpoint.epochRequests)
        .as("an empty log with no epoch asks nothing and fetches at once")
        .isZero();
    assertThat(values(follower)).containsExactly("a");
    assertThat(follower.highWatermark()).isEqualTo(1);
  }

  @Test
  void theFollowersLogStartFollowsTheLeadersDeleteRecords() {
    Partition leader = replica("leader", LEADER);
    Partition follower = replica("follower", FOLLOWER);
    lead(leader, 0, List.of(LEADER));
    for (String v : List.of("a", "b", "c", "d", "e")) {
      append(leader, v); // one batch each, so the log can start at any of them
    }
    follow(follower, 0);
    ReplicaFetcherThread fetcher = fetcher(new FakeLeaderEndpoint(FOLLOWER).lead(leader));
    fetcher.addPartition(follower, 0);
    fetcher.runOnce();
    assertThat(follower.logStartOffset()).isZero();

    assertThat(leader.deleteRecordsOnLeader(3)).isEqualTo(3);
    fetcher.runOnce();

    assertThat(follower.logStartOffset()).isEqualTo(3);
    assertThat(values(follower)).containsExactly("d", "e");
  }

  @Test
  void aFollowerBelowTheLeadersLogStartRestartsItsLogAtTheBatchHoldingIt() {
    Partition leader = replica("leader", LEADER);
    Partition follower = replica("follower", FOLLOWER);
    lead(leader, 0, List.of(LEADER));
    append(leader, "a", "b", "c", "d", "e");
    leader.deleteRecordsOnLeader(4);
    follow(follower, 0);
    ReplicaFetcherThread fetcher = fetcher(new FakeLeaderEndpoint(FOLLOWER).lead(leader));
    fetcher.addPartition(follower, 0);

    fetcher.runOnce();
    assertThat(follower.logStartOffset())
        .as("offset 0 is out of range on the leader, whose log starts at 4")
        .isEqualTo(4);
    assertThat(follower.logEndOffset()).isEqualTo(4);

    fetcher.runOnce();
    // Offset 4 is inside the leader's one batch, 0-4: the log restarted at its base to take it,
    // then its start followed the leader's again.
    assertThat(values(follower)).containsExactly("a", "b", "c", "d", "e");
    assertThat(follower.logStartOffset()).isEqualTo(4);
    assertThat(follower.logEndOffset()).isEqualTo(5);
    assertThat(follower.log().endOffsetForEpoch(0).endOffset()).isEqualTo(5);
  }

  @Test
  void outOfRangeAboveTheLeadersLogStartRechecksDivergenceAfterTheBackoff() {
    Partition leader = replica("leader", LEADER);
    Partition follower = replica("follower", FOLLOWER);
    lead(leader, 0, List.of(LEADER, FOLLOWER));
    append(leader, "a", "b");
    follow(follower, 0);
    FakeLeaderEndpoint endpoint = new FakeLeaderEndpoint(FOLLOWER).lead(leader);
    ReplicaFetcherThread fetcher = fetcher(endpoint);
    fetcher.addPartition(follower, 0);
    fetcher.runOnce();
    assertThat(values(follower)).containsExactly("a", "b");

    endpoint.failNextFetchWith(Errors.OFFSET_OUT_OF_RANGE);
    fetcher.runOnce();
    assertThat(endpoint.epochRequests).isZero();

    time.advance(BACKOFF_MS - 1);
    fetcher.runOnce();
    assertThat(endpoint.epochRequests).as("still backing off").isZero();
    int fetches = endpoint.fetchRequests;

    time.advance(1);
    fetcher.runOnce();
    assertThat(endpoint.epochRequests).as("truncation first, then fetching again").isEqualTo(1);
    assertThat(endpoint.fetchRequests).isEqualTo(fetches + 1);
    assertThat(values(follower)).as("nothing diverged: nothing lost").containsExactly("a", "b");
  }

  @Test
  void aFollowerBeyondTheEndOfALeaderWithoutEpochsTruncatesToTheLeadersLogEnd() {
    Partition leader = replica("leader", LEADER);
    Partition follower = replica("follower", FOLLOWER);
    lead(leader, 0, List.of(LEADER, FOLLOWER));
    append(leader, "a", "b");
    follow(follower, 0);
    FakeLeaderEndpoint endpoint = new FakeLeaderEndpoint(FOLLOWER).lead(leader);
    ReplicaFetcherThread fetcher = fetcher(endpoint);
    fetcher.addPartition(follower, 0);
    fetcher.runOnce();
    fetcher.runOnce(); // the follower's next fetch moves the high watermark to 2
    assertThat(values(follower)).containsExactly("a", "b");
    assertThat(follower.highWatermark()).isEqualTo(2);
    // The leader's log is cut back to nothing, its epochs with it (a power loss before any
    // fsync), and it leads on without recording an epoch: it answers "unknown" for every epoch.
    leader.log().truncateFullyAndStartAt(0);
    assertThat(leader.log().latestEpoch()).isEqualTo(-1);

    fetcher.runOnce(); // out of range: 2 is beyond the leader's end
    for (int round = 0; round < 3; round++) {
      time.advance(BACKOFF_MS);
      fetcher.runOnce();
    }

    assertThat(follower.logEndOffset())
        .as(
            "cut to the leader's log end (not re-checking epochs and fetching out of range for ever)")
        .isZero();
    assertThat(endpoint.logEndRequests).as("asked once, after the first out-of-range").isEqualTo(1);
    append(leader, "c");
    time.advance(BACKOFF_MS);
    fetcher.runOnce();
    assertThat(values(follower)).containsExactly("c");
  }

  @Test
  void aFencedFetchWaitsForNewMetadataWithoutTouchingTheLog() {
    Partition leader = replica("leader", LEADER);
    Partition follower = replica("follower", FOLLOWER);
    lead(leader, 3, List.of(LEADER));
    append(leader, "a");
    follow(follower, 2);
    FakeLeaderEndpoint endpoint = new FakeLeaderEndpoint(FOLLOWER).lead(leader);
    ReplicaFetcherThread fetcher = fetcher(endpoint);
    fetcher.addPartition(follower, 2);

    fetcher.runOnce();
    assertThat(endpoint.fetchRequests).isEqualTo(1);
    assertThat(follower.logEndOffset()).as("epoch 2 is fenced by the leader's 3").isZero();
    fetcher.runOnce();
    assertThat(endpoint.fetchRequests).as("delayed until the backoff passes").isEqualTo(1);
  }

  // ---- helpers

  private Partition replica(String name, int brokerId) {
    PartitionLog log =
        PartitionLog.open(
            dir.resolve(name).resolve("t-0"),
            LogConfig.fromMap(LogConfig.defaultValues()),
            time,
            true);
    logs.add(log);
    return new Partition(
        tp, topicId, log, brokerId, List.of(LEADER, FOLLOWER), p -> {}, IsrExpansions.NONE, time);
  }

  /** {@code p} leads at {@code epoch} (makeLeader takes the leader from the local broker id). */
  private void lead(Partition p, int epoch, List<Integer> isr) {
    p.makeLeader(new PartitionState(-1, epoch, isr, 1, epoch), List.of(LEADER, FOLLOWER), 0);
  }

  private void follow(Partition follower, int epoch) {
    follower.makeFollower(
        new PartitionState(LEADER, epoch, List.of(LEADER), 1, epoch), List.of(LEADER, FOLLOWER));
  }

  private ReplicaFetcherThread fetcher(LeaderEndpoint endpoint) {
    return new ReplicaFetcherThread(LEADER, config, endpoint, time);
  }

  private void append(Partition p, String... values) {
    SimpleRecord[] records = new SimpleRecord[values.length];
    for (int i = 0; i < values.length; i++) {
      records[i] = new SimpleRecord(time.milliseconds(), values[i].getBytes());
    }
    p.appendAsLeader(MemoryRecords.withRecords(Compression.NONE, records), (short) 1);
  }

  private static List<String> values(Partition p) {
    List<String> out = new ArrayList<>();
    var records =
        p.log().read(p.logStartOffset(), Integer.MAX_VALUE, Long.MAX_VALUE, true).records();
    for (RecordBatch batch : records.batches()) {
      for (Record r : batch) {
        byte[] b = new byte[r.valueSize()];
        r.value().get(b);
        out.add(new String(b));
      }
    }
    return out;
  }
}
