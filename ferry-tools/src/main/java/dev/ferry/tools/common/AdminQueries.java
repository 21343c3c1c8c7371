package dev.ferry.tools.common;

import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Admin look-ups several commands need, with unknown topics reported by name. */
public final class AdminQueries {

  private AdminQueries() {}

  /**
   * Describes {@code topics} in the order given.
   *
   * @throws CliException naming the first topic that does not exist
   */
  public static Map<String, TopicDescription> describeTopics(Admin admin, Collection<String> topics)
      throws InterruptedException, ExecutionException {
    Map<String, KafkaFuture<TopicDescription>> futures =
        admin.describeTopics(topics).topicNameValues();
    Map<String, TopicDescription> out = new LinkedHashMap<>();
    for (String topic : topics) {
      try {
        out.put(topic, futures.get(topic).get());
      } catch (ExecutionException e) {
        if (e.getCause() instanceof UnknownTopicOrPartitionException) {
          throw new CliException("topic '" + topic + "' does not exist");
        }
        throw e;
      }
    }
    return out;
  }

  /** Every partition of {@code topic}, in partition order. */
  public static List<TopicPartition> partitions(TopicDescription topic) {
    return topic.partitions().stream()
        .map(TopicPartitionInfo::partition)
        .sorted()
        .map(p -> new TopicPartition(topic.name(), p))
        .toList();
  }

  /** The offsets matching {@code spec} (earliest, latest, a timestamp) of each partition. */
  public static Map<TopicPartition, Long> offsets(
      Admin admin, Collection<TopicPartition> partitions, OffsetSpec spec)
      throws InterruptedException, ExecutionException {
    if (partitions.isEmpty()) {
      return Map.of();
    }
    Map<TopicPartition, OffsetSpec> request = new HashMap<>();
    partitions.forEach(tp -> request.put(tp, spec));
    Map<TopicPartition, ListOffsetsResultInfo> result = admin.listOffsets(request).all().get();
    Map<TopicPartition, Long> out = new HashMap<>();
    result.forEach((tp, info) -> out.put(tp, info.offset()));
    return out;
  }
}
