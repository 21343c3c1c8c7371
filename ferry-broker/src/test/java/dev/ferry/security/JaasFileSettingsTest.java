package dev.ferry.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.security.sasl.JaasFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a listener's SASL login options come from: Kafka's precedence between {@code
 * listener.name.<l>.<mechanism>.sasl.jaas.config}, the JAAS file's {@code <l>.KafkaServer} section
 * and its {@code KafkaServer} section.
 */
class JaasFileSettingsTest {

  private static final String PLAIN = ListenerSettings.PLAIN_LOGIN_MODULE;
  private static final String SCRAM = ListenerSettings.SCRAM_LOGIN_MODULE;

  @TempDir Path dir;

  private JaasFile file(String text) throws IOException {
    Path path = dir.resolve("kafka_server_jaas.conf");
    Files.writeString(path, text);
    return JaasFile.load(path.toString());
  }

  private static ListenerSettings settings(
      String listener, Map<String, String> values, JaasFile file) {
    return new ListenerSettings(listener, values, () -> file);
  }

  private static final String TWO_SECTIONS =
      "KafkaServer {\n"
          + "  "
          + PLAIN
          + " required\n"
          + "    username=\"broker\" password=\"broker-secret\"\n"
          + "    user_broker=\"broker-secret\" user_alice=\"alice-secret\";\n"
          + "  "
          + SCRAM
          + " required username=\"scram-broker\" password=\"scram-secret\";\n"
          + "};\n"
          + "// a listener's own section replaces KafkaServer for that listener\n"
          + "sasl_ssl.KafkaServer {\n"
          + "  "
          + PLAIN
          + " required user_carol=\"carol-secret\";\n"
          + "};\n";

  @Test
  void aListenerUsesItsOwnSectionElseKafkaServer() throws IOException {
    JaasFile jaas = file(TWO_SECTIONS);
    assertThat(settings("SASL_PLAINTEXT", Map.of(), jaas).jaasOptions("PLAIN"))
        .contains(
            Map.of(
                "username", "broker",
                "password", "broker-secret",
                "user_broker", "broker-secret",
                "user_alice", "alice-secret"));
    // Listener names are matched in lower case, as Kafka does.
    assertThat(settings("SASL_SSL", Map.of(), jaas).jaasOptions("PLAIN"))
        .contains(Map.of("user_carol", "carol-secret"));
  }

  @Test
  void eachMechanismReadsItsOwnLoginModulesEntry() throws IOException {
    ListenerSettings s = settings("SASL_PLAINTEXT", Map.of(), file(TWO_SECTIONS));
    assertThat(s.jaasClientOptions("SCRAM-SHA-512"))
        .contains(Map.of("username", "scram-broker", "password", "scram-secret"));
    assertThat(s.jaasClientOptions("PLAIN").orElseThrow()).containsEntry("username", "broker");
    // The listener section has no ScramLoginModule: no options for SCRAM there.
    assertThat(settings("SASL_SSL", Map.of(), file(TWO_SECTIONS)).jaasOptions("SCRAM-SHA-256"))
        .isEmpty();
  }

  @Test
  void theInterBrokerClientTakesTheFirstEntryWithAUsernameIfItsModuleHasNone() throws IOException {
    JaasFile jaas =
        file(
            "KafkaServer {\n  "
                + PLAIN
                + " required username=\"broker\" password=\"broker-secret\";\n};\n");
    ListenerSettings s = settings("INTERNAL", Map.of(), jaas);
    assertThat(s.jaasOptions("SCRAM-SHA-256")).isEmpty();
    assertThat(s.jaasClientOptions("SCRAM-SHA-256"))
        .contains(Map.of("username", "broker", "password", "broker-secret"));
  }

  @Test
  void theListenerMechanismConfigWinsOverTheFile() throws IOException {
    Map<String, String> values =
        Map.of(
            "listener.name.sasl_ssl.plain.sasl.jaas.config",
            PLAIN + " required user_dave=\"dave-secret\";");
    assertThat(settings("SASL_SSL", values, file(TWO_SECTIONS)).jaasOptions("PLAIN"))
        .contains(Map.of("user_dave", "dave-secret"));
  }

  @Test
  void anUnprefixedJaasConfigOnlyFillsInWithoutAFileSection() throws IOException {
    // Kafka ignores an unprefixed sasl.jaas.config on brokers; Ferry takes it last.
    Map<String, String> values =
        Map.of("sasl.jaas.config", PLAIN + " required user_erin=\"erin-secret\";");
    assertThat(settings("SASL_SSL", values, file(TWO_SECTIONS)).jaasOptions("PLAIN"))
        .contains(Map.of("user_carol", "carol-secret"));
    assertThat(settings("SASL_SSL", values, JaasFile.NONE).jaasOptions("PLAIN"))
        .contains(Map.of("user_erin", "erin-secret"));
  }

  @Test
  void aFileWithoutAServerSectionGivesNothing() throws IOException {
    JaasFile jaas =
        file("KafkaClient {\n  " + PLAIN + " required username=\"x\" password=\"y\";\n};\n");
    assertThat(settings("SASL_SSL", Map.of(), jaas).jaasOptions("PLAIN")).isEmpty();
    assertThat(settings("SASL_SSL", Map.of(), jaas).jaasSources("PLAIN"))
        .contains("'sasl_ssl.KafkaServer' or 'KafkaServer'")
        .contains(dir.toString());
  }

  @Test
  void aMissingOrBrokenFileIsAConfigErrorWithoutTheFilesContents() throws IOException {
    assertThatThrownBy(() -> JaasFile.load(dir.resolve("absent.conf").toString()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("absent.conf");
    assertThatThrownBy(() -> file("KafkaServer {\n  " + PLAIN + " user_a=\"hunter2\";\n};\n"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("java.security.auth.login.config")
        .hasMessageNotContaining("hunter2");
  }
}
