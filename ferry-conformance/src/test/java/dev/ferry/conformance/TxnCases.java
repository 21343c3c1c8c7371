package dev.ferry.conformance;

import static dev.ferry.conformance.Fixture.TOPIC;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.AddOffsetsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopic;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTopicCollection;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransaction;
import org.apache.kafka.common.message.AddPartitionsToTxnRequestData.AddPartitionsToTxnTransactionCollection;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeTransactionsRequestData;
import org.apache.kafka.common.message.EndTxnRequestData;
import org.apache.kafka.common.message.EndTxnResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.message.ListTransactionsRequestData;
import org.apache.kafka.common.message.TxnOffsetCommitRequestData;
import org.apache.kafka.common.message.WriteTxnMarkersRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;

/**
 * The transactional APIs: whole transactions (InitProducerId with a transactional id, add
 * partitions, add offsets, transactional offset commit, commit or abort) with the API under test at
 * each version and the others at the highest common one; the coordinator's views
 * (DescribeTransactions, ListTransactions), DescribeProducers and the broker-to-broker
 * WriteTxnMarkers; and the errors a client meets (fenced epochs, unknown ids, wrong states, too
 * long timeouts, unknown partitions).
 *
 * <p>Each transactional id is named after the case and the version its API runs at, so runs never
 * share coordinator state; producer ids are each side's own (remembered from its answers).
 */
final class TxnCases {

  /** Above Kafka's default transaction.max.timeout.ms (15 minutes). */
  private static final int TOO_LONG_TIMEOUT_MS = 16 * 60 * 1000;

  private TxnCases() {}

