package dev.ferry.tools.security;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.tools.common.ClientCommand;
import dev.ferry.tools.common.Clients;
import dev.ferry.tools.common.Json;
import dev.ferry.tools.common.Table;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.UserScramCredentialsDescription;
import picocli.CommandLine.Command;

/** {@code ferry user list}. */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = "List SCRAM users with their mechanisms and iterations.")
public final class UserListCommand extends ClientCommand {

  @Override
  protected int run() throws Exception {
    Map<String, UserScramCredentialsDescription> users;
    try (Admin admin = Clients.admin(client)) {
      users = new TreeMap<>(admin.describeUserScramCredentials().all().get());
    }
    if (output.json()) {
      ArrayNode json = Json.array();
      users.forEach(
          (user, d) -> {
            for (ScramCredentialInfo info : d.credentialInfos()) {
              ObjectNode node = json.addObject();
              node.put("user", user);
              node.put("mechanism", info.mechanism().mechanismName());
              node.put("iterations", info.iterations());
            }
          });
      Json.print(out(), json);
    } else {
      Table table = new Table("USER", "MECHANISM", "ITERATIONS");
      users.forEach(
          (user, d) -> {
            for (ScramCredentialInfo info : d.credentialInfos()) {
              table.row(user, info.mechanism().mechanismName(), info.iterations());
            }
          });
      table.print(out());
    }
    return 0;
  }
}
