package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Idempotent produce at the protocol level: a retried batch is answered with its original offsets
 * and not written twice, a retry older than the remembered batches with DUPLICATE_SEQUENCE_NUMBER
 * (which the client counts as delivered), a sequence gap is refused, and the producer state
 * survives a restart.
 */
class IdempotentProduceTest {

  private static final String TOPIC = "idempotent";
  private static final short PRODUCE_VERSION = 9;

  @TempDir Path dir;

  @Test
  void duplicatesAreAnsweredWithOriginalOffsetsAndGapsAreRejected() throws Exception {
    try (TestBroker broker = TestBroker.start(dir)) {
      createTopic(broker);
      long pid;
      short epoch;
      try (RawKafkaConnection c = RawKafkaConnection.to(broker)) {
        InitProducerIdResponse init =
            (InitProducerIdResponse)
                c.send(
                    new InitProducerIdRequest.Builder(
                            new InitProducerIdRequestData()
                                .setTransactionalId(null)
                                .setTransactionTimeoutMs(60_000))
                        .build((short) 4));
        assertThat(init.error()).isEqualTo(Errors.NONE);
        pid = init.data().producerId();
        epoch = init.data().producerEpoch();
        assertThat(pid).isGreaterThanOrEqualTo(0);

        assertThat(produce(c, pid, epoch, 0, "a", "b", "c").baseOffset()).isZero();
        assertThat(produce(c, pid, epoch, 3, "d").baseOffset()).isEqualTo(3);
        // The retry of the first batch: same sequence, same content.
        PartitionProduceResponse dup = produce(c, pid, epoch, 0, "a", "b", "c");
        assertThat(dup.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(dup.baseOffset()).isZero();
        // A gap: sequence 10 when 4 is next.
        PartitionProduceResponse gap = produce(c, pid, epoch, 10, "z");
        assertThat(Errors.forCode(gap.errorCode())).isEqualTo(Errors.OUT_OF_ORDER_SEQUENCE_NUMBER);
        assertThat(produce(c, pid, epoch, 4, "e").baseOffset()).isEqualTo(4);
      }

      broker.restart();
      try (RawKafkaConnection c = RawKafkaConnection.to(broker)) {
        // The state came back from disk: a retry of the last batch is still recognised.
        PartitionProduceResponse dup = produce(c, pid, epoch, 4, "e");
        assertThat(dup.errorCode()).isEqualTo(Errors.NONE.code());
        assertThat(dup.baseOffset()).isEqualTo(4);
        assertThat(produce(c, pid, epoch, 5, "f").baseOffset()).isEqualTo(5);
      }
      assertThat(values(broker, 6)).containsExactly("a", "b", "c", "d", "e", "f");
    }
  }

  /**
   * A client whose batches straddle a leader change retries, at the new leader, batches that were
   * written before more recent ones: older than the five whose offsets the broker keeps.
   */
  @Test
  void aRetryOlderThanTheRememberedBatchesIsADuplicateWithoutOffset() throws Exception {
    try (TestBroker broker = TestBroker.start(dir)) {
      createTopic(broker);
      try (RawKafkaConnection c = RawKafkaConnection.to(broker)) {
        long pid = 4242;
        short epoch = 0;
        for (int seq = 0; seq < 7; seq++) {
          assertThat(produce(c, pid, epoch, seq, "r" + seq).baseOffset()).isEqualTo(seq);
        }
        PartitionProduceResponse old = produce(c, pid, epoch, 1, "r1");
        assertThat(Errors.forCode(old.errorCode())).isEqualTo(Errors.DUPLICATE_SEQUENCE_NUMBER);
        assertThat(old.baseOffset()).isEqualTo(-1);
        PartitionProduceResponse recent = produce(c, pid, epoch, 5, "r5");
        assertThat(Errors.forCode(recent.errorCode())).isEqualTo(Errors.NONE);
        assertThat(recent.baseOffset()).isEqualTo(5);
        assertThat(produce(c, pid, epoch, 7, "r7").baseOffset()).isEqualTo(7);
      }
      assertThat(values(broker, 8)).containsExactly("r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7");
    }
  }

  /** The values of the topic's first {@code count} records, read from the start. */
  private static List<String> values(TestBroker broker, int count) {
    try (var consumer = broker.consumer(java.util.Map.of())) {
      var tp = new org.apache.kafka.common.TopicPartition(TOPIC, 0);
      consumer.assign(List.of(tp));
      consumer.seekToBeginning(List.of(tp));
      return Records.pollUntil(consumer, count, java.time.Duration.ofSeconds(20)).stream()
          .map(r -> Records.str(r.value()))
          .toList();
    }
  }

  private static void createTopic(TestBroker broker) throws Exception {
    try (Admin admin = broker.admin()) {
      admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
    }
  }

  private static PartitionProduceResponse produce(
      RawKafkaConnection c, long pid, short epoch, int sequence, String... values)
      throws IOException {
    SimpleRecord[] records = new SimpleRecord[values.length];
    for (int i = 0; i < values.length; i++) {
      records[i] = new SimpleRecord(1_000L + i, null, Records.utf8(values[i]));
    }
    MemoryRecords batch =
        MemoryRecords.withIdempotentRecords(Compression.NONE, pid, epoch, sequence, records);
    ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000);
    ProduceRequestData.TopicProduceData topic =
        new ProduceRequestData.TopicProduceData().setName(TOPIC);
    topic
        .partitionData()
        .add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(batch));
    data.topicData().add(topic);
    ProduceResponse response =
        (ProduceResponse) c.send(ProduceRequest.builder(data).build(PRODUCE_VERSION));
    return response.data().responses().iterator().next().partitionResponses().get(0);
  }
}
