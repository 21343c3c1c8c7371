package dev.ferry.tools.topic;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.tools.common.AdminQueries;
import dev.ferry.tools.common.ClientCommand;
import dev.ferry.tools.common.Clients;
import dev.ferry.tools.common.Json;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ferry topic delete TOPIC...}. */
@Command(
    name = "delete",
    mixinStandardHelpOptions = true,
    description = "Delete topics and all their data.")
public final class TopicDeleteCommand extends ClientCommand {

  @Parameters(paramLabel = "TOPIC", arity = "1..*", description = "Topics to delete.")
  List<String> topics;

  @Override
  protected int run() throws Exception {
    try (Admin admin = Clients.admin(client)) {
      // Check first, so a typo deletes nothing and names the missing topic.
      AdminQueries.describeTopics(admin, topics);
      admin.deleteTopics(topics).all().get();
    }
    if (output.json()) {
      ObjectNode json = Json.object();
      json.set("deleted", Json.MAPPER.valueToTree(topics));
      Json.print(out(), json);
    } else {
      topics.forEach(t -> out().printf("Deleted topic %s.%n", t));
      out().flush();
    }
    return 0;
  }
}
