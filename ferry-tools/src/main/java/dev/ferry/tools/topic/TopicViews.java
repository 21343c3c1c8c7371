package dev.ferry.tools.topic;

import java.util.List;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;

/** How topic facts are shown, shared by the topic and cluster commands. */
public final class TopicViews {

  private TopicViews() {}

  /** Replicas of the first partition: all partitions of a topic have the same count. */
  public static int replicationFactor(TopicDescription t) {
    return t.partitions().isEmpty() ? 0 : t.partitions().get(0).replicas().size();
  }

  /** Broker ids as {@code 0,1,2}. */
  public static String ids(List<Node> nodes) {
    return nodes.stream().map(n -> Integer.toString(n.id())).collect(Collectors.joining(","));
  }

  /** The leader's broker id, or null when the partition has none. */
  public static Integer leader(TopicPartitionInfo p) {
    return p.leader() == null || p.leader().isEmpty() ? null : p.leader().id();
  }

  public static boolean underReplicated(TopicPartitionInfo p) {
    return p.isr().size() < p.replicas().size();
  }
}
