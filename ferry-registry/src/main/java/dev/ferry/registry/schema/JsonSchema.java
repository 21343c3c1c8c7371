package dev.ferry.registry.schema;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * A JSON Schema document. Compatibility covers the common cases and is checked structurally (reader
 * against writer): types (integer widens to number), enums, required properties, properties kept,
 * removed or added (closed content models via {@code additionalProperties: false}), array items,
 * and numeric, length and size bounds. Combinators ({@code allOf}, {@code anyOf}, {@code oneOf},
 * {@code not}) and {@code $ref} are compared as text: any change to them counts as incompatible.
 * docs/schema-registry.md lists the rules and where they differ from Confluent's.
 */
public final class JsonSchema implements ParsedSchema {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> TYPES =
      Set.of("null", "boolean", "object", "array", "number", "string", "integer");
  private static final List<String> UPPER_BOUNDS =
      List.of("maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties");
  private static final List<String> LOWER_BOUNDS =
      List.of("minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties");
  private static final List<String> OPAQUE = List.of("allOf", "anyOf", "oneOf", "not", "$ref");

  private final JsonNode root;
  private final String canonical;

  private JsonSchema(JsonNode root) {
    this.root = root;
    this.canonical = root.toString();
  }

  public static JsonSchema parse(String text) {
    JsonNode node;
    try {
      node = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new InvalidSchemaException("Invalid schema: " + e.getOriginalMessage());
    }
    if (node == null || !(node.isObject() || node.isBoolean())) {
      throw new InvalidSchemaException("Invalid schema: a JSON Schema is an object or a boolean");
    }
    checkTypes(node, "#");
    return new JsonSchema(node);
  }

  private static void checkTypes(JsonNode node, String path) {
    if (!node.isObject()) {
      return;
    }
    JsonNode type = node.get("type");
    if (type != null) {
      List<JsonNode> names = new ArrayList<>();
      if (type.isArray()) {
        type.forEach(names::add);
      } else {
        names.add(type);
      }
      for (JsonNode n : names) {
        if (!n.isTextual() || !TYPES.contains(n.asText())) {
          throw new InvalidSchemaException("Invalid schema: unknown type " + n + " at " + path);
        }
      }
    }
    JsonNode props = node.get("properties");
    if (props != null) {
      if (!props.isObject()) {
        throw new InvalidSchemaException("Invalid schema: properties must be an object at " + path);
      }
      props.fields().forEachRemaining(e -> checkTypes(e.getValue(), path + "/" + e.getKey()));
    }
    JsonNode items = node.get("items");
    if (items != null) {
      checkTypes(items, path + "/items");
    }
  }

  @Override
  public SchemaType type() {
    return SchemaType.JSON;
  }

  @Override
  public String canonical() {
    return canonical;
  }

  @Override
  public List<String> readerIncompatibilities(ParsedSchema writer) {
    List<String> out = new ArrayList<>();
    compare(root, ((JsonSchema) writer).root, "#", out);
    return out;
  }

  private static void compare(JsonNode reader, JsonNode writer, String path, List<String> out) {
    if (reader.isBoolean() || writer.isBoolean()) {
      boolean readerAll = reader.isBoolean() ? reader.asBoolean() : reader.isEmpty();
      boolean writerNone = writer.isBoolean() && !writer.asBoolean();
      if (!readerAll && !writerNone) {
        out.add("SCHEMA_NARROWED at " + path);
      }
      return;
    }
    for (String key : OPAQUE) {
      if (!same(reader.get(key), writer.get(key))) {
        out.add("COMBINED_OR_REFERENCED_SCHEMA_CHANGED (" + key + ") at " + path);
      }
    }
    Set<String> readerTypes = types(reader);
    Set<String> writerTypes = types(writer);
    if (readerTypes != null) {
      if (writerTypes == null) {
        out.add("TYPE_NARROWED at " + path + ": any type to " + readerTypes);
      } else {
        for (String t : writerTypes) {
          if (!readerTypes.contains(t)
              && !(t.equals("integer") && readerTypes.contains("number"))) {
            out.add("TYPE_CHANGED at " + path + ": " + writerTypes + " to " + readerTypes);
            break;
          }
        }
      }
    }
    compareEnum(reader.get("enum"), writer.get("enum"), path, out);
    for (String bound : UPPER_BOUNDS) {
      JsonNode r = reader.get(bound);
      JsonNode w = writer.get(bound);
      if (r != null
          && r.isNumber()
          && (w == null || !w.isNumber() || r.asDouble() < w.asDouble())) {
        out.add(bound.toUpperCase() + "_DECREASED at " + path);
      }
    }
    for (String bound : LOWER_BOUNDS) {
      JsonNode r = reader.get(bound);
      JsonNode w = writer.get(bound);
      if (r != null
          && r.isNumber()
          && (w == null || !w.isNumber() || r.asDouble() > w.asDouble())) {
        out.add(bound.toUpperCase() + "_INCREASED at " + path);
      }
    }
    compareProperties(reader, writer, path, out);
    JsonNode readerItems = reader.get("items");
    JsonNode writerItems = writer.get("items");
    if (readerItems != null && writerItems != null) {
      compare(readerItems, writerItems, path + "/items", out);
    } else if (readerItems != null && !isTrue(readerItems)) {
      out.add("ITEMS_NARROWED at " + path);
    }
  }

