package dev.ferry.tools.topic;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.tools.common.AdminQueries;
import dev.ferry.tools.common.ClientCommand;
import dev.ferry.tools.common.Clients;
import dev.ferry.tools.common.Json;
import dev.ferry.tools.common.Table;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ferry topic describe TOPIC...}. */
@Command(
    name = "describe",
    mixinStandardHelpOptions = true,
    description =
        "Show topics' partitions (leader, replicas, in-sync replicas, log start and end offsets) "
            + "and their config overrides.")
public final class TopicDescribeCommand extends ClientCommand {

  @Parameters(paramLabel = "TOPIC", arity = "1..*", description = "Topics to describe.")
  List<String> topics;

  @Override
  protected int run() throws Exception {
    try (Admin admin = Clients.admin(client)) {
      Map<String, TopicDescription> described = AdminQueries.describeTopics(admin, topics);
      List<TopicPartition> all = new ArrayList<>();
      described.values().forEach(t -> all.addAll(AdminQueries.partitions(t)));
      Map<TopicPartition, Long> start = AdminQueries.offsets(admin, all, OffsetSpec.earliest());
      Map<TopicPartition, Long> end = AdminQueries.offsets(admin, all, OffsetSpec.latest());
      Map<String, Map<String, String>> overrides = overrides(admin);
      if (output.json()) {
        ArrayNode json = Json.array();
        for (TopicDescription t : described.values()) {
          ObjectNode node = json.addObject();
          node.put("name", t.name());
          node.put("topicId", t.topicId().toString());
          node.put("replicationFactor", TopicViews.replicationFactor(t));
          node.set("configs", Json.MAPPER.valueToTree(overrides.get(t.name())));
          ArrayNode parts = node.putArray("partitions");
          for (TopicPartitionInfo p : sorted(t)) {
            TopicPartition tp = new TopicPartition(t.name(), p.partition());
            ObjectNode pn = parts.addObject();
            pn.put("partition", p.partition());
            pn.put("leader", TopicViews.leader(p));
            ArrayNode replicas = pn.putArray("replicas");
            p.replicas().forEach(n -> replicas.add(n.id()));
            ArrayNode isr = pn.putArray("isr");
            p.isr().forEach(n -> isr.add(n.id()));
            pn.put("logStartOffset", start.get(tp));
            pn.put("logEndOffset", end.get(tp));
          }
        }
        Json.print(out(), json);
        return 0;
      }
      PrintWriter out = out();
      boolean first = true;
      for (TopicDescription t : described.values()) {
        if (!first) {
          out.println();
        }
        first = false;
        out.printf(
            "Topic: %s  TopicId: %s  Partitions: %d  ReplicationFactor: %d  Configs: %s%n",
            t.name(),
            t.topicId(),
            t.partitions().size(),
            TopicViews.replicationFactor(t),
            overrides.get(t.name()).entrySet().stream()
                .map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(",")));
        Table table =
            new Table(
                "PARTITION", "LEADER", "REPLICAS", "ISR", "LOG-START-OFFSET", "LOG-END-OFFSET");
        for (TopicPartitionInfo p : sorted(t)) {
          TopicPartition tp = new TopicPartition(t.name(), p.partition());
          table.row(
              p.partition(),
              TopicViews.leader(p),
              TopicViews.ids(p.replicas()),
              TopicViews.ids(p.isr()),
              start.get(tp),
              end.get(tp));
        }
        table.print(out);
      }
    }
    return 0;
  }

  private static List<TopicPartitionInfo> sorted(TopicDescription t) {
    return t.partitions().stream()
        .sorted((a, b) -> Integer.compare(a.partition(), b.partition()))
        .toList();
  }

  /** Per topic, the configs set on it (not broker defaults), sorted by name. */
  private Map<String, Map<String, String>> overrides(Admin admin) throws Exception {
    List<ConfigResource> resources =
        topics.stream().map(t -> new ConfigResource(ConfigResource.Type.TOPIC, t)).toList();
    Map<ConfigResource, Config> configs = admin.describeConfigs(resources).all().get();
    Map<String, Map<String, String>> out = new TreeMap<>();
    for (String topic : topics) {
      Map<String, String> set = new TreeMap<>();
      Config config = configs.get(new ConfigResource(ConfigResource.Type.TOPIC, topic));
      if (config != null) {
        for (ConfigEntry e : config.entries()) {
          if (e.source() == ConfigEntry.ConfigSource.DYNAMIC_TOPIC_CONFIG) {
            set.put(e.name(), e.isSensitive() ? "(sensitive)" : e.value());
          }
        }
      }
      out.put(topic, set);
    }
    return out;
  }
}