  static List<Case> all() {
    List<Case> c = new ArrayList<>();
    c.add(
        Case.of(
            ApiKeys.INIT_PRODUCER_ID,
            "transactional",
            init("ti", 60_000),
            // Again with the same id: the epoch is bumped (v3+: with the current id and epoch).
            init("ti", 60_000)));
    c.add(
        Case.of(
            ApiKeys.INIT_PRODUCER_ID,
            "timeout-too-long",
            Exchange.of(
                ApiKeys.INIT_PRODUCER_ID,
                (s, v) ->
                    new InitProducerIdRequestData()
                        .setTransactionalId(txnId("tit", s, v))
                        .setTransactionTimeoutMs(TOO_LONG_TIMEOUT_MS))));
    c.add(
        Case.of(
            ApiKeys.INIT_PRODUCER_ID,
            "empty-transactional-id",
            Exchange.of(
                ApiKeys.INIT_PRODUCER_ID,
                (s, v) ->
                    new InitProducerIdRequestData()
                        .setTransactionalId("")
                        .setTransactionTimeoutMs(60_000))));
    c.add(
        Case.of(
            ApiKeys.ADD_PARTITIONS_TO_TXN,
            "add-known-and-unknown",
            init("ta", 60_000).uncompared(),
            addPartitions("ta", TOPIC, List.of(0, 1), false),
            // Again: partitions already in the transaction are accepted once more.
            addPartitions("ta", TOPIC, List.of(1), false),
            addPartitions("ta", TOPIC, List.of(99), false),
            addPartitions("ta", "conf-no-such-topic", List.of(0), false),
            endTxn("ta", false).uncompared()));
    c.add(
        Case.of(
                ApiKeys.ADD_PARTITIONS_TO_TXN,
                "verify-only",
                init("tv", 60_000).uncompared(),
                addPartitions("tv", TOPIC, List.of(0), false).uncompared(),
                addPartitions("tv", TOPIC, List.of(0, 2), true),
                endTxn("tv", false).uncompared())
            .from(4));
    c.add(
        Case.of(
            ApiKeys.ADD_PARTITIONS_TO_TXN,
            "unknown-transactional-id",
            Exchange.of(
                ApiKeys.ADD_PARTITIONS_TO_TXN,
                (s, v) -> addPartitionsData(v, txnId("tu", s, v), 4242L, (short) 0, TOPIC, 0))));
    c.add(
        Case.of(
            ApiKeys.ADD_PARTITIONS_TO_TXN,
            "fenced-epoch",
            init("tf", 60_000).uncompared(),
            Exchange.of(
                ApiKeys.ADD_PARTITIONS_TO_TXN,
                (s, v) -> {
                  String id = txnId("tf", s, v);
                  return addPartitionsData(
                      v, id, producerId(s, id), (short) (epoch(s, id) + 5), TOPIC, 0);
                })));
    c.add(
        Case.of(
            ApiKeys.ADD_OFFSETS_TO_TXN,
            "add-offsets",
            init("to", 60_000).uncompared(),
            addOffsets("to", "conf-txn-group"),
            addOffsets("to", "conf-txn-group"),
            endTxn("to", false).uncompared()));
    c.add(
        Case.of(
            ApiKeys.ADD_OFFSETS_TO_TXN,
            "unknown-transactional-id",
            Exchange.of(
                ApiKeys.ADD_OFFSETS_TO_TXN,
                (s, v) ->
                    new AddOffsetsToTxnRequestData()
                        .setTransactionalId(txnId("tou", s, v))
                        .setProducerId(4242L)
                        .setProducerEpoch((short) 0)
                        .setGroupId("conf-txn-group"))));
    c.add(
        Case.of(
            ApiKeys.TXN_OFFSET_COMMIT,
            "commit-in-transaction",
            init("tc", 60_000).uncompared(),
            addOffsets("tc", "conf-txn-group-c").uncompared(),
            txnOffsetCommit("tc", "conf-txn-group-c", TOPIC, 0, 5L),
            txnOffsetCommit("tc", "conf-txn-group-c", TOPIC, 99, 5L),
            endTxn("tc", true).uncompared()));
    c.add(
        Case.of(
            ApiKeys.TXN_OFFSET_COMMIT,
            "unknown-producer",
            Exchange.of(
                ApiKeys.TXN_OFFSET_COMMIT,
                (s, v) ->
                    txnOffsetCommitData(
                        s, v, txnId("tcu", s, v), "conf-txn-group-u", 4242L, (short) 0, 0, 1L))));
    c.add(
        Case.of(
            ApiKeys.END_TXN,
            "commit",
            init("te", 60_000).uncompared(),
            addPartitions("te", TOPIC, List.of(0), false).uncompared(),
            // Not repeated at once: Kafka writes the markers asynchronously, so a second EndTxn
            // right after gets CONCURRENT_TRANSACTIONS or NONE depending on timing
            // ("nothing-open" covers EndTxn with no transaction).
            endTxn("te", true)));
    c.add(
        Case.of(
            ApiKeys.END_TXN,
            "abort",
            init("tab", 60_000).uncompared(),
            addPartitions("tab", TOPIC, List.of(1), false).uncompared(),
            endTxn("tab", false)));
    c.add(
        Case.of(
            ApiKeys.END_TXN,
            "nothing-open",
            init("ten", 60_000).uncompared(),
            endTxn("ten", true),
            endTxn("ten", false)));
    c.add(
        Case.of(
            ApiKeys.END_TXN,
            "fenced-epoch",
            init("tef", 60_000).uncompared(),
            Exchange.of(
                ApiKeys.END_TXN,
                (s, v) -> {
                  String id = txnId("tef", s, v);
                  return new EndTxnRequestData()
                      .setTransactionalId(id)
                      .setProducerId(producerId(s, id))
                      .setProducerEpoch((short) (epoch(s, id) - 1))
                      .setCommitted(true);
                })));
    c.add(
        Case.of(
            ApiKeys.END_TXN,
            "unknown-transactional-id",
            Exchange.of(
                ApiKeys.END_TXN,
                (s, v) ->
                    new EndTxnRequestData()
                        .setTransactionalId(txnId("teu", s, v))
                        .setProducerId(4242L)
                        .setProducerEpoch((short) 0)
                        .setCommitted(false))));
    c.add(
        Case.of(
            ApiKeys.DESCRIBE_TRANSACTIONS,
            "ongoing-empty-and-unknown",
            init("td", 60_000).uncompared(),
            init("tde", 60_000).uncompared(),
            addPartitions("td", TOPIC, List.of(2, 0), false).uncompared(),
            Exchange.of(
                ApiKeys.DESCRIBE_TRANSACTIONS,
                (s, v) ->
                    new DescribeTransactionsRequestData()
                        .setTransactionalIds(
                            List.of(txnId("td", s, v), txnId("tde", s, v), "conf-no-such-txn"))),
            endTxn("td", false).uncompared()));
    c.add(
        Case.of(
            ApiKeys.LIST_TRANSACTIONS,
            "filters",
            init("tl", 60_000).uncompared(),
            addPartitions("tl", TOPIC, List.of(0), false).uncompared(),
            listTransactions(List.of("Ongoing"), -1L),
            listTransactions(List.of("NoSuchState"), -1L),
            endTxn("tl", false).uncompared()));
    c.add(
        Case.of(
            ApiKeys.DESCRIBE_PRODUCERS,
            "known-and-unknown",
            Exchange.of(
                ApiKeys.DESCRIBE_PRODUCERS,
                (s, v) -> {
                  DescribeProducersRequestData d = new DescribeProducersRequestData();
                  d.topics()
                      .add(
                          new DescribeProducersRequestData.TopicRequest()
                              .setName(Fixture.COMPACTED)
                              .setPartitionIndexes(List.of(0, 7)));
                  d.topics()
                      .add(
                          new DescribeProducersRequestData.TopicRequest()
                              .setName("conf-no-such-topic")
                              .setPartitionIndexes(List.of(0)));
                  return d;
                })));
    c.add(
        Case.of(
            ApiKeys.WRITE_TXN_MARKERS,
            "unknown-partitions",
            Exchange.of(
                ApiKeys.WRITE_TXN_MARKERS,
                (s, v) -> {
                  WriteTxnMarkersRequestData.WritableTxnMarker m =
                      new WriteTxnMarkersRequestData.WritableTxnMarker()
                          .setProducerId(4242L)
                          .setProducerEpoch((short) 0)
                          .setTransactionResult(false)
                          .setCoordinatorEpoch(0)
                          .setTopics(
                              List.of(
                                  new WriteTxnMarkersRequestData.WritableTxnMarkerTopic()
                                      .setName(TOPIC)
                                      .setPartitionIndexes(List.of(99)),
                                  new WriteTxnMarkersRequestData.WritableTxnMarkerTopic()
                                      .setName("conf-no-such-topic")
                                      .setPartitionIndexes(List.of(0))));
                  if (v >= 2) {
                    m.setTransactionVersion((byte) 2);
                  }
                  return new WriteTxnMarkersRequestData().setMarkers(List.of(m));
                })));
    return c;
  }

