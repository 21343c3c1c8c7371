package dev.ferry.registry;

import static dev.ferry.registry.RegistryClient.body;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.it.TestBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A restart loses nothing: ids, versions, soft deletes and configs come back from _schemas. */
class SchemaRegistryDurabilityTest {

  static RegistryClient client(TestBroker broker) {
    SchemaRegistry registry =
        broker
            .broker()
            .extension(SchemaRegistry.class)
            .orElseThrow()
            .awaitReady(Duration.ofSeconds(60));
    return new RegistryClient(registry.url());
  }

  @Test
  void restartKeepsIdsVersionsDeletesAndConfigs(@TempDir Path dir) {
    try (TestBroker broker = TestBroker.start(dir, Map.of("schema.registry.port", "0"))) {
      RegistryClient c = client(broker);
      assertThat(
              c.post("/subjects/a-value/versions", body(SchemaRegistryApiTest.USER_V1, null))
                  .body())
          .isEqualTo("{\"id\":1}");
      assertThat(
              c.post("/subjects/a-value/versions", body(SchemaRegistryApiTest.USER_V2, null))
                  .body())
          .isEqualTo("{\"id\":2}");
      assertThat(c.post("/subjects/b-value/versions", body("{\"type\":\"string\"}", null)).body())
          .isEqualTo("{\"id\":3}");
      assertThat(c.delete("/subjects/b-value").body()).isEqualTo("[1]");
      c.put("/config/a-value", "{\"compatibility\":\"FULL\"}");
      c.put("/config", "{\"compatibility\":\"FORWARD\"}");

      broker.restart();

      RegistryClient after = client(broker);
      assertThat(after.get("/subjects").body()).isEqualTo("[\"a-value\"]");
      assertThat(after.get("/subjects?deleted=true").body()).isEqualTo("[\"a-value\",\"b-value\"]");
      assertThat(after.get("/subjects/a-value/versions").body()).isEqualTo("[1,2]");
      assertThat(after.get("/subjects/a-value/versions/2").json().get("id").asInt()).isEqualTo(2);
      assertThat(after.get("/schemas/ids/1").json().get("schema").asText())
          .isEqualTo(SchemaRegistryApiTest.USER_V1);
      assertThat(after.get("/config/a-value").body())
          .isEqualTo("{\"compatibilityLevel\":\"FULL\"}");
      assertThat(after.get("/config").body()).isEqualTo("{\"compatibilityLevel\":\"FORWARD\"}");
      // Ids keep counting from where they were.
      assertThat(after.post("/subjects/c-value/versions", body("{\"type\":\"long\"}", null)).body())
          .isEqualTo("{\"id\":4}");
    }
  }
}
