package dev.ferry.conformance;

import static dev.ferry.conformance.Fixture.COMPACTED;
import static dev.ferry.conformance.Fixture.TOPIC;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;

/**
 * Produce, Fetch, ListOffsets, OffsetForLeaderEpoch, DeleteRecords, InitProducerId: valid requests,
 * unknown topics and partitions, wrong epochs, out-of-range offsets, bad records.
 */
final class DataCases {

  /** A fixed timestamp, so both sides store byte-identical batches. */
  static final long TIMESTAMP = 1_700_000_000_000L;

  private DataCases() {}

  static List<Case> all() {
    return List.of(
        produce("valid", TOPIC, 0, (short) 1, false),
        produce("unknown-topic", "conf-no-such-topic", 0, (short) 1, false),
        produce("unknown-partition", TOPIC, 99, (short) 1, false),
        produce("invalid-acks", TOPIC, 0, (short) 2, false),
        produce("keyless-to-compacted", COMPACTED, 0, (short) 1, true),
        Case.of(
            ApiKeys.PRODUCE,
            "no-topics",
            Exchange.of(
                ApiKeys.PRODUCE,
                (s, v) -> new ProduceRequestData().setAcks((short) 1).setTimeoutMs(5000))),
        fetch("from-start", TOPIC, 0, 0L, -1),
        fetch("out-of-range", TOPIC, 0, 1_000_000L, -1),
        fetch("negative-offset", TOPIC, 0, -5L, -1),
        fetch("unknown-partition", TOPIC, 99, 0L, -1),
        fetch("unknown-topic", "conf-no-such-topic", 0, 0L, -1),
        fetch("fenced-epoch", TOPIC, 0, 0L, 99).from(9),
        fetch("old-epoch", TOPIC, 0, 0L, 0).from(9),
        // Fetch sessions (KIP-227, v7+): an unknown session; a session opened by a full fetch at
        // epoch 0, then an incremental fetch at epoch 1 naming nothing (the partition's position
        // is unchanged, so its records are answered again), then a wrong epoch.
        Case.of(
                ApiKeys.FETCH,
                "session-unknown-id",
                Exchange.of(ApiKeys.FETCH, (s, v) -> sessionFetch(s, v, 123_456_789, 1, false)))
            .from(7),
        Case.of(
                ApiKeys.FETCH,
                "session-open-incremental-wrong-epoch",
                Exchange.of(ApiKeys.FETCH, (s, v) -> sessionFetch(s, v, 0, 0, true))
                    .then(
                        (s, r) ->
                            s.remember(
                                "fetch-session", ((FetchResponseData) r.data()).sessionId())),
                Exchange.of(
                    ApiKeys.FETCH,
                    (s, v) -> sessionFetch(s, v, s.recall("fetch-session", 0), 1, false)),
                Exchange.of(
                    ApiKeys.FETCH,
                    (s, v) -> sessionFetch(s, v, s.recall("fetch-session", 0), 5, false)))
            .from(7),
        listOffsets("earliest", TOPIC, 0, -2L, -1),
        listOffsets("latest", TOPIC, 0, -1L, -1),
        listOffsets("by-timestamp", TOPIC, 0, TIMESTAMP, -1),
        listOffsets("after-last-timestamp", TOPIC, 0, TIMESTAMP + 1_000_000, -1),
        listOffsets("max-timestamp", TOPIC, 0, -3L, -1).from(7),
        listOffsets("unknown-partition", TOPIC, 99, -1L, -1),
        listOffsets("fenced-epoch", TOPIC, 0, -1L, 99).from(4),
        offsetForLeaderEpoch("current-epoch", TOPIC, 0, 0, -1),
        offsetForLeaderEpoch("future-epoch", TOPIC, 0, 5, -1),
        offsetForLeaderEpoch("fenced-current-epoch", TOPIC, 0, 0, 99),
        offsetForLeaderEpoch("unknown-partition", TOPIC, 99, 0, -1),
        deleteRecords("beyond-high-watermark", TOPIC, 1, 1_000L),
        deleteRecords("unknown-partition", TOPIC, 99, 0L),
        deleteRecords("to-high-watermark", TOPIC, 2, -1L),
        Case.of(
            ApiKeys.INIT_PRODUCER_ID,
            "idempotent",
            Exchange.of(
                ApiKeys.INIT_PRODUCER_ID,
                (s, v) ->
                    new InitProducerIdRequestData()
                        .setTransactionalId(null)
                        .setTransactionTimeoutMs(60_000)
                        .setProducerId(-1)
                        .setProducerEpoch((short) -1))));
  }

  static MemoryRecords records(boolean someKeyless) {
    SimpleRecord[] rs = new SimpleRecord[4];
    for (int i = 0; i < rs.length; i++) {
      byte[] key = someKeyless && i % 2 == 1 ? null : ("k" + i).getBytes(StandardCharsets.UTF_8);
      rs[i] = new SimpleRecord(TIMESTAMP + i, key, ("v" + i).getBytes(StandardCharsets.UTF_8));
    }
    return MemoryRecords.withRecords(Compression.NONE, rs);
  }

  private static Case produce(
      String name, String topic, int partition, short acks, boolean someKeyless) {
    return Case.of(
        ApiKeys.PRODUCE,
        name,
        Exchange.of(
            ApiKeys.PRODUCE,
            (s, v) -> {
              ProduceRequestData.TopicProduceData t = new ProduceRequestData.TopicProduceData();
              nameOrId(s, v, 13, topic, t::setName, t::setTopicId);
              t.partitionData()
                  .add(
                      new ProduceRequestData.PartitionProduceData()
                          .setIndex(partition)
                          .setRecords(records(someKeyless)));
              ProduceRequestData d = new ProduceRequestData().setAcks(acks).setTimeoutMs(5_000);
              d.topicData().add(t);
              return d;
            }));
  }

