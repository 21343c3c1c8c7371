package dev.ferry.conformance;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.AbstractResponse;

/**
 * Transactional data on the wire: an aborted transaction (3 records) then a committed one (2
 * records) on a new one-partition topic, read back with Fetch and ListOffsets at read_committed and
 * read_uncommitted: high watermark and last stable offset (7: five records and two markers), the
 * aborted-transactions list, record sizes. Kafka writes the markers after it answered EndTxn, so
 * the reads wait (bounded) until the last stable offset reached the high watermark.
 */
final class TxnDataCases {

  private static final long TIMESTAMP = DataCases.TIMESTAMP;

  private TxnDataCases() {}

  static List<Case> all() {
    return List.of(
        Case.of(
            ApiKeys.FETCH,
            "read-committed-after-abort-and-commit",
            with(
                "txf",
                Exchange.of(ApiKeys.FETCH, (s, v) -> fetch(s, v, topic("txf", s, v), (byte) 1))
                    .until(TxnDataCases::settled),
                Exchange.of(ApiKeys.FETCH, (s, v) -> fetch(s, v, topic("txf", s, v), (byte) 0)))),
        Case.of(
            ApiKeys.LIST_OFFSETS,
            "latest-by-isolation",
            with(
                "txl",
                Exchange.of(ApiKeys.FETCH, (s, v) -> fetch(s, v, topic("txl", s, v), (byte) 1))
                    .until(TxnDataCases::settled)
                    .uncompared(),
                Exchange.of(ApiKeys.LIST_OFFSETS, (s, v) -> latest(topic("txl", s, v), (byte) 1)),
                Exchange.of(
                    ApiKeys.LIST_OFFSETS, (s, v) -> latest(topic("txl", s, v), (byte) 0)))));
  }

  /** The two transactions on the case's topic, then {@code reads}. */
  private static Exchange[] with(String prefix, Exchange... reads) {
    Exchange[] setUp = {
      Exchange.of(
              ApiKeys.CREATE_TOPICS,
              (s, v) -> AdminCases.create(topic(prefix, s, v), 1, AdminCases.rf(s), false))
          .uncompared()
          .until(TxnDataCases::createdOrExists),
      TxnCases.init(prefix, 60_000).uncompared(),
      TxnCases.addPartitionsByTopic(prefix, TxnDataCases::topic).uncompared(),
      produce(prefix, 3),
      TxnCases.endTxn(prefix, false).uncompared(),
      TxnCases.addPartitionsByTopic(prefix, TxnDataCases::topic).uncompared(),
      produce(prefix, 2),
      TxnCases.endTxn(prefix, true).uncompared()
    };
    Exchange[] all = new Exchange[setUp.length + reads.length];
    System.arraycopy(setUp, 0, all, 0, setUp.length);
    System.arraycopy(reads, 0, all, setUp.length, reads.length);
    return all;
  }

  static String topic(String prefix, SideContext s, short v) {
    return "conf-" + prefix + "-v" + s.recall(Conformance.CASE_VERSION, v);
  }

  /** A transactional batch of {@code count} records from sequence 0 of the producer's epoch. */
  private static Exchange produce(String prefix, int count) {
    return Exchange.of(
            ApiKeys.PRODUCE,
            (s, v) -> {
              String id = TxnCases.txnId(prefix, s, v);
              SimpleRecord[] rs = new SimpleRecord[count];
              for (int i = 0; i < count; i++) {
                rs[i] =
                    new SimpleRecord(
                        TIMESTAMP + i,
                        ("k" + i).getBytes(StandardCharsets.UTF_8),
                        ("v" + i).getBytes(StandardCharsets.UTF_8));
              }
              MemoryRecords records =
                  MemoryRecords.withTransactionalRecords(
                      Compression.NONE, TxnCases.producerId(s, id), TxnCases.epoch(s, id), 0, rs);
              ProduceRequestData.TopicProduceData t = new ProduceRequestData.TopicProduceData();
              DataCases.nameOrId(s, v, 13, topic(prefix, s, v), t::setName, t::setTopicId);
              t.partitionData()
                  .add(
                      new ProduceRequestData.PartitionProduceData()
                          .setIndex(0)
                          .setRecords(records));
              ProduceRequestData d =
                  new ProduceRequestData()
                      .setTransactionalId(id)
                      .setAcks((short) -1)
                      .setTimeoutMs(5_000);
              d.topicData().add(t);
              return d;
            })
        // Kafka may not lead the new partition yet.
        .until(TxnDataCases::produced);
  }

  private static FetchRequestData fetch(SideContext s, short v, String topic, byte isolation) {
    FetchRequestData.FetchTopic t = new FetchRequestData.FetchTopic();
    DataCases.nameOrId(s, v, 13, topic, t::setTopic, t::setTopicId);
    t.setPartitions(
        List.of(
            new FetchRequestData.FetchPartition()
                .setPartition(0)
                .setFetchOffset(0)
                .setPartitionMaxBytes(1 << 20)));
    FetchRequestData d =
        new FetchRequestData()
            .setReplicaId(-1)
            .setMaxWaitMs(0)
            .setMinBytes(0)
            .setMaxBytes(1 << 20)
            .setIsolationLevel(isolation)
            .setTopics(List.of(t));
    if (v >= 7) {
      d.setSessionId(0).setSessionEpoch(-1);
    }
    return d;
  }

  private static ListOffsetsRequestData latest(String topic, byte isolation) {
    return new ListOffsetsRequestData()
        .setReplicaId(-1)
        .setIsolationLevel(isolation)
        .setTopics(
            List.of(
                new ListOffsetsRequestData.ListOffsetsTopic()
                    .setName(topic)
                    .setPartitions(
                        List.of(
                            new ListOffsetsRequestData.ListOffsetsPartition()
                                .setPartitionIndex(0)
                                .setTimestamp(-1L)))));
  }

  private static boolean createdOrExists(AbstractResponse r) {
    for (CreateTopicsResponseData.CreatableTopicResult t :
        ((CreateTopicsResponseData) r.data()).topics()) {
      if (t.errorCode() != Errors.NONE.code()
          && t.errorCode() != Errors.TOPIC_ALREADY_EXISTS.code()) {
        return false;
      }
    }
    return true;
  }

  private static boolean produced(AbstractResponse r) {
    for (ProduceResponseData.TopicProduceResponse t :
        ((ProduceResponseData) r.data()).responses()) {
      for (ProduceResponseData.PartitionProduceResponse p : t.partitionResponses()) {
        if (p.errorCode() == Errors.NOT_LEADER_OR_FOLLOWER.code()
            || p.errorCode() == Errors.UNKNOWN_TOPIC_OR_PARTITION.code()
            || p.errorCode() == Errors.UNKNOWN_TOPIC_ID.code()) {
          return false;
        }
      }
    }
    return true;
  }

  /** Both markers written: the last stable offset reached the high watermark, 7. */
  private static boolean settled(AbstractResponse r) {
    for (FetchResponseData.FetchableTopicResponse t : ((FetchResponseData) r.data()).responses()) {
      for (FetchResponseData.PartitionData p : t.partitions()) {
        if (p.highWatermark() < 7 || p.lastStableOffset() < p.highWatermark()) {
          return false;
        }
      }
    }
    return true;
  }
}
