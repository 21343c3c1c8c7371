package dev.ferry.conformance;

import static dev.ferry.conformance.Fixture.PLACED;

import java.util.List;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * The APIs whose answers depend on leadership, asked of every node of a three-node cluster: the
 * leader of partition 0 of {@link Fixture#PLACED} is node 1, so node 0 is a follower and node 2
 * another follower.
 */
final class ClusterCases {

  private ClusterCases() {}

  static List<Case> all() {
    return List.of(
        metadataOn(0),
        metadataOn(1),
        metadataOn(2),
        Case.of(
            ApiKeys.DESCRIBE_CLUSTER,
            "any-node",
            Exchange.of(ApiKeys.DESCRIBE_CLUSTER, (s, v) -> new DescribeClusterRequestData())
                .toNode(2)),
        produceOn("to-follower", 0).from(3),
        produceOn("to-leader", 1).from(3),
        fetchOn("from-follower", 0),
        fetchOn("from-leader", 1),
        Case.of(
            ApiKeys.LIST_OFFSETS,
            "on-follower",
            Exchange.of(
                    ApiKeys.LIST_OFFSETS,
                    (s, v) ->
                        new ListOffsetsRequestData()
                            .setReplicaId(-1)
                            .setTopics(
                                List.of(
                                    new ListOffsetsRequestData.ListOffsetsTopic()
                                        .setName(PLACED)
                                        .setPartitions(
                                            List.of(
                                                new ListOffsetsRequestData.ListOffsetsPartition()
                                                    .setPartitionIndex(0)
                                                    .setTimestamp(-1L))))))
                .toNode(0)),
        Case.of(
            ApiKeys.OFFSET_FOR_LEADER_EPOCH,
            "on-follower",
            Exchange.of(
                    ApiKeys.OFFSET_FOR_LEADER_EPOCH,
                    (s, v) -> {
                      OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection topics =
                          new OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection();
                      topics.add(
                          new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic()
                              .setTopic(PLACED)
                              .setPartitions(
                                  List.of(
                                      new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
                                          .setPartition(0)
                                          .setLeaderEpoch(0)
                                          .setCurrentLeaderEpoch(-1))));
                      OffsetForLeaderEpochRequestData d =
                          new OffsetForLeaderEpochRequestData().setTopics(topics);
                      if (v >= 3) {
                        d.setReplicaId(-1);
                      }
                      return d;
                    })
                .toNode(0)),
        Case.of(
            ApiKeys.FIND_COORDINATOR,
            "group-on-any-node",
            Exchange.of(
                    ApiKeys.FIND_COORDINATOR,
                    (s, v) -> {
                      FindCoordinatorRequestData d = new FindCoordinatorRequestData();
                      if (v >= 4) {
                        d.setCoordinatorKeys(List.of("conf-cluster-group"));
                      } else {
                        d.setKey("conf-cluster-group");
                      }
                      return d;
                    })
                .toNode(2)));
  }

  private static Case metadataOn(int node) {
    return Case.of(
        ApiKeys.METADATA,
        "placed-topic-on-node-" + node,
        Exchange.of(
                ApiKeys.METADATA,
                (s, v) -> {
                  MetadataRequestData d =
                      new MetadataRequestData()
                          .setTopics(
                              List.of(
                                  new MetadataRequestData.MetadataRequestTopic().setName(PLACED)));
                  if (v >= 4) {
                    d.setAllowAutoTopicCreation(false);
                  }
                  return d;
                })
            .toNode(node));
  }

  private static Case produceOn(String name, int node) {
    return Case.of(
        ApiKeys.PRODUCE,
        name,
        Exchange.of(
                ApiKeys.PRODUCE,
                (s, v) -> {
                  ProduceRequestData.TopicProduceData t = new ProduceRequestData.TopicProduceData();
                  DataCases.nameOrId(s, v, 13, PLACED, t::setName, t::setTopicId);
                  t.partitionData()
                      .add(
                          new ProduceRequestData.PartitionProduceData()
                              .setIndex(0)
                              .setRecords(DataCases.records(false)));
                  ProduceRequestData d =
                      new ProduceRequestData().setAcks((short) 1).setTimeoutMs(5_000);
                  d.topicData().add(t);
                  return d;
                })
            .toNode(node));
  }

  private static Case fetchOn(String name, int node) {
    return Case.of(
        ApiKeys.FETCH,
        name,
        Exchange.of(
                ApiKeys.FETCH,
                (s, v) -> {
                  FetchRequestData.FetchTopic t = new FetchRequestData.FetchTopic();
                  DataCases.nameOrId(s, v, 13, PLACED, t::setTopic, t::setTopicId);
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
                          .setTopics(List.of(t));
                  if (v >= 7) {
                    d.setSessionId(0).setSessionEpoch(-1);
                  }
                  return d;
                })
            .toNode(node));
  }
}
