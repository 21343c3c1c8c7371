package dev.ferry.conformance;

import static dev.ferry.conformance.ConsumerGroupCases.group;
import static dev.ferry.conformance.Fixture.TOPIC;

import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.AlterShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsRequestData;
import org.apache.kafka.common.protocol.ApiKeys;

/**
 * KIP-932 share-group offsets: DescribeShareGroupOffsets of a group without state (a known topic's
 * partition answers start offset -1, an unknown topic likewise, all topics none);
 * AlterShareGroupOffsets of a new group (an unknown topic and partition refused per partition) and
 * of a group with a member (NON_EMPTY_GROUP); DeleteShareGroupOffsets of an unknown group, of a
 * group with a member, and after an alter that set nothing (no group). A group whose members joined
 * has state in Kafka at once but in Ferry only after a fetch, so no case reads or deletes that
 * state.
 */
final class ShareGroupOffsetsCases {

  private static final String NO_TOPIC = "conf-no-such-topic";

  private ShareGroupOffsetsCases() {}

  static List<Case> all() {
    List<Case> c = new ArrayList<>();
    c.add(
        Case.of(
            ApiKeys.DESCRIBE_SHARE_GROUP_OFFSETS,
            "no-state",
            Exchange.of(
                ApiKeys.DESCRIBE_SHARE_GROUP_OFFSETS,
                (s, v) -> describe(group("sod", s, v), List.of(TOPIC, NO_TOPIC)))));
    c.add(
        Case.of(
            ApiKeys.DESCRIBE_SHARE_GROUP_OFFSETS,
            "all-topics-unknown-group",
            Exchange.of(
                ApiKeys.DESCRIBE_SHARE_GROUP_OFFSETS,
                (s, v) -> describe(group("soa", s, v), null))));
    c.add(
        Case.of(
            ApiKeys.ALTER_SHARE_GROUP_OFFSETS,
            "unknown-topic-and-partition",
            Exchange.of(
                ApiKeys.ALTER_SHARE_GROUP_OFFSETS,
                (s, v) -> {
                  AlterShareGroupOffsetsRequestData d =
                      new AlterShareGroupOffsetsRequestData().setGroupId(group("sou", s, v));
                  d.topics().add(alterTopic(NO_TOPIC, 0));
                  d.topics().add(alterTopic(TOPIC, 99));
                  return d;
                })));
    c.add(
        Case.of(
            ApiKeys.ALTER_SHARE_GROUP_OFFSETS,
            "non-empty-group",
            ShareGroupCases.join("son").uncompared(),
            Exchange.of(
                ApiKeys.ALTER_SHARE_GROUP_OFFSETS,
                (s, v) -> {
                  AlterShareGroupOffsetsRequestData d =
                      new AlterShareGroupOffsetsRequestData().setGroupId(group("son", s, v));
                  d.topics().add(alterTopic(TOPIC, 0));
                  return d;
                }),
            ShareGroupCases.leave("son").uncompared()));
    c.add(
        Case.of(
            ApiKeys.DELETE_SHARE_GROUP_OFFSETS,
            "unknown-group",
            Exchange.of(
                ApiKeys.DELETE_SHARE_GROUP_OFFSETS,
                (s, v) -> delete("conf-no-such-share-group", TOPIC))));
    c.add(
        Case.of(
            ApiKeys.DELETE_SHARE_GROUP_OFFSETS,
            "non-empty-group",
            ShareGroupCases.join("sdn").uncompared(),
            Exchange.of(
                ApiKeys.DELETE_SHARE_GROUP_OFFSETS, (s, v) -> delete(group("sdn", s, v), TOPIC)),
            ShareGroupCases.leave("sdn").uncompared()));
    c.add(
        Case.of(
            ApiKeys.DELETE_SHARE_GROUP_OFFSETS,
            "after-an-alter-that-set-nothing",
            // An alter naming only an unknown topic leaves no group behind: the delete finds none.
            Exchange.of(
                    ApiKeys.ALTER_SHARE_GROUP_OFFSETS,
                    (s, v) -> {
                      AlterShareGroupOffsetsRequestData d =
                          new AlterShareGroupOffsetsRequestData().setGroupId(group("sde", s, v));
                      d.topics().add(alterTopic(NO_TOPIC, 0));
                      return d;
                    })
                .uncompared(),
            Exchange.of(
                ApiKeys.DELETE_SHARE_GROUP_OFFSETS,
                (s, v) -> delete(group("sde", s, v), TOPIC, NO_TOPIC))));
    return c;
  }

  private static DescribeShareGroupOffsetsRequestData describe(String group, List<String> topics) {
    DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup g =
        new DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup()
            .setGroupId(group);
    if (topics == null) {
      g.setTopics(null);
    } else {
      for (String t : topics) {
        g.topics()
            .add(
                new DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestTopic()
                    .setTopicName(t)
                    .setPartitions(List.of(0)));
      }
    }
    return new DescribeShareGroupOffsetsRequestData().setGroups(List.of(g));
  }

  private static AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestTopic alterTopic(
      String topic, int partition) {
    AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestTopic t =
        new AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestTopic()
            .setTopicName(topic);
    t.partitions()
        .add(
            new AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestPartition()
                .setPartitionIndex(partition)
                .setStartOffset(0));
    return t;
  }

  private static DeleteShareGroupOffsetsRequestData delete(String group, String... topics) {
    DeleteShareGroupOffsetsRequestData d =
        new DeleteShareGroupOffsetsRequestData().setGroupId(group);
    for (String t : topics) {
      d.topics()
          .add(
              new DeleteShareGroupOffsetsRequestData.DeleteShareGroupOffsetsRequestTopic()
                  .setTopicName(t));
    }
    return d;
  }
}
