package dev.ferry.tools.security;

import dev.ferry.tools.common.ClientCommand;
import dev.ferry.tools.common.Clients;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialDeletion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code ferry user delete}. */
@Command(
    name = "delete",
    mixinStandardHelpOptions = true,
    description = "Delete every SCRAM credential of a user.")
public final class UserDeleteCommand extends ClientCommand {

  @Parameters(index = "0", description = "User name.")
  String user;

  @Override
  protected int run() throws Exception {
    try (Admin admin = Clients.admin(client)) {
      List<UserScramCredentialAlteration> deletions = new ArrayList<>();
      for (ScramCredentialInfo info :
          admin
              .describeUserScramCredentials(List.of(user))
              .description(user)
              .get()
              .credentialInfos()) {
        deletions.add(new UserScramCredentialDeletion(user, info.mechanism()));
      }
      // One mechanism per request: Kafka refuses to alter a user twice in one request.
      for (UserScramCredentialAlteration deletion : deletions) {
        admin.alterUserScramCredentials(List.of(deletion)).all().get();
      }
    }
    out().println("Deleted user " + user);
    return 0;
  }
}
