package dev.ferry.tools;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.it.TestBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ferry user} and {@code ferry acl} against a broker with a SASL_PLAINTEXT listener and the
 * ACL authorizer, the admin's login given with {@code --command-config}.
 */
class SecurityCommandsTest {

  private static final String PLAIN = "org.apache.kafka.common.security.plain.PlainLoginModule";

  @TempDir static Path dir;
  static TestBroker broker;
  static Path adminConfig;
  static String bootstrap;

  @BeforeAll
  static void start() throws Exception {
    broker =
        TestBroker.start(
            dir,
            Map.of(
                "listeners",
                "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0",
                "sasl.enabled.mechanisms",
                "PLAIN,SCRAM-SHA-256,SCRAM-SHA-512",
                "listener.name.sasl_plaintext.plain.sasl.jaas.config",
                PLAIN + " required user_admin=\"admin-secret\";",
                "authorizer.class.name",
                "org.apache.kafka.metadata.authorizer.StandardAuthorizer",
                "super.users",
                "User:admin;User:ANONYMOUS"));
    bootstrap = broker.broker().bootstrapServers("SASL_PLAINTEXT");
    adminConfig = dir.resolve("admin.properties");
    Files.writeString(
        adminConfig,
        "security.protocol=SASL_PLAINTEXT\n"
            + "sasl.mechanism=PLAIN\n"
            + "sasl.jaas.config="
            + PLAIN
            + " required username=\"admin\" password=\"admin-secret\";\n");
  }

  @AfterAll
  static void stop() {
    broker.close();
  }

  private static Cli.Result admin(String... args) {
    String[] all = new String[args.length + 1];
    System.arraycopy(args, 0, all, 0, args.length);
    all[args.length] = "--command-config=" + adminConfig;
    return Cli.on(bootstrap, all);
  }

  @Test
  void usersAndAclsRoundTrip() {
    Cli.Result created = admin("user", "create", "alice", "--password", "alice-secret");
    assertThat(created.exitCode()).as(created.err()).isZero();
    assertThat(created.out()).isEqualTo("User alice: SCRAM-SHA-256, SCRAM-SHA-512\n");
    Cli.Result users = admin("user", "list");
    assertThat(users.exitCode()).as(users.err()).isZero();
    assertThat(users.lines())
        .containsExactly(
            "USER   MECHANISM      ITERATIONS",
            "alice  SCRAM-SHA-256  4096",
            "alice  SCRAM-SHA-512  4096");

    Cli.Result acl =
        admin(
            "acl",
            "create",
            "--principal",
            "User:alice",
            "--operation",
            "READ",
            "--topic",
            "orders");
    assertThat(acl.exitCode()).as(acl.err()).isZero();
    Cli.Result prefixed =
        admin(
            "acl",
            "create",
            "--principal",
            "User:alice",
            "--operation",
            "WRITE",
            "--topic",
            "ord",
            "--prefixed",
            "--deny");
    assertThat(prefixed.exitCode()).as(prefixed.err()).isZero();
    Cli.Result list = admin("acl", "list", "-o", "json");
    assertThat(list.exitCode()).as(list.err()).isZero();
    assertThat(list.json()).hasSize(2);
    // Sorted by resource type, pattern type, name: the literal rule first.
    assertThat(list.json().get(0).get("name").asText()).isEqualTo("orders");
    assertThat(list.json().get(0).get("operation").asText()).isEqualTo("READ");
    assertThat(list.json().get(1).get("name").asText()).isEqualTo("ord");
    assertThat(list.json().get(1).get("patternType").asText()).isEqualTo("PREFIXED");
    assertThat(list.json().get(1).get("permission").asText()).isEqualTo("DENY");

    Cli.Result deleted = admin("acl", "delete", "--principal", "User:alice", "--topic", "orders");
    assertThat(deleted.exitCode()).as(deleted.err()).isZero();
    assertThat(deleted.lines()).hasSize(2); // header + the READ rule
    assertThat(admin("acl", "list", "-o", "json").json()).hasSize(1);

    Cli.Result gone = admin("user", "delete", "alice");
    assertThat(gone.exitCode()).as(gone.err()).isZero();
    assertThat(admin("user", "list").lines()).containsExactly("USER  MECHANISM  ITERATIONS");
  }
}
