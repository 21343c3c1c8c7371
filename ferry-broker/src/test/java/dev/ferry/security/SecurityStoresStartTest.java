package dev.ferry.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.it.TestBroker;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The security stores' ZooKeeper session opens at start only when security needs it (an authorizer,
 * a SCRAM mechanism on a SASL listener); without, on the first SCRAM credentials request, which
 * then works as in Kafka.
 */
class SecurityStoresStartTest {

  @TempDir Path dir;

  @Test
  void withoutSecurityTheStoresOpenOnTheFirstScramRequest() throws Exception {
    try (TestBroker broker = TestBroker.start(dir)) {
      assertThat(broker.broker().security().storesOpen()).isFalse();
      Properties p = new Properties();
      p.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, broker.broker().bootstrapServers());
      try (Admin admin = Admin.create(p)) {
        admin
            .alterUserScramCredentials(
                List.of(
                    new UserScramCredentialUpsertion(
                        "carol",
                        new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096),
                        "carol-secret")))
            .all()
            .get(30, TimeUnit.SECONDS);
        assertThat(broker.broker().security().storesOpen()).isTrue();
        assertThat(
                admin
                    .describeUserScramCredentials(List.of("carol"))
                    .description("carol")
                    .get(30, TimeUnit.SECONDS)
                    .credentialInfos())
            .containsExactly(new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096));
      }
    }
  }

  @Test
  void anAuthorizerOrAScramListenerOpensThemAtStart() throws Exception {
    Map<String, String> scram = new HashMap<>();
    scram.put("listeners", "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0");
    scram.put("sasl.enabled.mechanisms", "SCRAM-SHA-512");
    try (TestBroker broker = TestBroker.start(dir.resolve("scram"), scram)) {
      assertThat(broker.broker().security().storesOpen()).isTrue();
    }
    Map<String, String> plainOnly = new HashMap<>(scram);
    plainOnly.put("sasl.enabled.mechanisms", "PLAIN");
    plainOnly.put(
        "listener.name.sasl_plaintext.plain.sasl.jaas.config",
        SecureClusterConfig.PLAIN_MODULE + " required user_alice=\"alice-secret\";");
    try (TestBroker broker = TestBroker.start(dir.resolve("plain"), plainOnly)) {
      assertThat(broker.broker().security().storesOpen()).isFalse();
    }
    Map<String, String> acls =
        Map.of("authorizer.class.name", "kafka.security.authorizer.AclAuthorizer");
    try (TestBroker broker = TestBroker.start(dir.resolve("acls"), acls)) {
      assertThat(broker.broker().security().storesOpen()).isTrue();
      assertThat(broker.broker().security().acls()).isNotNull();
    }
  }
}
