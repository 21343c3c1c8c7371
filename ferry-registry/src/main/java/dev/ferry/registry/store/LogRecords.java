package dev.ferry.registry.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.registry.schema.SchemaReference;
import dev.ferry.registry.schema.SchemaType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Keys and values of the {@code _schemas} topic, in Confluent's JSON layout (keytype SCHEMA,
 * CONFIG, MODE; {@code magic} in the key), plus Ferry's FERRY_NODE records that tell every broker
 * where each registry instance listens (for forwarding writes). Keys are written with a fixed field
 * order: compaction keeps the last record per key by its bytes.
 */
public final class LogRecords {

  static final ObjectMapper JSON = new ObjectMapper();

  public enum KeyType {
    SCHEMA,
    CONFIG,
    MODE,
    DELETE_SUBJECT,
    NOOP,
    FERRY_NODE
  }

  /** A decoded key: its type, subject (null for the global config/mode) and version or node. */
  public record Key(KeyType type, String subject, int number) {}

  private LogRecords() {}

  public static byte[] schemaKey(String subject, int version) {
    ObjectNode k = JSON.createObjectNode();
    k.put("keytype", "SCHEMA").put("subject", subject).put("version", version).put("magic", 1);
    return bytes(k);
  }

  public static byte[] configKey(String subject) {
    ObjectNode k = JSON.createObjectNode();
    k.put("keytype", "CONFIG").put("subject", subject).put("magic", 0);
    return bytes(k);
  }

  public static byte[] modeKey(String subject) {
    ObjectNode k = JSON.createObjectNode();
    k.put("keytype", "MODE").put("subject", subject).put("magic", 0);
    return bytes(k);
  }

  public static byte[] nodeKey(int brokerId) {
    ObjectNode k = JSON.createObjectNode();
    k.put("keytype", "FERRY_NODE").put("broker", brokerId).put("magic", 0);
    return bytes(k);
  }

  public static byte[] schemaValue(StoredSchema s) {
    ObjectNode v = JSON.createObjectNode();
    v.put("subject", s.subject()).put("version", s.version()).put("id", s.id());
    if (s.type() != SchemaType.AVRO) {
      v.put("schemaType", s.type().name());
    }
    if (!s.references().isEmpty()) {
      ArrayNode refs = v.putArray("references");
      for (SchemaReference r : s.references()) {
        refs.addObject()
            .put("name", r.name())
            .put("subject", r.subject())
            .put("version", r.version());
      }
    }
    v.put("schema", s.schema()).put("deleted", s.deleted());
    return bytes(v);
  }

  public static byte[] configValue(String level) {
    return bytes(JSON.createObjectNode().put("compatibilityLevel", level));
  }

  public static byte[] modeValue(String mode) {
    return bytes(JSON.createObjectNode().put("mode", mode));
  }

  public static byte[] nodeValue(String url) {
    return bytes(JSON.createObjectNode().put("url", url));
  }

  /** Decodes a key; null for one this registry does not know (it is skipped). */
  public static Key key(byte[] key) throws IOException {
    JsonNode k = JSON.readTree(key);
    KeyType type;
    try {
      type = KeyType.valueOf(k.path("keytype").asText());
    } catch (IllegalArgumentException e) {
      return null;
    }
    String subject = k.hasNonNull("subject") ? k.get("subject").asText() : null;
    int number =
        type == KeyType.FERRY_NODE ? k.path("broker").asInt(-1) : k.path("version").asInt(-1);
    return new Key(type, subject, number);
  }

  public static StoredSchema schema(byte[] value) throws IOException {
    JsonNode v = JSON.readTree(value);
    List<SchemaReference> refs = new ArrayList<>();
    for (JsonNode r : v.path("references")) {
      refs.add(
          new SchemaReference(
              r.path("name").asText(), r.path("subject").asText(), r.path("version").asInt()));
    }
    return new StoredSchema(
        v.path("subject").asText(),
        v.path("version").asInt(),
        v.path("id").asInt(),
        SchemaType.fromName(v.path("schemaType").asText(null)),
        v.path("schema").asText(),
        List.copyOf(refs),
        v.path("deleted").asBoolean(false));
  }

  public static String field(byte[] value, String name) throws IOException {
    return JSON.readTree(value).path(name).asText(null);
  }

  private static byte[] bytes(JsonNode node) {
    return node.toString().getBytes(StandardCharsets.UTF_8);
  }
}
