package dev.ferry.server.fetch;

import static dev.ferry.server.LocalPartitions.BROKER;
import static dev.ferry.server.LocalPartitions.FOLLOWER;
import static dev.ferry.server.LocalPartitions.values;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.metadata.PartitionState;
import dev.ferry.replication.Partition;
import dev.ferry.server.LocalPartitions;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.FetchRequestData.ReplicaState;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FetchHandler} against local partitions on a manual clock: a long poll completes when
 * records arrive and expires at its max wait, follower fetches wake on appends, errors answer at
 * once, and a lost leadership wakes parked fetches.
 */
class FetchHandlerTest {

  private static final int EPOCH = 2;
  private static final int MAX_WAIT_MS = 500;

  @TempDir Path dir;

  private LocalPartitions local;
  private FetchHandler handler;
  private Partition solo;
  private Partition replicated;

  @BeforeEach
  void start() {
    local = new LocalPartitions(dir);
    solo = local.lead("solo", EPOCH, List.of(BROKER), 1);
    replicated = local.lead("replicated", EPOCH, List.of(BROKER, FOLLOWER), 1);
    handler = new FetchHandler(local.metadata, local.replicas, local.clock);
  }

  @AfterEach
  void stop() {
    local.close();
  }

  @Test
  void aLongPollCompletesWhenRecordsArrive() throws Exception {
    CompletableFuture<AbstractResponse> f = fetch(-1, "solo", 0, EPOCH);
    assertThat(f).isNotDone();
    assertThat(handler.parkedFetches()).isEqualTo(1);

    local.clock.advance(100);
    local.append("solo", "a", "b");

    PartitionData p = only(f);
    assertThat(p.errorCode()).isEqualTo(Errors.NONE.code());
    assertThat(values(p.records())).containsExactly("a", "b");
    assertThat(p.highWatermark()).isEqualTo(2);
    assertThat(handler.parkedFetches()).isZero();
  }

  @Test
  void aLongPollExpiresAtItsMaxWaitWithWhatIsThere() throws Exception {
    CompletableFuture<AbstractResponse> f = fetch(-1, "solo", 0, EPOCH);
    local.clock.advance(MAX_WAIT_MS - 1);
    assertThat(f).isNotDone();
    local.clock.advance(1);

    PartitionData p = only(f);
    assertThat(p.errorCode()).isEqualTo(Errors.NONE.code());
    assertThat(values(p.records())).isEmpty();
    assertThat(p.highWatermark()).isZero();
    assertThat(handler.parkedFetches()).isZero();
  }

  @Test
  void aFollowerFetchWakesOnAppendWhileConsumersWaitForTheHighWatermark() throws Exception {
    CompletableFuture<AbstractResponse> consumer = fetch(-1, "replicated", 0, EPOCH);
    CompletableFuture<AbstractResponse> follower = fetch(FOLLOWER, "replicated", 0, EPOCH);
    local.append("replicated", "a");

    PartitionData p = only(follower);
    assertThat(values(p.records())).as("followers read to the log end").containsExactly("a");
    assertThat(p.highWatermark()).as("not replicated yet").isZero();
    assertThat(consumer).as("the high watermark has not moved").isNotDone();

    // The follower's next fetch says it has offset 0: the high watermark moves, the consumer wakes.
    CompletableFuture<AbstractResponse> next = fetch(FOLLOWER, "replicated", 1, EPOCH);
    assertThat(values(only(consumer).records())).containsExactly("a");
    assertThat(next).as("nothing new for the follower: it waits").isNotDone();
    local.clock.advance(MAX_WAIT_MS);
    assertThat(only(next).highWatermark()).isEqualTo(1);
  }

  @Test
  void aStaleLeaderEpochOrAnOffsetOutOfRangeIsAnsweredAtOnce() throws Exception {
    assertThat(only(fetch(-1, "solo", 0, EPOCH - 1)).errorCode())
        .isEqualTo(Errors.FENCED_LEADER_EPOCH.code());
    assertThat(only(fetch(-1, "solo", 0, EPOCH + 1)).errorCode())
        .isEqualTo(Errors.UNKNOWN_LEADER_EPOCH.code());
    local.append("solo", "a");
    PartitionData outOfRange = only(fetch(-1, "solo", 5, EPOCH));
    assertThat(outOfRange.errorCode()).isEqualTo(Errors.OFFSET_OUT_OF_RANGE.code());
    assertThat(outOfRange.highWatermark())
        .as("a consumer is told no offsets, as in Kafka: it resets with ListOffsets")
        .isEqualTo(-1);
    PartitionData followerOutOfRange = only(fetch(FOLLOWER, "solo", 5, EPOCH));
    assertThat(followerOutOfRange.errorCode()).isEqualTo(Errors.OFFSET_OUT_OF_RANGE.code());
    assertThat(followerOutOfRange.highWatermark())
        .as("a follower learns where the leader's log is")
        .isEqualTo(1);
    assertThat(followerOutOfRange.logStartOffset()).isZero();
    assertThat(handler.parkedFetches()).isZero();
  }

  @Test
  void losingLeadershipWakesAParkedFetch() throws Exception {
    CompletableFuture<AbstractResponse> f = fetch(-1, "solo", 0, EPOCH);
    local.replicas.makeFollower(
        new TopicPartition("solo", 0),
        solo.topicId(),
        local.logConfig,
        new PartitionState(FOLLOWER, EPOCH + 1, List.of(FOLLOWER), 1, EPOCH + 1),
        List.of(BROKER, FOLLOWER),
        1);
    assertThat(only(f).errorCode()).isEqualTo(Errors.NOT_LEADER_OR_FOLLOWER.code());
  }

  /** A Fetch v17 (topic ids) for partition 0 of {@code topic}, min 1 byte, 500 ms max wait. */
  private CompletableFuture<AbstractResponse> fetch(
      int replicaId, String topic, long offset, int currentLeaderEpoch) {
    Uuid id = local.metadata.topic(topic).orElseThrow().topicId();
    FetchRequestData data =
        new FetchRequestData()
            .setReplicaState(new ReplicaState().setReplicaId(replicaId).setReplicaEpoch(-1))
            .setMaxWaitMs(MAX_WAIT_MS)
            .setMinBytes(1)
            .setMaxBytes(1 << 20)
            .setSessionId(0)
            .setSessionEpoch(-1)
            .setTopics(
                List.of(
                    new FetchTopic()
                        .setTopicId(id)
                        .setPartitions(
                            List.of(
                                new FetchPartition()
                                    .setPartition(0)
                                    .setCurrentLeaderEpoch(currentLeaderEpoch)
                                    .setFetchOffset(offset)
                                    .setPartitionMaxBytes(1 << 20)))));
    FetchRequest request = new FetchRequest(data, ApiKeys.FETCH.latestVersion());
    return handler.handle(LocalPartitions.request(ApiKeys.FETCH, request, 1));
  }

  private static PartitionData only(CompletableFuture<AbstractResponse> f) throws Exception {
    assertThat(f).isDone();
    FetchResponse response = (FetchResponse) f.get();
    assertThat(response.data().responses()).hasSize(1);
    assertThat(response.data().responses().get(0).partitions()).hasSize(1);
    return response.data().responses().get(0).partitions().get(0);
  }
}
