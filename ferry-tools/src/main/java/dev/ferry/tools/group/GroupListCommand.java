package dev.ferry.tools.group;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.tools.common.ClientCommand;
import dev.ferry.tools.common.Clients;
import dev.ferry.tools.common.Json;
import dev.ferry.tools.common.Table;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.GroupListing;
import picocli.CommandLine.Command;

/** {@code ferry group list}. */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = "List the cluster's groups with their type and state.")
public final class GroupListCommand extends ClientCommand {

  @Override
  protected int run() throws Exception {
    List<GroupListing> groups;
    try (Admin admin = Clients.admin(client)) {
      groups =
          admin.listGroups().all().get().stream()
              .sorted(Comparator.comparing(GroupListing::groupId))
              .toList();
    }
    if (output.json()) {
      ArrayNode json = Json.array();
      for (GroupListing g : groups) {
        ObjectNode node = json.addObject();
        node.put("group", g.groupId());
        node.put("type", g.type().map(Enum::toString).orElse(null));
        node.put("state", g.groupState().map(Enum::toString).orElse(null));
        node.put("protocolType", g.protocol());
      }
      Json.print(out(), json);
    } else {
      Table table = new Table("GROUP", "TYPE", "STATE", "PROTOCOL-TYPE");
      for (GroupListing g : groups) {
        table.row(
            g.groupId(),
            g.type().orElse(null),
            g.groupState().orElse(null),
            g.protocol().isEmpty() ? null : g.protocol());
      }
      table.print(out());
    }
    return 0;
  }
}