  /** The transactional id of this exchange: prefix, then the version the case's API runs at. */
  static String txnId(String prefix, SideContext s, short v) {
    return "conf-" + prefix + "-v" + s.recall(Conformance.CASE_VERSION, v);
  }

  static long producerId(SideContext s, String txnId) {
    return s.recall("pid:" + txnId, -1L);
  }

  static short epoch(SideContext s, String txnId) {
    return s.recall("epoch:" + txnId, (short) -1);
  }

  /** InitProducerId for the case's transactional id; remembers the id and epoch handed out. */
  static Exchange init(String prefix, int timeoutMs) {
    return Exchange.of(
            ApiKeys.INIT_PRODUCER_ID,
            (s, v) -> {
              String id = txnId(prefix, s, v);
              InitProducerIdRequestData d =
                  new InitProducerIdRequestData()
                      .setTransactionalId(id)
                      .setTransactionTimeoutMs(timeoutMs);
              if (v >= 3) {
                d.setProducerId(producerId(s, id)).setProducerEpoch(epoch(s, id));
              }
              return d;
            })
        .then(
            (s, r) -> {
              InitProducerIdResponseData d = (InitProducerIdResponseData) r.data();
              if (d.errorCode() == Errors.NONE.code()) {
                String id = txnId(prefix, s, (short) -1);
                s.remember("pid:" + id, d.producerId());
                s.remember("epoch:" + id, d.producerEpoch());
              }
            });
  }

  static Exchange addPartitions(
      String prefix, String topic, List<Integer> partitions, boolean verifyOnly) {
    return Exchange.of(
        ApiKeys.ADD_PARTITIONS_TO_TXN,
        (s, v) -> {
          String id = txnId(prefix, s, v);
          AddPartitionsToTxnRequestData d =
              addPartitionsData(v, id, producerId(s, id), epoch(s, id), topic, partitions);
          if (verifyOnly) {
            d.transactions().forEach(t -> t.setVerifyOnly(true));
          }
          return d;
        });
  }

  /** Adds partition 0 of the topic {@code topic} names for this side and version. */
  static Exchange addPartitionsByTopic(String prefix, TxnDataCasesTopic topic) {
    return Exchange.of(
        ApiKeys.ADD_PARTITIONS_TO_TXN,
        (s, v) -> {
          String id = txnId(prefix, s, v);
          return addPartitionsData(
              v, id, producerId(s, id), epoch(s, id), topic.of(prefix, s, v), List.of(0));
        });
  }

  /** A topic named per case prefix, side and version. */
  interface TxnDataCasesTopic {
    String of(String prefix, SideContext s, short v);
  }

