package dev.ferry.tools.security;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.tools.common.ClientCommand;
import dev.ferry.tools.common.Clients;
import dev.ferry.tools.common.Json;
import dev.ferry.tools.common.Table;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code ferry acl list}. */
@Command(
    name = "list",
    mixinStandardHelpOptions = true,
    description = "List ACLs; options narrow the list (unset ones match anything).")
public final class AclListCommand extends ClientCommand {

  @Mixin AclOptions acl;

  @Override
  protected int run() throws Exception {
    Collection<AclBinding> bindings;
    try (Admin admin = Clients.admin(client)) {
      bindings = admin.describeAcls(acl.filter()).values().get();
    }
    print(this, sorted(bindings));
    return 0;
  }

  static List<AclBinding> sorted(Collection<AclBinding> bindings) {
    List<AclBinding> out = new ArrayList<>(bindings);
    out.sort(Comparator.comparing(AclListCommand::describe));
    return out;
  }

  static String describe(AclBinding b) {
    return b.pattern().resourceType()
        + ":"
        + b.pattern().patternType()
        + ":"
        + b.pattern().name()
        + " "
        + b.entry().permissionType()
        + " "
        + b.entry().principal()
        + " "
        + b.entry().operation()
        + " from "
        + b.entry().host();
  }

  static void print(ClientCommand command, List<AclBinding> bindings) {
    if (command.outputJson()) {
      ArrayNode json = Json.array();
      for (AclBinding b : bindings) {
        ObjectNode node = json.addObject();
        node.put("resourceType", b.pattern().resourceType().toString());
        node.put("patternType", b.pattern().patternType().toString());
        node.put("name", b.pattern().name());
        node.put("principal", b.entry().principal());
        node.put("host", b.entry().host());
        node.put("operation", b.entry().operation().toString());
        node.put("permission", b.entry().permissionType().toString());
      }
      Json.print(command.output(), json);
    } else {
      Table table =
          new Table(
              "RESOURCE-TYPE", "PATTERN", "NAME", "PRINCIPAL", "HOST", "OPERATION", "PERMISSION");
      for (AclBinding b : bindings) {
        table.row(
            b.pattern().resourceType(),
            b.pattern().patternType(),
            b.pattern().name(),
            b.entry().principal(),
            b.entry().host(),
            b.entry().operation(),
            b.entry().permissionType());
      }
      table.print(command.output());
    }
  }
}
