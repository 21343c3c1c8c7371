package dev.ferry.console.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;
import org.junit.jupiter.api.Test;

/** The client settings a signed-in user's credentials become. */
class ClientFactoryTest {

  @Test
  void saslListenerGetsTheUsersOwnCredentials() {
    ClientFactory f =
        new ClientFactory(
            new ClientFactory.Target(
                "127.0.0.1:9093",
                "SASL_PLAINTEXT",
                "SCRAM-SHA-512",
                Map.of("client.rack", "r1"),
                5000));
    Map<String, Object> p = f.properties(new Credentials("al\"ice", "pa\\ss\"word"));
    assertThat(p)
        .containsEntry("bootstrap.servers", "127.0.0.1:9093")
        .containsEntry("security.protocol", "SASL_PLAINTEXT")
        .containsEntry("sasl.mechanism", "SCRAM-SHA-512")
        .containsEntry("client.rack", "r1");
    // Kafka's own JAAS parser reads back exactly the name and password, quotes and backslashes too.
    var entry =
        JaasContext.loadClientContext(
                Map.of("sasl.jaas.config", new Password((String) p.get("sasl.jaas.config"))))
            .configurationEntries()
            .get(0);
    assertThat(entry.getLoginModuleName())
        .isEqualTo("org.apache.kafka.common.security.scram.ScramLoginModule");
    assertThat(Map.<String, Object>copyOf(entry.getOptions()))
        .containsEntry("username", "al\"ice")
        .containsEntry("password", "pa\\ss\"word");
  }

  @Test
  void plaintextListenerGetsNoCredentials() {
    ClientFactory f =
        new ClientFactory(new ClientFactory.Target("h:1", "PLAINTEXT", "PLAIN", Map.of(), 5000));
    assertThat(f.properties(new Credentials("alice", "x")))
        .doesNotContainKeys("sasl.jaas.config", "sasl.mechanism")
        .containsEntry("security.protocol", "PLAINTEXT");
  }

  @Test
  void defaultMechanismIsTheFirstTheListenerEnablesThatTheConsoleSpeaks() {
    assertThat(ClientFactory.defaultMechanism(List.of("GSSAPI", "SCRAM-SHA-256")))
        .isEqualTo("SCRAM-SHA-256");
    assertThat(ClientFactory.defaultMechanism(List.of("SCRAM-SHA-256", "PLAIN")))
        .isEqualTo("PLAIN");
  }
}
