package dev.ferry.registry;

import static dev.ferry.registry.RegistryClient.body;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ferry.it.TestBroker;
import dev.ferry.registry.RegistryClient.Reply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every endpoint of the registry's REST API and its error codes, against a real broker serving the
 * registry on an ephemeral port (schemas in its {@code _schemas} topic). Each test uses its own
 * subjects, so they share one broker.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SchemaRegistryApiTest {

  static final String USER_V1 =
      "{\"type\":\"record\",\"name\":\"User\",\"fields\":[{\"name\":\"name\",\"type\":\"string\"}]}";
  static final String USER_V2 =
      "{\"type\":\"record\",\"name\":\"User\",\"fields\":[{\"name\":\"name\",\"type\":\"string\"},"
          + "{\"name\":\"age\",\"type\":\"int\",\"default\":0}]}";
  static final String USER_BAD =
      "{\"type\":\"record\",\"name\":\"User\",\"fields\":[{\"name\":\"name\",\"type\":\"string\"},"
          + "{\"name\":\"email\",\"type\":\"string\"}]}";

  TestBroker broker;
  RegistryClient client;

  @BeforeAll
  void start(@TempDir Path dir) {
    broker =
        TestBroker.start(
            dir, Map.of("schema.registry.port", "0", "schema.registry.max.request.bytes", "65536"));
    SchemaRegistry registry =
        broker
            .broker()
            .extension(SchemaRegistry.class)
            .orElseThrow()
            .awaitReady(Duration.ofSeconds(60));
    client = new RegistryClient(registry.url());
  }

  @AfterAll
  void stop() {
    broker.close();
  }

  @Test
  void registerListGetAndLookUp() {
    Reply r = client.post("/subjects/users-value/versions", body(USER_V1, null));
    assertThat(r.status()).isEqualTo(200);
    int id = r.json().get("id").asInt();
    // The same schema again: same id, no new version.
    assertThat(
            client
                .post("/subjects/users-value/versions", body(USER_V1, null))
                .json()
                .get("id")
                .asInt())
        .isEqualTo(id);
    int id2 =
        client.post("/subjects/users-value/versions", body(USER_V2, null)).json().get("id").asInt();
    assertThat(id2).isNotEqualTo(id);

    assertThat(client.get("/subjects").json().toString()).contains("\"users-value\"");
    assertThat(client.get("/subjects/users-value/versions").body()).isEqualTo("[1,2]");
    Reply v1 = client.get("/subjects/users-value/versions/1");
    assertThat(v1.json().get("subject").asText()).isEqualTo("users-value");
    assertThat(v1.json().get("version").asInt()).isEqualTo(1);
    assertThat(v1.json().get("id").asInt()).isEqualTo(id);
    assertThat(v1.json().get("schema").asText()).isEqualTo(USER_V1);
    assertThat(v1.json().has("schemaType")).isFalse();
    assertThat(client.get("/subjects/users-value/versions/latest").json().get("version").asInt())
        .isEqualTo(2);
    assertThat(client.get("/subjects/users-value/versions/-1").json().get("id").asInt())
        .isEqualTo(id2);
    assertThat(client.get("/subjects/users-value/versions/1/schema").body()).isEqualTo(USER_V1);

    Reply byId = client.get("/schemas/ids/" + id);
    assertThat(byId.json().get("schema").asText()).isEqualTo(USER_V1);
    assertThat(client.get("/schemas/ids/" + id + "/schema").body()).isEqualTo(USER_V1);
    assertThat(client.get("/schemas/ids/" + id + "/subjects").body())
        .isEqualTo("[\"users-value\"]");
    assertThat(client.get("/schemas/ids/" + id + "/versions").body())
        .isEqualTo("[{\"subject\":\"users-value\",\"version\":1}]");
    assertThat(client.get("/schemas/types").body()).isEqualTo("[\"JSON\",\"PROTOBUF\",\"AVRO\"]");

    // The same schema under another subject keeps its id, with that subject's own version 1.
    assertThat(
            client
                .post("/subjects/copy-value/versions", body(USER_V2, null))
                .json()
                .get("id")
                .asInt())
        .isEqualTo(id2);
    Reply lookup = client.post("/subjects/copy-value", body(USER_V2, null));
    assertThat(lookup.json().get("version").asInt()).isEqualTo(1);
    assertThat(lookup.json().get("id").asInt()).isEqualTo(id2);
    assertThat(client.post("/subjects/copy-value", body(USER_V1, null)).errorCode())
        .isEqualTo(40403);
    assertThat(client.get("/").body()).isEqualTo("{}");
  }

  @Test
  void notFoundCodes() {
    client.post("/subjects/nf-value/versions", body(USER_V1, null));
    Reply subject = client.get("/subjects/nope/versions");
    assertThat(subject.status()).isEqualTo(404);
    assertThat(subject.errorCode()).isEqualTo(40401);
    assertThat(subject.json().get("message").asText()).isEqualTo("Subject 'nope' not found.");
    assertThat(client.get("/subjects/nf-value/versions/7").errorCode()).isEqualTo(40402);
    Reply schema = client.get("/schemas/ids/999999");
    assertThat(schema.status()).isEqualTo(404);
    assertThat(schema.errorCode()).isEqualTo(40403);
    assertThat(client.get("/subjects/nf-value/versions/0").errorCode()).isEqualTo(42202);
    assertThat(client.get("/subjects/nf-value/versions/abc").status()).isEqualTo(422);
    assertThat(client.post("/subjects/nope", body(USER_V1, null)).errorCode()).isEqualTo(40401);
    assertThat(client.get("/nowhere").status()).isEqualTo(404);
    assertThat(client.send("PATCH", "/subjects", null).status()).isEqualTo(405);
  }

  @Test
  void incompatibleChangeIsRefusedUnderBackward() {
    client.post("/subjects/compat-value/versions", body(USER_V1, null));
    Reply refused = client.post("/subjects/compat-value/versions", body(USER_BAD, null));
    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.errorCode()).isEqualTo(409);
    assertThat(refused.json().get("message").asText()).contains("incompatible").contains("email");
    assertThat(client.get("/subjects/compat-value/versions").body()).isEqualTo("[1]");

    Reply check =
        client.post("/compatibility/subjects/compat-value/versions/latest", body(USER_BAD, null));
    assertThat(check.body()).isEqualTo("{\"is_compatible\":false}");
    Reply verbose =
        client.post(
            "/compatibility/subjects/compat-value/versions/1?verbose=true", body(USER_V2, null));
    assertThat(verbose.json().get("is_compatible").asBoolean()).isTrue();
    assertThat(verbose.json().get("messages").size()).isZero();
    assertThat(
            client
                .post("/compatibility/subjects/compat-value/versions", body(USER_BAD, null))
                .json()
                .get("is_compatible")
                .asBoolean())
        .isFalse();
    assertThat(
            client
                .post("/compatibility/subjects/compat-value/versions/9", body(USER_V2, null))
                .errorCode())
        .isEqualTo(40402);

    // NONE for this subject lets it in.
    assertThat(client.put("/config/compat-value", "{\"compatibility\":\"NONE\"}").body())
        .isEqualTo("{\"compatibility\":\"NONE\"}");
    assertThat(client.post("/subjects/compat-value/versions", body(USER_BAD, null)).status())
        .isEqualTo(200);
  }

  @Test
  void configGlobalAndPerSubject() {
    assertThat(client.get("/config").body()).isEqualTo("{\"compatibilityLevel\":\"BACKWARD\"}");
    client.post("/subjects/cfg-value/versions", body(USER_V1, null));
    Reply none = client.get("/config/cfg-value");
    assertThat(none.status()).isEqualTo(404);
    assertThat(none.errorCode()).isEqualTo(40408);
    assertThat(client.get("/config/cfg-value?defaultToGlobal=true").body())
        .isEqualTo("{\"compatibilityLevel\":\"BACKWARD\"}");
    assertThat(client.put("/config/cfg-value", "{\"compatibility\":\"full_transitive\"}").body())
        .isEqualTo("{\"compatibility\":\"FULL_TRANSITIVE\"}");
    assertThat(client.get("/config/cfg-value").body())
        .isEqualTo("{\"compatibilityLevel\":\"FULL_TRANSITIVE\"}");
    assertThat(client.put("/config/cfg-value", "{\"compatibility\":\"SIDEWAYS\"}").errorCode())
        .isEqualTo(42203);
    assertThat(client.delete("/config/cfg-value").body())
        .isEqualTo("{\"compatibilityLevel\":\"FULL_TRANSITIVE\"}");
    assertThat(client.get("/config/cfg-value").errorCode()).isEqualTo(40408);
  }

  @Test
  void modes() {
    assertThat(client.get("/mode").body()).isEqualTo("{\"mode\":\"READWRITE\"}");
    assertThat(client.get("/mode/mode-value").errorCode()).isEqualTo(40409);
    assertThat(client.put("/mode/mode-value", "{\"mode\":\"READONLY\"}").body())
        .isEqualTo("{\"mode\":\"READONLY\"}");
    Reply refused = client.post("/subjects/mode-value/versions", body(USER_V1, null));
    assertThat(refused.status()).isEqualTo(422);
    assertThat(refused.errorCode()).isEqualTo(42205);
    assertThat(client.put("/mode/mode-value", "{\"mode\":\"WRONG\"}").errorCode()).isEqualTo(42204);
    assertThat(client.delete("/mode/mode-value").body()).isEqualTo("{\"mode\":\"READONLY\"}");
    assertThat(client.post("/subjects/mode-value/versions", body(USER_V1, null)).status())
        .isEqualTo(200);
  }

  @Test
  void softAndHardDeletes() {
    // Schemas of their own: ids are shared by equal schemas across subjects.
    String v1 = USER_V1.replace("User", "Deleted");
    String v2 = USER_V2.replace("User", "Deleted");
    int id = client.post("/subjects/del-value/versions", body(v1, null)).json().get("id").asInt();
    client.post("/subjects/del-value/versions", body(v2, null));

    assertThat(client.delete("/subjects/del-value/versions/1?permanent=true").errorCode())
        .isEqualTo(40407);
    assertThat(client.delete("/subjects/del-value/versions/1").body()).isEqualTo("1");
    assertThat(client.delete("/subjects/del-value/versions/1").errorCode()).isEqualTo(40406);
    assertThat(client.get("/subjects/del-value/versions").body()).isEqualTo("[2]");
    assertThat(client.get("/subjects/del-value/versions?deleted=true").body()).isEqualTo("[1,2]");
    assertThat(client.get("/subjects/del-value/versions/1").errorCode()).isEqualTo(40402);
    assertThat(client.get("/subjects/del-value/versions/1?deleted=true").json().get("id").asInt())
        .isEqualTo(id);
    assertThat(client.delete("/subjects/del-value/versions/1?permanent=true").body())
        .isEqualTo("1");
    assertThat(client.get("/subjects/del-value/versions?deleted=true").body()).isEqualTo("[2]");

    assertThat(client.delete("/subjects/del-value?permanent=true").errorCode()).isEqualTo(40405);
    assertThat(client.delete("/subjects/del-value").body()).isEqualTo("[2]");
    assertThat(client.get("/subjects/del-value/versions").errorCode()).isEqualTo(40401);
    assertThat(client.get("/subjects").json().toString()).doesNotContain("\"del-value\"");
    assertThat(client.get("/subjects?deleted=true").json().toString()).contains("\"del-value\"");
    assertThat(client.delete("/subjects/del-value").errorCode()).isEqualTo(40404);
    assertThat(client.delete("/subjects/del-value?permanent=true").body()).isEqualTo("[2]");
    assertThat(client.get("/subjects?deleted=true").json().toString())
        .doesNotContain("\"del-value\"");
    assertThat(client.get("/schemas/ids/" + id).errorCode()).isEqualTo(40403);
  }

  @Test
  void referencesAndOtherTypes() {
    String address =
        "{\"type\":\"record\",\"name\":\"Address\",\"namespace\":\"ex\",\"fields\":[{\"name\":\"city\",\"type\":\"string\"}]}";
    client.post("/subjects/address/versions", body(address, null));
    String person =
        "{\"type\":\"record\",\"name\":\"Person\",\"namespace\":\"ex\",\"fields\":[{\"name\":\"home\",\"type\":\"ex.Address\"}]}";
    var reg = RegistryClient.JSON.createObjectNode().put("schema", person);
    reg.putArray("references")
        .addObject()
        .put("name", "ex.Address")
        .put("subject", "address")
        .put("version", 1);
    Reply r = client.post("/subjects/person-value/versions", reg.toString());
    assertThat(r.status()).isEqualTo(200);
    int id = r.json().get("id").asInt();
    assertThat(client.get("/subjects/person-value/versions/1").json().get("references").toString())
        .isEqualTo("[{\"name\":\"ex.Address\",\"subject\":\"address\",\"version\":1}]");
    assertThat(client.get("/subjects/address/versions/1/referencedby").body())
        .isEqualTo("[" + id + "]");
    // A referenced version cannot be deleted.
    assertThat(client.delete("/subjects/address/versions/1").errorCode()).isEqualTo(42206);
    // Without the reference the named type is unknown.
    assertThat(client.post("/subjects/person2-value/versions", body(person, null)).errorCode())
        .isEqualTo(42201);

    String json = "{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\"}}}";
    Reply j = client.post("/subjects/json-value/versions", body(json, "JSON"));
    assertThat(j.status()).isEqualTo(200);
    assertThat(client.get("/subjects/json-value/versions/1").json().get("schemaType").asText())
        .isEqualTo("JSON");
    String proto = "syntax = \"proto3\";\npackage ex;\nmessage M { string a = 1; int32 b = 2; }\n";
    Reply p = client.post("/subjects/proto-value/versions", body(proto, "PROTOBUF"));
    assertThat(p.status()).isEqualTo(200);
    assertThat(
            client
                .get("/schemas/ids/" + p.json().get("id").asInt())
                .json()
                .get("schemaType")
                .asText())
        .isEqualTo("PROTOBUF");
    String protoBad =
        "syntax = \"proto3\";\npackage ex;\nmessage M { string a = 1; string b = 2; }\n";
    assertThat(client.post("/subjects/proto-value/versions", body(protoBad, "PROTOBUF")).status())
        .isEqualTo(409);
  }

  @Test
  void badInputIsRefusedAndNothingStored() {
    Reply malformed =
        client.post("/subjects/bad-value/versions", body("{\"type\":\"record\",", null));
    assertThat(malformed.status()).isEqualTo(422);
    assertThat(malformed.errorCode()).isEqualTo(42201);
    Reply notAvro =
        client.post("/subjects/bad-value/versions", body("{\"type\":\"nothing\"}", null));
    assertThat(notAvro.errorCode()).isEqualTo(42201);
    Reply unknownType = client.post("/subjects/bad-value/versions", body("{}", "XML"));
    assertThat(unknownType.errorCode()).isEqualTo(42201);
    assertThat(unknownType.json().get("message").asText()).contains("XML");
    Reply notJson = client.post("/subjects/bad-value/versions", "{not json");
    assertThat(notJson.status()).isEqualTo(400);
    assertThat(notJson.errorCode()).isEqualTo(400);
    Reply noSchema = client.post("/subjects/bad-value/versions", "{\"schemaType\":\"AVRO\"}");
    assertThat(noSchema.errorCode()).isEqualTo(42201);
    Reply badJsonSchema =
        client.post("/subjects/bad-value/versions", body("{\"type\":\"strin\"}", "JSON"));
    assertThat(badJsonSchema.errorCode()).isEqualTo(42201);
    Reply badProto = client.post("/subjects/bad-value/versions", body("message {", "PROTOBUF"));
    assertThat(badProto.errorCode()).isEqualTo(42201);

    String huge = "x".repeat(70_000);
    Reply tooLarge = client.post("/subjects/bad-value/versions", body(huge, null));
    assertThat(tooLarge.status()).isEqualTo(413);
    assertThat(tooLarge.json().get("message").asText()).contains("65536");

    // Traversal and odd characters: the subject is data, never a path; control characters refused.
    assertThat(client.get("/subjects/..%2F..%2Fetc%2Fpasswd/versions").errorCode())
        .isEqualTo(40401);
    assertThat(client.get("/subjects/../config").status()).isEqualTo(400);
    assertThat(client.get("/subjects/%2E%2E/versions").status()).isEqualTo(400);
    Reply control = client.post("/subjects/a%00b/versions", body(USER_V1, null));
    assertThat(control.errorCode()).isEqualTo(42208);
    Reply slash = client.post("/subjects/a%2Fb/versions", body(USER_V1, null));
    assertThat(slash.status()).isEqualTo(200);
    assertThat(client.get("/subjects/a%2Fb/versions").body()).isEqualTo("[1]");
    client.delete("/subjects/a%2Fb");
    client.delete("/subjects/a%2Fb?permanent=true");

    assertThat(client.get("/subjects").json().toString())
        .doesNotContain("bad-value")
        .doesNotContain("a\\u0000b");
  }
}
