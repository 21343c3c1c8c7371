package dev.ferry.server.produce;

import static dev.ferry.server.LocalPartitions.BROKER;
import static dev.ferry.server.LocalPartitions.FOLLOWER;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.replication.FetchParams;
import dev.ferry.replication.Partition;
import dev.ferry.server.LocalPartitions;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceDataCollection;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ProduceHandler} against local partitions on a manual clock: acks=1 answers after the
 * append, acks=all waits for the follower's progress or the request timeout, and refusals answer at
 * once without appending.
 */
class ProduceHandlerTest {

  private static final int EPOCH = 1;
  private static final int TIMEOUT_MS = 3_000;

  @TempDir Path dir;

  private LocalPartitions local;
  private ProduceHandler handler;
  private Partition replicated;

  @BeforeEach
  void start() {
    local = new LocalPartitions(dir);
    local.lead("solo", EPOCH, List.of(BROKER), 1);
    replicated = local.lead("replicated", EPOCH, List.of(BROKER, FOLLOWER), 2);
    handler = new ProduceHandler(local.metadata, local.replicas);
  }

  @AfterEach
  void stop() {
    local.close();
  }

  @Test
  void acksOneAnswersWithTheOffsetsOnceAppended() throws Exception {
    only(produce("solo", (short) 1, "a", "b"));
    PartitionProduceResponse second = only(produce("solo", (short) 1, "c"));
    assertThat(second.errorCode()).isEqualTo(Errors.NONE.code());
    assertThat(second.baseOffset()).isEqualTo(2);
    assertThat(second.logAppendTimeMs()).isEqualTo(-1);
    assertThat(readAll("solo")).containsExactly("a", "b", "c");
  }

  @Test
  void acksAllWaitsUntilTheFollowerHasTheRecords() throws Exception {
    CompletableFuture<AbstractResponse> f = produce("replicated", (short) -1, "a", "b");
    assertThat(f).isNotDone();

    replicated.read(FetchParams.follower(FOLLOWER), 1, EPOCH, 1 << 20, true);
    assertThat(f).as("the follower has offset 0 only").isNotDone();
    replicated.read(FetchParams.follower(FOLLOWER), 2, EPOCH, 1 << 20, true);

    PartitionProduceResponse r = only(f);
    assertThat(r.errorCode()).isEqualTo(Errors.NONE.code());
    assertThat(r.baseOffset()).isZero();
  }

  @Test
  void acksAllTimesOutAtTheRequestTimeout() throws Exception {
    CompletableFuture<AbstractResponse> f = produce("replicated", (short) -1, "a");
    local.clock.advance(TIMEOUT_MS - 1);
    assertThat(f).isNotDone();
    local.clock.advance(1);
    PartitionProduceResponse r = only(f);
    assertThat(r.errorCode()).isEqualTo(Errors.REQUEST_TIMED_OUT.code());
    assertThat(r.baseOffset()).isEqualTo(ProduceResponse.INVALID_OFFSET);
    assertThat(readAll("replicated"))
        .as("appended on the leader all the same: the client retries")
        .containsExactly("a");
  }

  @Test
  void refusalsAnswerAtOnceAndAppendNothing() throws Exception {
    assertThat(only(produce("nope", (short) 1, "a")).errorCode())
        .isEqualTo(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
    assertThat(only(produce("solo", (short) 2, "a")).errorCode())
        .isEqualTo(Errors.INVALID_REQUIRED_ACKS.code());
    // min.insync.replicas=2 with one replica in the ISR.
    local.lead("short", EPOCH, List.of(BROKER), 2);
    assertThat(only(produce("short", (short) -1, "a")).errorCode())
        .isEqualTo(Errors.NOT_ENOUGH_REPLICAS.code());
    assertThat(readAll("solo")).isEmpty();
    assertThat(readAll("short")).isEmpty();
  }

  /** A Produce v12 (topic names) of one batch to partition 0 of {@code topic}. */
  private CompletableFuture<AbstractResponse> produce(String topic, short acks, String... values) {
    TopicProduceDataCollection topics = new TopicProduceDataCollection();
    topics.add(
        new TopicProduceData()
            .setName(topic)
            .setPartitionData(
                List.of(
                    new PartitionProduceData()
                        .setIndex(0)
                        .setRecords(LocalPartitions.records(local.clock, values)))));
    ProduceRequest request =
        new ProduceRequest(
            new ProduceRequestData().setAcks(acks).setTimeoutMs(TIMEOUT_MS).setTopicData(topics),
            (short) 12);
    return handler.handle(LocalPartitions.request(ApiKeys.PRODUCE, request, 1));
  }

  private List<String> readAll(String topic) {
    Partition p = local.replicas.partition(new org.apache.kafka.common.TopicPartition(topic, 0));
    return LocalPartitions.values(
        p.read(FetchParams.localLogEnd(), p.logStartOffset(), -1, 1 << 20, true).records());
  }

  private static PartitionProduceResponse only(CompletableFuture<AbstractResponse> f)
      throws Exception {
    assertThat(f).isDone();
    ProduceResponse response = (ProduceResponse) f.get();
    assertThat(response.data().responses()).hasSize(1);
    return response.data().responses().iterator().next().partitionResponses().get(0);
  }
}