  static AddPartitionsToTxnRequestData addPartitionsData(
      short v, String id, long pid, short epoch, String topic, int partition) {
    return addPartitionsData(v, id, pid, epoch, topic, List.of(partition));
  }

  static AddPartitionsToTxnRequestData addPartitionsData(
      short v, String id, long pid, short epoch, String topic, List<Integer> partitions) {
    AddPartitionsToTxnTopicCollection topics = new AddPartitionsToTxnTopicCollection();
    topics.add(new AddPartitionsToTxnTopic().setName(topic).setPartitions(partitions));
    if (v <= 3) {
      return new AddPartitionsToTxnRequestData()
          .setV3AndBelowTransactionalId(id)
          .setV3AndBelowProducerId(pid)
          .setV3AndBelowProducerEpoch(epoch)
          .setV3AndBelowTopics(topics);
    }
    AddPartitionsToTxnTransactionCollection txns = new AddPartitionsToTxnTransactionCollection();
    txns.add(
        new AddPartitionsToTxnTransaction()
            .setTransactionalId(id)
            .setProducerId(pid)
            .setProducerEpoch(epoch)
            .setTopics(topics));
    return new AddPartitionsToTxnRequestData().setTransactions(txns);
  }

  static Exchange addOffsets(String prefix, String group) {
    return Exchange.of(
        ApiKeys.ADD_OFFSETS_TO_TXN,
        (s, v) -> {
          String id = txnId(prefix, s, v);
          return new AddOffsetsToTxnRequestData()
              .setTransactionalId(id)
              .setProducerId(producerId(s, id))
              .setProducerEpoch(epoch(s, id))
              .setGroupId(group);
        });
  }

  static Exchange txnOffsetCommit(
      String prefix, String group, String topic, int partition, long offset) {
    return Exchange.of(
        ApiKeys.TXN_OFFSET_COMMIT,
        (s, v) -> {
          String id = txnId(prefix, s, v);
          TxnOffsetCommitRequestData d =
              txnOffsetCommitData(
                  s, v, id, group, producerId(s, id), epoch(s, id), partition, offset);
          if (!topic.equals(TOPIC)) {
            d.topics().get(0).setName(topic);
          }
          return d;
        });
  }

  static TxnOffsetCommitRequestData txnOffsetCommitData(
      SideContext s,
      short v,
      String id,
      String group,
      long pid,
      short epoch,
      int partition,
      long offset) {
    TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic t =
        new TxnOffsetCommitRequestData.TxnOffsetCommitRequestTopic();
    DataCases.nameOrId(s, v, 6, TOPIC, t::setName, t::setTopicId);
    t.setPartitions(
        List.of(
            new TxnOffsetCommitRequestData.TxnOffsetCommitRequestPartition()
                .setPartitionIndex(partition)
                .setCommittedOffset(offset)
                .setCommittedMetadata("m")));
    return new TxnOffsetCommitRequestData()
        .setTransactionalId(id)
        .setGroupId(group)
        .setProducerId(pid)
        .setProducerEpoch(epoch)
        .setTopics(List.of(t));
  }

  /** Commit or abort; remembers the epoch a v5 answer hands back (KIP-890 bumps it). */
  static Exchange endTxn(String prefix, boolean commit) {
    return Exchange.of(
            ApiKeys.END_TXN,
            (s, v) -> {
              String id = txnId(prefix, s, v);
              return new EndTxnRequestData()
                  .setTransactionalId(id)
                  .setProducerId(producerId(s, id))
                  .setProducerEpoch(epoch(s, id))
                  .setCommitted(commit);
            })
        .then(
            (s, r) -> {
              EndTxnResponseData d = (EndTxnResponseData) r.data();
              if (d.errorCode() == Errors.NONE.code() && d.producerEpoch() >= 0) {
                String id = txnId(prefix, s, (short) -1);
                s.remember("epoch:" + id, d.producerEpoch());
              }
            });
  }

  private static Exchange listTransactions(List<String> states, long durationMs) {
    return Exchange.of(
        ApiKeys.LIST_TRANSACTIONS,
        (s, v) -> {
          ListTransactionsRequestData d =
              new ListTransactionsRequestData()
                  .setStateFilters(states)
                  .setProducerIdFilters(List.of());
          if (v >= 1) {
            d.setDurationFilter(durationMs);
          }
          if (v >= 2) {
            d.setTransactionalIdPattern("conf-tl-.*");
          }
          return d;
        });
  }
}
