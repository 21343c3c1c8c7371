package dev.ferry.tools.security;

import dev.ferry.tools.common.ClientCommand;
import dev.ferry.tools.common.Clients;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ferry user create}. */
@Command(
    name = "create",
    mixinStandardHelpOptions = true,
    description =
        "Create or update a SCRAM user. The client salts the password; the cluster never sees it.")
public final class UserCreateCommand extends ClientCommand {

  @Parameters(index = "0", description = "User name.")
  String user;

  @Option(
      names = "--password",
      description =
          "The password (default: read from the FERRY_USER_PASSWORD environment variable).")
  String password;

  @Option(
      names = "--mechanism",
      split = ",",
      description = "SCRAM-SHA-256 and/or SCRAM-SHA-512 (default: both).")
  List<String> mechanisms = List.of("SCRAM-SHA-256", "SCRAM-SHA-512");

  @Option(names = "--iterations", description = "Iterations (4096..16384, default 4096).")
  int iterations = 4096;

  @Override
  protected int run() throws Exception {
    String secret = password != null ? password : System.getenv("FERRY_USER_PASSWORD");
    if (secret == null || secret.isEmpty()) {
      throw usage("give --password or set FERRY_USER_PASSWORD");
    }
    List<UserScramCredentialAlteration> alterations = new ArrayList<>();
    for (String m : mechanisms) {
      ScramMechanism mechanism = ScramMechanism.fromMechanismName(m.trim());
      if (mechanism == ScramMechanism.UNKNOWN) {
        throw usage("unknown mechanism " + m);
      }
      alterations.add(
          new UserScramCredentialUpsertion(
              user, new ScramCredentialInfo(mechanism, iterations), secret));
    }
    try (Admin admin = Clients.admin(client)) {
      // One mechanism per request: Kafka refuses to alter a user twice in one request.
      for (UserScramCredentialAlteration alteration : alterations) {
        admin.alterUserScramCredentials(List.of(alteration)).all().get();
      }
    }
    out().println("User " + user + ": " + String.join(", ", mechanisms));
    return 0;
  }
}
