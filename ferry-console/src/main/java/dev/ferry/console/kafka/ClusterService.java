package dev.ferry.console.kafka;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;

/** The cluster page: brokers, controller, racks, versions and partition health. */
public final class ClusterService {

  public record Broker(int id, String host, int port, String rack, boolean controller) {}

  public record PartitionHealth(
      String topic, int partition, Integer leader, List<Integer> replicas, List<Integer> isr) {}

  public record Cluster(
      String clusterId,
      Integer controller,
      List<Broker> brokers,
      String version,
      String protocol,
      int topics,
      int partitions,
      List<PartitionHealth> offline,
      List<PartitionHealth> underReplicated) {}

  private final long timeoutMs;
  private final String version;

  public ClusterService(long timeoutMs, String version) {
    this.timeoutMs = timeoutMs;
    this.version = version;
  }

  public Cluster describe(Admin admin) {
    DescribeClusterResult cluster = admin.describeCluster();
    String id = KafkaCalls.await(cluster.clusterId(), timeoutMs);
    Node controller = KafkaCalls.await(cluster.controller(), timeoutMs);
    List<Broker> brokers = new ArrayList<>();
    for (Node n : KafkaCalls.await(cluster.nodes(), timeoutMs)) {
      brokers.add(
          new Broker(
              n.id(),
              n.host(),
              n.port(),
              n.rack(),
              controller != null && controller.id() == n.id()));
    }
    brokers.sort(Comparator.comparingInt(Broker::id));
    Map<String, TopicDescription> topics = describeAll(admin, timeoutMs);
    List<PartitionHealth> offline = new ArrayList<>();
    List<PartitionHealth> under = new ArrayList<>();
    int partitions = 0;
    for (TopicDescription t : topics.values()) {
      for (TopicPartitionInfo p : t.partitions()) {
        partitions++;
        PartitionHealth h = health(t.name(), p);
        if (p.leader() == null || p.leader().isEmpty()) {
          offline.add(h);
        } else if (p.isr().size() < p.replicas().size()) {
          under.add(h);
        }
      }
    }
    Comparator<PartitionHealth> order =
        Comparator.comparing(PartitionHealth::topic).thenComparingInt(PartitionHealth::partition);
    offline.sort(order);
    under.sort(order);
    return new Cluster(
        id,
        controller == null || controller.isEmpty() ? null : controller.id(),
        brokers,
        version,
        "Apache Kafka 4.4 protocol",
        topics.size(),
        partitions,
        offline,
        under);
  }

  static PartitionHealth health(String topic, TopicPartitionInfo p) {
    return new PartitionHealth(
        topic,
        p.partition(),
        p.leader() == null || p.leader().isEmpty() ? null : p.leader().id(),
        p.replicas().stream().map(Node::id).toList(),
        p.isr().stream().map(Node::id).toList());
  }

  /** Every topic the user may describe, internal ones included. */
  static Map<String, TopicDescription> describeAll(Admin admin, long timeoutMs) {
    var names =
        KafkaCalls.await(
            admin.listTopics(new ListTopicsOptions().listInternal(true)).names(), timeoutMs);
    if (names.isEmpty()) {
      return Map.of();
    }
    return KafkaCalls.await(admin.describeTopics(names).allTopicNames(), timeoutMs);
  }
}