  private static void compareProperties(
      JsonNode reader, JsonNode writer, String path, List<String> out) {
    JsonNode readerProps = orEmpty(reader.get("properties"));
    JsonNode writerProps = orEmpty(writer.get("properties"));
    Set<String> writerRequired = strings(writer.get("required"));
    for (String required : strings(reader.get("required"))) {
      if (!writerRequired.contains(required)) {
        out.add("REQUIRED_PROPERTY_ADDED at " + path + ": " + required);
      }
    }
    JsonNode readerAdditional = reader.get("additionalProperties");
    JsonNode writerAdditional = writer.get("additionalProperties");
    boolean readerClosed = readerAdditional != null && isFalse(readerAdditional);
    boolean writerClosed = writerAdditional != null && isFalse(writerAdditional);
    Iterator<String> names = writerProps.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      JsonNode r = readerProps.get(name);
      if (r != null) {
        compare(r, writerProps.get(name), path + "/properties/" + name, out);
      } else if (readerClosed) {
        out.add("PROPERTY_REMOVED_FROM_CLOSED_CONTENT_MODEL at " + path + ": " + name);
      } else if (readerAdditional != null && readerAdditional.isObject()) {
        compare(readerAdditional, writerProps.get(name), path + "/properties/" + name, out);
      }
    }
    if (readerClosed && !writerClosed) {
      out.add("ADDITIONAL_PROPERTIES_REMOVED at " + path);
    }
  }

  private static void compareEnum(JsonNode reader, JsonNode writer, String path, List<String> out) {
    if (reader == null || !reader.isArray()) {
      return;
    }
    if (writer == null || !writer.isArray()) {
      out.add("ENUM_ADDED at " + path);
      return;
    }
    Set<JsonNode> allowed = new HashSet<>();
    reader.forEach(allowed::add);
    for (JsonNode v : writer) {
      if (!allowed.contains(v)) {
        out.add("ENUM_NARROWED at " + path + ": " + v + " removed");
      }
    }
  }

  private static Set<String> types(JsonNode node) {
    JsonNode type = node.get("type");
    if (type == null) {
      return null;
    }
    Set<String> out = new HashSet<>();
    if (type.isArray()) {
      type.forEach(t -> out.add(t.asText()));
    } else {
      out.add(type.asText());
    }
    return out;
  }

  private static Set<String> strings(JsonNode array) {
    Set<String> out = new HashSet<>();
    if (array != null && array.isArray()) {
      array.forEach(n -> out.add(n.asText()));
    }
    return out;
  }

  private static JsonNode orEmpty(JsonNode node) {
    return node == null || !node.isObject() ? JSON.createObjectNode() : node;
  }

  private static boolean same(JsonNode a, JsonNode b) {
    return a == null ? b == null : a.equals(b);
  }

  private static boolean isFalse(JsonNode n) {
    return n.isBoolean() && !n.asBoolean();
  }

  private static boolean isTrue(JsonNode n) {
    return (n.isBoolean() && n.asBoolean()) || (n.isObject() && n.isEmpty());
  }
}
