package dev.ferry.conformance;

import static dev.ferry.conformance.Fixture.COMPACTED;
import static dev.ferry.conformance.Fixture.TOPIC;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignablePartition;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData.ReassignableTopic;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.ElectLeadersRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * Replica placement and log directories: ElectLeaders (preferred and unclean, on partitions whose
 * preferred leader already leads, unknown partitions), Alter/ListPartitionReassignments (to the
 * current replicas, to an unknown broker, cancelling when nothing moves, unknown topics) and
 * DescribeLogDirs (a known and an unknown partition).
 */
final class PlacementCases {

  private PlacementCases() {}

  static List<Case> all() {
    List<Case> c = new ArrayList<>();
    c.add(
        Case.of(
            ApiKeys.ELECT_LEADERS,
            "preferred-not-needed-and-unknown",
            Exchange.of(
                ApiKeys.ELECT_LEADERS,
                (s, v) -> {
                  ElectLeadersRequestData.TopicPartitionsCollection tps =
                      new ElectLeadersRequestData.TopicPartitionsCollection();
                  tps.add(
                      new ElectLeadersRequestData.TopicPartitions()
                          .setTopic(TOPIC)
                          .setPartitions(List.of(0, 99)));
                  tps.add(
                      new ElectLeadersRequestData.TopicPartitions()
                          .setTopic("conf-no-such-topic")
                          .setPartitions(List.of(0)));
                  return new ElectLeadersRequestData().setTopicPartitions(tps).setTimeoutMs(10_000);
                })));
    c.add(
        Case.of(
                ApiKeys.ELECT_LEADERS,
                "unclean-not-needed",
                Exchange.of(
                    ApiKeys.ELECT_LEADERS,
                    (s, v) -> {
                      ElectLeadersRequestData.TopicPartitionsCollection tps =
                          new ElectLeadersRequestData.TopicPartitionsCollection();
                      tps.add(
                          new ElectLeadersRequestData.TopicPartitions()
                              .setTopic(TOPIC)
                              .setPartitions(List.of(1)));
                      return new ElectLeadersRequestData()
                          .setElectionType((byte) 1)
                          .setTopicPartitions(tps)
                          .setTimeoutMs(10_000);
                    }))
            .from(1));
    c.add(
        Case.of(
            ApiKeys.ALTER_PARTITION_REASSIGNMENTS,
            "same-replicas-unknown-broker-cancel-unknown-topic",
            Exchange.of(
                ApiKeys.ALTER_PARTITION_REASSIGNMENTS,
                (s, v) ->
                    new AlterPartitionReassignmentsRequestData()
                        .setTimeoutMs(10_000)
                        .setTopics(
                            List.of(
                                new ReassignableTopic()
                                    .setName(COMPACTED)
                                    .setPartitions(
                                        List.of(
                                            new ReassignablePartition()
                                                .setPartitionIndex(0)
                                                .setReplicas(List.of(s.nodeId(0))))),
                                new ReassignableTopic()
                                    .setName(TOPIC)
                                    .setPartitions(
                                        List.of(
                                            new ReassignablePartition()
                                                .setPartitionIndex(0)
                                                .setReplicas(List.of(99)),
                                            new ReassignablePartition()
                                                .setPartitionIndex(1)
                                                .setReplicas(null))),
                                new ReassignableTopic()
                                    .setName("conf-no-such-topic")
                                    .setPartitions(
                                        List.of(
                                            new ReassignablePartition()
                                                .setPartitionIndex(0)
                                                .setReplicas(List.of(s.nodeId(0))))))))));
    c.add(
        Case.of(
            ApiKeys.LIST_PARTITION_REASSIGNMENTS,
            "nothing-moving",
            Exchange.of(
                ApiKeys.LIST_PARTITION_REASSIGNMENTS,
                (s, v) -> new ListPartitionReassignmentsRequestData().setTopics(null)),
            Exchange.of(
                ApiKeys.LIST_PARTITION_REASSIGNMENTS,
                (s, v) ->
                    new ListPartitionReassignmentsRequestData()
                        .setTopics(
                            List.of(
                                new ListPartitionReassignmentsRequestData
                                        .ListPartitionReassignmentsTopics()
                                    .setName(TOPIC)
                                    .setPartitionIndexes(List.of(0, 99)))))));
    c.add(
        Case.of(
            ApiKeys.DESCRIBE_LOG_DIRS,
            "known-and-unknown-partition",
            Exchange.of(
                ApiKeys.DESCRIBE_LOG_DIRS,
                (s, v) -> {
                  DescribeLogDirsRequestData.DescribableLogDirTopicCollection topics =
                      new DescribeLogDirsRequestData.DescribableLogDirTopicCollection();
                  topics.add(
                      new DescribeLogDirsRequestData.DescribableLogDirTopic()
                          .setTopic(COMPACTED)
                          .setPartitions(List.of(0, 42)));
                  topics.add(
                      new DescribeLogDirsRequestData.DescribableLogDirTopic()
                          .setTopic("conf-no-such-topic")
                          .setPartitions(List.of(0)));
                  return new DescribeLogDirsRequestData().setTopics(topics);
                })));
    return c;
  }
}