  private static Case fetch(
      String name, String topic, int partition, long offset, int currentLeaderEpoch) {
    return Case.of(
        ApiKeys.FETCH,
        name,
        Exchange.of(
            ApiKeys.FETCH,
            (s, v) -> {
              FetchRequestData.FetchTopic t = new FetchRequestData.FetchTopic();
              nameOrId(s, v, 13, topic, t::setTopic, t::setTopicId);
              FetchRequestData.FetchPartition p =
                  new FetchRequestData.FetchPartition()
                      .setPartition(partition)
                      .setFetchOffset(offset)
                      .setPartitionMaxBytes(1 << 20);
              if (v >= 9) {
                p.setCurrentLeaderEpoch(currentLeaderEpoch);
              }
              t.setPartitions(List.of(p));
              FetchRequestData d =
                  new FetchRequestData()
                      .setReplicaId(-1)
                      .setMaxWaitMs(0)
                      .setMinBytes(0)
                      .setMaxBytes(1 << 20)
                      .setTopics(List.of(t));
              if (v >= 7) {
                // A sessionless full fetch: the session machinery is compared separately.
                d.setSessionId(0).setSessionEpoch(-1);
              }
              return d;
            }));
  }

  /** A fetch of partition 0 of TOPIC from offset 0 with the given session fields. */
  private static FetchRequestData sessionFetch(
      SideContext s, short v, int sessionId, int epoch, boolean withPartition) {
    FetchRequestData d =
        new FetchRequestData()
            .setReplicaId(-1)
            .setMaxWaitMs(0)
            .setMinBytes(0)
            .setMaxBytes(1 << 20)
            .setSessionId(sessionId)
            .setSessionEpoch(epoch);
    if (withPartition) {
      FetchRequestData.FetchTopic t = new FetchRequestData.FetchTopic();
      nameOrId(s, v, 13, TOPIC, t::setTopic, t::setTopicId);
      t.setPartitions(
          List.of(
              new FetchRequestData.FetchPartition()
                  .setPartition(0)
                  .setFetchOffset(0)
                  .setPartitionMaxBytes(1 << 20)));
      d.topics().add(t);
    }
    return d;
  }

  private static Case listOffsets(
      String name, String topic, int partition, long timestamp, int currentLeaderEpoch) {
    return Case.of(
        ApiKeys.LIST_OFFSETS,
        name,
        Exchange.of(
            ApiKeys.LIST_OFFSETS,
            (s, v) -> {
              ListOffsetsRequestData.ListOffsetsPartition p =
                  new ListOffsetsRequestData.ListOffsetsPartition()
                      .setPartitionIndex(partition)
                      .setTimestamp(timestamp);
              if (v >= 4) {
                p.setCurrentLeaderEpoch(currentLeaderEpoch);
              }
              return new ListOffsetsRequestData()
                  .setReplicaId(-1)
                  .setTopics(
                      List.of(
                          new ListOffsetsRequestData.ListOffsetsTopic()
                              .setName(topic)
                              .setPartitions(List.of(p))));
            }));
  }

  private static Case offsetForLeaderEpoch(
      String name, String topic, int partition, int leaderEpoch, int currentLeaderEpoch) {
    return Case.of(
        ApiKeys.OFFSET_FOR_LEADER_EPOCH,
        name,
        Exchange.of(
            ApiKeys.OFFSET_FOR_LEADER_EPOCH,
            (s, v) -> {
              OffsetForLeaderEpochRequestData.OffsetForLeaderPartition p =
                  new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
                      .setPartition(partition)
                      .setLeaderEpoch(leaderEpoch)
                      .setCurrentLeaderEpoch(currentLeaderEpoch);
              OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection topics =
                  new OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection();
              topics.add(
                  new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic()
                      .setTopic(topic)
                      .setPartitions(List.of(p)));
              OffsetForLeaderEpochRequestData d =
                  new OffsetForLeaderEpochRequestData().setTopics(topics);
              if (v >= 3) {
                d.setReplicaId(-1);
              }
              return d;
            }));
  }

  private static Case deleteRecords(String name, String topic, int partition, long offset) {
    return Case.of(
        ApiKeys.DELETE_RECORDS,
        name,
        Exchange.of(
            ApiKeys.DELETE_RECORDS,
            (s, v) ->
                new DeleteRecordsRequestData()
                    .setTimeoutMs(5_000)
                    .setTopics(
                        List.of(
                            new DeleteRecordsRequestData.DeleteRecordsTopic()
                                .setName(topic)
                                .setPartitions(
                                    List.of(
                                        new DeleteRecordsRequestData.DeleteRecordsPartition()
                                            .setPartitionIndex(partition)
                                            .setOffset(offset)))))));
  }

  /** Topic by name below {@code idVersion}, by this side's id from it on. */
  static void nameOrId(
      SideContext s,
      short v,
      int idVersion,
      String topic,
      java.util.function.Function<String, ?> setName,
      java.util.function.Function<Uuid, ?> setId) {
    if (v >= idVersion) {
      setId.apply(s.topicId(topic));
    } else {
      setName.apply(topic);
    }
  }
}
