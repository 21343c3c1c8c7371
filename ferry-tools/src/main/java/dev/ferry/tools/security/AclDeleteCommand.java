package dev.ferry.tools.security;

import dev.ferry.tools.common.ClientCommand;
import dev.ferry.tools.common.Clients;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.resource.ResourceType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code ferry acl delete}. */
@Command(
    name = "delete",
    mixinStandardHelpOptions = true,
    description = "Delete the ACLs matching the options (a resource or principal is required).")
public final class AclDeleteCommand extends ClientCommand {

  @Mixin AclOptions acl;

  @Override
  protected int run() throws Exception {
    if (acl.resourceType() == ResourceType.ANY && acl.principal == null) {
      throw usage("delete needs a resource or --principal (refusing to delete every ACL)");
    }
    Collection<AclBinding> deleted;
    try (Admin admin = Clients.admin(client)) {
      deleted = admin.deleteAcls(List.of(acl.filter())).all().get();
    }
    List<AclBinding> sorted = AclListCommand.sorted(new ArrayList<>(deleted));
    AclListCommand.print(this, sorted);
    return 0;
  }
}
