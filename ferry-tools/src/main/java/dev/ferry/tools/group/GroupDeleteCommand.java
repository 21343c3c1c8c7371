package dev.ferry.tools.group;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.tools.common.ClientCommand;
import dev.ferry.tools.common.Clients;
import dev.ferry.tools.common.Json;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ferry group delete GROUP...}. */
@Command(
    name = "delete",
    mixinStandardHelpOptions = true,
    description = "Delete consumer groups and their committed offsets; they must have no members.")
public final class GroupDeleteCommand extends ClientCommand {

  @Parameters(paramLabel = "GROUP", arity = "1..*", description = "Groups to delete.")
  List<String> groups;

  @Override
  protected int run() throws Exception {
    try (Admin admin = Clients.admin(client)) {
      admin.deleteConsumerGroups(groups).all().get();
    }
    if (output.json()) {
      ObjectNode json = Json.object();
      json.set("deleted", Json.MAPPER.valueToTree(groups));
      Json.print(out(), json);
    } else {
      groups.forEach(g -> out().printf("Deleted group %s.%n", g));
      out().flush();
    }
    return 0;
  }
}
