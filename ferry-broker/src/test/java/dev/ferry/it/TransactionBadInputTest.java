package dev.ferry.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.ControlRecordType;
import org.apache.kafka.common.record.internal.EndTransactionMarker;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AddOffsetsToTxnRequest;
import org.apache.kafka.common.requests.AddOffsetsToTxnResponse;
import org.apache.kafka.common.requests.EndTxnRequest;
import org.apache.kafka.common.requests.EndTxnResponse;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.TxnOffsetCommitRequest;
import org.apache.kafka.common.requests.TxnOffsetCommitResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Transactional requests that must be refused, each with Kafka's error code and nothing appended: a
 * marker from a client, a transactional batch from a producer no coordinator knows, EndTxn with no
 * transaction open, and TxnOffsetCommit from a stale generation.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TransactionBadInputTest {

  private static final String TOPIC = "bad-txn";
  private static final TopicPartition TP = new TopicPartition(TOPIC, 0);

  @TempDir static Path dir;
  private TestBroker broker;

  @BeforeAll
  void start() throws Exception {
    broker = TestBroker.start(dir, TransactionsTest.brokerConfig());
    try (Admin admin = broker.admin()) {
      admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get();
    }
    // Creates __transaction_state, so this broker coordinates every transactional id.
    try (KafkaProducer<byte[], byte[]> warmup =
        broker.producer(Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "warmup"))) {
      warmup.initTransactions();
    }
  }

  @AfterAll
  void stop() {
    broker.close();
  }

  private long logEnd() throws Exception {
    try (Admin admin = broker.admin()) {
      return admin.listOffsets(Map.of(TP, OffsetSpec.latest())).partitionResult(TP).get().offset();
    }
  }

  private Errors produce(String transactionalId, MemoryRecords records) throws Exception {
    ProduceRequestData.TopicProduceData t =
        new ProduceRequestData.TopicProduceData().setName(TOPIC);
    t.partitionData()
        .add(new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records));
    ProduceRequestData d =
        new ProduceRequestData()
            .setAcks((short) -1)
            .setTimeoutMs(5000)
            .setTransactionalId(transactionalId);
    d.topicData().add(t);
    try (RawKafkaConnection c = RawKafkaConnection.to(broker)) {
      ProduceResponse r = (ProduceResponse) c.send(new ProduceRequest(d, (short) 11));
      return Errors.forCode(
          r.data().responses().iterator().next().partitionResponses().get(0).errorCode());
    }
  }

  @Test
  void aMarkerFromAClientIsInvalidRecord() throws Exception {
    long before = logEnd();
    MemoryRecords marker =
        MemoryRecords.withEndTransactionMarker(
            0L, 0L, 0, 4242L, (short) 0, new EndTransactionMarker(ControlRecordType.COMMIT, 0));
    assertThat(produce(null, marker)).isEqualTo(Errors.INVALID_RECORD);
    assertThat(logEnd()).isEqualTo(before);
  }

  @Test
  void aTransactionalBatchFromAnUnknownProducerIsRefused() throws Exception {
    long before = logEnd();
    MemoryRecords batch =
        MemoryRecords.withTransactionalRecords(
            Compression.NONE, 987_654L, (short) 0, 0, new SimpleRecord(Records.utf8("ghost")));
    // No coordinator knows "ghost" (v1 verification fails): refused, not appended.
    assertThat(produce("ghost", batch))
        .isIn(Errors.INVALID_PRODUCER_ID_MAPPING, Errors.INVALID_TXN_STATE);
    assertThat(logEnd()).isEqualTo(before);
  }

  private InitProducerIdResponse init(RawKafkaConnection c, String id) throws Exception {
    return (InitProducerIdResponse)
        c.send(
            new InitProducerIdRequest.Builder(
                    new InitProducerIdRequestData()
                        .setTransactionalId(id)
                        .setTransactionTimeoutMs(60_000))
                .build((short) 4));
  }

  @Test
  void endTxnWithNoTransactionOpenIsInvalidTxnState() throws Exception {
    try (RawKafkaConnection c = RawKafkaConnection.to(broker)) {
      InitProducerIdResponse p = init(c, "idle-txn");
      assertThat(p.error()).isEqualTo(Errors.NONE);
      EndTxnResponse r =
          (EndTxnResponse)
              c.send(
                  new EndTxnRequest.Builder(
                          new EndTxnRequestData()
                              .setTransactionalId("idle-txn")
                              .setProducerId(p.data().producerId())
                              .setProducerEpoch(p.data().producerEpoch())
                              .setCommitted(true),
                          false)
                      .build((short) 4));
      assertThat(r.error()).isEqualTo(Errors.INVALID_TXN_STATE);
    }
  }

  @Test
  void txnOffsetCommitFromAStaleGenerationIsIllegalGeneration() throws Exception {
    String group = "bad-gen";
    Map<String, Object> cc = new HashMap<>();
    cc.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    try (KafkaConsumer<byte[], byte[]> member = broker.consumer(cc);
        RawKafkaConnection c = RawKafkaConnection.to(broker)) {
      member.subscribe(List.of(TOPIC));
      Records.pollUntil(
          member, got -> member.groupMetadata().generationId() > 0, Duration.ofSeconds(30));
      int generation = member.groupMetadata().generationId();
      assertThat(generation).isPositive();

      InitProducerIdResponse p = init(c, "gen-txn");
      AddOffsetsToTxnResponse added =
          (AddOffsetsToTxnResponse)
              c.send(
                  new AddOffsetsToTxnRequest(
                      new AddOffsetsToTxnRequestData()
                          .setTransactionalId("gen-txn")
                          .setProducerId(p.data().producerId())
                          .setProducerEpoch(p.data().producerEpoch())
                          .setGroupId(group),
                      (short) 3));
      assertThat(Errors.forCode(added.data().errorCode())).isEqualTo(Errors.NONE);

      TxnOffsetCommitRequestData commit =
          new TxnOffsetCommitRequestData()
              .setTransactionalId("gen-txn")
              .setGroupId(group)
              .setProducerId(p.data().producerId())
              .setProducerEpoch(p.data().producerEpoch())
              .setGenerationIdOrMemberEpoch(generation + 5)
              .setMemberId(member.groupMetadata().memberId())
              .setTopics(
                  List.of(
                      new TxnOffsetCommitRequestTopic()
                          .setName(TOPIC)
                          .setPartitions(
                              List.of(
                                  new TxnOffsetCommitRequestPartition()
                                      .setPartitionIndex(0)
                                      .setCommittedOffset(7)))));
      TxnOffsetCommitResponse r =
          (TxnOffsetCommitResponse) c.send(new TxnOffsetCommitRequest(commit, (short) 3));
      assertThat(r.data().topics().get(0).partitions().get(0).errorCode())
          .isEqualTo(Errors.ILLEGAL_GENERATION.code());
    }
    try (Admin admin = broker.admin()) {
      assertThat(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get())
          .doesNotContainKey(TP);
    }
  }
}
