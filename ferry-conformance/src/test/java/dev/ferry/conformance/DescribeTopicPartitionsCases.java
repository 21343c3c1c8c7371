package dev.ferry.conformance;

import static dev.ferry.conformance.Fixture.COMPACTED;
import static dev.ferry.conformance.Fixture.TOPIC;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData.Cursor;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData.TopicRequest;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * DescribeTopicPartitions (KIP-966): all topics, named ones (unknown and invalid names included),
 * pages cut by a small partition limit and resumed from a cursor, and the cursors Kafka refuses.
 * Run before any case creates topics, so "all topics" is the fixture's and the internal ones.
 */
final class DescribeTopicPartitionsCases {

  private DescribeTopicPartitionsCases() {}

  static List<Case> all() {
    return List.of(
        describe("all-topics", List.of(), 2000, null),
        describe(
            "named-with-unknown-and-invalid",
            List.of(TOPIC, "conf-no-such-topic", COMPACTED, "bad/name"),
            2000,
            null),
        describe("limit-cuts-a-topic", List.of(COMPACTED, TOPIC), 2, null),
        describe("limit-ends-with-a-topic", List.of(TOPIC, COMPACTED), 3, null),
        describe("cursor-inside-a-topic", List.of(TOPIC, COMPACTED), 2000, cursor(TOPIC, 1)),
        describe("cursor-past-the-end", List.of(TOPIC, COMPACTED), 2000, cursor(TOPIC, 7)),
        describe("all-topics-from-cursor", List.of(), 2, cursor(TOPIC, 2)),
        describe("zero-limit", List.of(TOPIC), 0, null),
        describe("cursor-topic-not-named", List.of(COMPACTED), 2000, cursor(TOPIC, 0)),
        describe("negative-cursor-partition", List.of(TOPIC), 2000, cursor(TOPIC, -1)));
  }

  private static Cursor cursor(String topic, int partition) {
    return new Cursor().setTopicName(topic).setPartitionIndex(partition);
  }

  private static Case describe(String name, List<String> topics, int limit, Cursor cursor) {
    return Case.of(
        ApiKeys.DESCRIBE_TOPIC_PARTITIONS,
        name,
        Exchange.of(
            ApiKeys.DESCRIBE_TOPIC_PARTITIONS,
            (s, v) -> {
              List<TopicRequest> named = new ArrayList<>();
              for (String t : topics) {
                named.add(new TopicRequest().setName(t));
              }
              return new DescribeTopicPartitionsRequestData()
                  .setTopics(named)
                  .setResponsePartitionLimit(limit)
                  .setCursor(cursor == null ? null : cursor.duplicate());
            }));
  }
}
