package dev.ferry.tools.security;

import dev.ferry.tools.common.ClientCommand;
import dev.ferry.tools.common.Clients;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code ferry acl create}. */
@Command(
    name = "create",
    mixinStandardHelpOptions = true,
    description = "Add an ACL, e.g. --principal User:alice --operation READ --topic orders.")
public final class AclCreateCommand extends ClientCommand {

  @Mixin AclOptions acl;

  @Override
  protected int run() throws Exception {
    ResourceType type;
    try {
      type = acl.resourceType();
    } catch (IllegalArgumentException e) {
      throw usage(e.getMessage());
    }
    if (type == ResourceType.ANY || acl.principal == null || acl.operation == null) {
      throw usage("create needs a resource, --principal and --operation");
    }
    AclOperation op = acl.operation(AclOperation.UNKNOWN);
    if (op == AclOperation.UNKNOWN || op == AclOperation.ANY) {
      throw usage("unknown operation " + acl.operation);
    }
    AclBinding binding =
        new AclBinding(
            new ResourcePattern(
                type,
                acl.resourceName(),
                acl.prefixed ? PatternType.PREFIXED : PatternType.LITERAL),
            new AccessControlEntry(
                acl.principal, acl.host == null ? "*" : acl.host, op, acl.permission()));
    try (Admin admin = Clients.admin(client)) {
      admin.createAcls(List.of(binding)).all().get();
    }
    out().println("Created " + AclListCommand.describe(binding));
    return 0;
  }
}
