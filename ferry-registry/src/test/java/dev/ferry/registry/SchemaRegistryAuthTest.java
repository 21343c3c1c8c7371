package dev.ferry.registry;

import static dev.ferry.registry.RegistryClient.body;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.it.TestBroker;
import dev.ferry.registry.RegistryClient.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On a broker with a SASL listener the registry takes HTTP Basic credentials and checks them as
 * that listener would (PLAIN users here); without valid ones nothing is read or stored.
 */
class SchemaRegistryAuthTest {

  @Test
  void requestsWithoutValidCredentialsAreRefused(@TempDir Path dir) {
    Map<String, String> settings = new HashMap<>();
    settings.put("listeners", "PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0");
    settings.put("sasl.enabled.mechanisms", "PLAIN");
    settings.put(
        "listener.name.sasl_plaintext.plain.sasl.jaas.config",
        "org.apache.kafka.common.security.plain.PlainLoginModule required"
            + " user_alice=\"alice-secret\";");
    settings.put("schema.registry.port", "0");
    try (TestBroker broker = TestBroker.start(dir, settings)) {
      String url =
          broker
              .broker()
              .extension(SchemaRegistry.class)
              .orElseThrow()
              .awaitReady(Duration.ofSeconds(60))
              .url();
      Reply anonymous =
          new RegistryClient(url)
              .post("/subjects/s-value/versions", body(SchemaRegistryApiTest.USER_V1, null));
      assertThat(anonymous.status()).isEqualTo(401);
      assertThat(anonymous.body())
          .isEqualTo("{\"error_code\":401,\"message\":\"Unauthorized: credentials required\"}");
      Reply wrong = new RegistryClient(url, "alice:guess").get("/subjects");
      assertThat(wrong.status()).isEqualTo(401);
      assertThat(wrong.errorCode()).isEqualTo(401);
      assertThat(new RegistryClient(url, "mallory:alice-secret").get("/subjects").status())
          .isEqualTo(401);

      RegistryClient alice = new RegistryClient(url, "alice:alice-secret");
      assertThat(alice.get("/subjects").body()).isEqualTo("[]");
      assertThat(
              alice
                  .post("/subjects/s-value/versions", body(SchemaRegistryApiTest.USER_V1, null))
                  .body())
          .isEqualTo("{\"id\":1}");
    }
  }
}
