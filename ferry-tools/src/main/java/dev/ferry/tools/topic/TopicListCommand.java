package dev.ferry.tools.topic;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.tools.common.AdminQueries;
import dev.ferry.tools.common.ClientCommand;
import dev.ferry.tools.common.Clients;
import dev.ferry.tools.common.Json;
import dev.ferry.tools.common.Table;
import java.util.Map;
import java.util.TreeSet;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.TopicDescription;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code ferry topic list}. */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = "List topics with their partition count and replication factor.")
public final class TopicListCommand extends ClientCommand {

  @Option(names = "--internal", description = "Include internal topics (__consumer_offsets).")
  boolean internal;

  @Override
  protected int run() throws Exception {
    try (Admin admin = Clients.admin(client)) {
      TreeSet<String> names =
          new TreeSet<>(
              admin.listTopics(new ListTopicsOptions().listInternal(internal)).names().get());
      Map<String, TopicDescription> topics = AdminQueries.describeTopics(admin, names);
      if (output.json()) {
        ArrayNode json = Json.array();
        for (TopicDescription t : topics.values()) {
          ObjectNode node = json.addObject();
          node.put("name", t.name());
          node.put("topicId", t.topicId().toString());
          node.put("partitions", t.partitions().size());
          node.put("replicationFactor", TopicViews.replicationFactor(t));
          node.put("internal", t.isInternal());
        }
        Json.print(out(), json);
      } else {
        Table table = new Table("TOPIC", "PARTITIONS", "REPLICATION-FACTOR");
        for (TopicDescription t : topics.values()) {
          table.row(t.name(), t.partitions().size(), TopicViews.replicationFactor(t));
        }
        table.print(out());
      }
    }
    return 0;
  }
}
