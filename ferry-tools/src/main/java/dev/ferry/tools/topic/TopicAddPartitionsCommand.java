package dev.ferry.tools.topic;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.tools.common.AdminQueries;
import dev.ferry.tools.common.ClientCommand;
import dev.ferry.tools.common.Clients;
import dev.ferry.tools.common.Json;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.TopicDescription;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ferry topic add-partitions TOPIC --partitions N}. */
@Command(
    name = "add-partitions",
    mixinStandardHelpOptions = true,
    description =
        "Grow a topic to a new total number of partitions. Keyed records may then map to "
            + "different partitions than before.")
public final class TopicAddPartitionsCommand extends ClientCommand {

  @Parameters(paramLabel = "TOPIC", description = "The topic to grow.")
  String topic;

  @Option(
      names = {"-p", "--partitions"},
      paramLabel = "N",
      required = true,
      description = "The new total partition count (more than the current one).")
  int partitions;

  @Override
  protected int run() throws Exception {
    int before;
    try (Admin admin = Clients.admin(client)) {
      TopicDescription current = AdminQueries.describeTopics(admin, List.of(topic)).get(topic);
      before = current.partitions().size();
      if (partitions <= before) {
        throw usage(
            "topic '"
                + topic
                + "' already has "
                + before
                + " partitions; --partitions must be more");
      }
      admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(partitions))).all().get();
    }
    if (output.json()) {
      ObjectNode json = Json.object();
      json.put("topic", topic);
      json.put("previousPartitions", before);
      json.put("partitions", partitions);
      Json.print(out(), json);
    } else {
      out().printf("Topic %s now has %d partitions (was %d).%n", topic, partitions, before);
      out().flush();
    }
    return 0;
  }
}
