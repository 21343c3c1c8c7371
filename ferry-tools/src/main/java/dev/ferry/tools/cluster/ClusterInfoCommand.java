package dev.ferry.tools.cluster;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.tools.common.AdminQueries;
import dev.ferry.tools.common.ClientCommand;
import dev.ferry.tools.common.Clients;
import dev.ferry.tools.common.Json;
import dev.ferry.tools.common.Table;
import dev.ferry.tools.topic.TopicViews;
import java.io.PrintWriter;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import picocli.CommandLine.Command;

/** {@code ferry cluster info}: brokers, controller, every partition's leader and ISR. */
@Command(
    name = "info",
    mixinStandardHelpOptions = true,
    description =
        "Show the cluster id, brokers, controller, every partition's leader, replicas and "
            + "in-sync replicas, and how many partitions are under-replicated.")
public final class ClusterInfoCommand extends ClientCommand {

  /** One partition of the cluster. */
  record PartitionRow(String topic, TopicPartitionInfo info) {}

  @Override
  protected int run() throws Exception {
    String clusterId;
    Node controller;
    List<Node> brokers;
    List<PartitionRow> partitions;
    try (Admin admin = Clients.admin(client)) {
      DescribeClusterResult cluster = admin.describeCluster();
      clusterId = cluster.clusterId().get();
      controller = cluster.controller().get();
      brokers = cluster.nodes().get().stream().sorted(Comparator.comparingInt(Node::id)).toList();
      TreeSet<String> names =
          new TreeSet<>(admin.listTopics(new ListTopicsOptions().listInternal(true)).names().get());
      partitions = rows(AdminQueries.describeTopics(admin, names).values());
    }
    long underReplicated =
        partitions.stream().filter(p -> TopicViews.underReplicated(p.info())).count();
    if (output.json()) {
      ObjectNode json = Json.object();
      json.put("clusterId", clusterId);
      json.set("controller", controller == null || controller.isEmpty() ? null : node(controller));
      ArrayNode b = json.putArray("brokers");
      brokers.forEach(n -> b.add(node(n)));
      ArrayNode parts = json.putArray("partitions");
      for (PartitionRow p : partitions) {
        ObjectNode pn = parts.addObject();
        pn.put("topic", p.topic());
        pn.put("partition", p.info().partition());
        pn.put("leader", TopicViews.leader(p.info()));
        ArrayNode replicas = pn.putArray("replicas");
        p.info().replicas().forEach(n -> replicas.add(n.id()));
        ArrayNode isr = pn.putArray("isr");
        p.info().isr().forEach(n -> isr.add(n.id()));
      }
      json.put("underReplicatedPartitions", underReplicated);
      Json.print(out(), json);
      return 0;
    }
    PrintWriter out = out();
    out.printf("Cluster ID: %s%n", clusterId);
    out.printf(
        "Controller: %s%n",
        controller == null || controller.isEmpty()
            ? "none"
            : controller.id() + " (" + controller.host() + ":" + controller.port() + ")");
    out.println();
    Table b = new Table("BROKER", "HOST", "PORT", "RACK");
    brokers.forEach(n -> b.row(n.id(), n.host(), n.port(), n.rack()));
    b.print(out);
    out.println();
    Table p = new Table("TOPIC", "PARTITION", "LEADER", "REPLICAS", "ISR");
    for (PartitionRow row : partitions) {
      p.row(
          row.topic(),
          row.info().partition(),
          TopicViews.leader(row.info()),
          TopicViews.ids(row.info().replicas()),
          TopicViews.ids(row.info().isr()));
    }
    p.print(out);
    out.println();
    out.printf(
        "%d broker(s), %d partition(s), %d under-replicated.%n",
        brokers.size(), partitions.size(), underReplicated);
    out.flush();
    return 0;
  }

  private static List<PartitionRow> rows(Collection<TopicDescription> topics) {
    return topics.stream()
        .flatMap(
            t ->
                t.partitions().stream()
                    .sorted(Comparator.comparingInt(TopicPartitionInfo::partition))
                    .map(p -> new PartitionRow(t.name(), p)))
        .toList();
  }

  private static ObjectNode node(Node n) {
    ObjectNode node = Json.object();
    node.put("id", n.id());
    node.put("host", n.host());
    node.put("port", n.port());
    node.put("rack", n.rack());
    return node;
  }
}
