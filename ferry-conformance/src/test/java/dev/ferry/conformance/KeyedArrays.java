package dev.ferry.conformance;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Arrays whose elements are identified by a key field (topics and configs by {@code name}, groups
 * by {@code groupId}, partitions by their index) become objects keyed by it: clients look elements
 * up by key, and brokers order them differently (Kafka answers some from hash maps), so order is
 * not compared, while a missing or extra element shows as one named field.
 */
final class KeyedArrays {

  /** Key fields, tried in order; an array is keyed by the first that every element has. */
  private static final List<String> KEYS =
      List.of(
          "name",
          "groupId",
          "partitionIndex",
          "partition",
          "index",
          "apiKey",
          "memberId",
          "transactionalId",
          "topic",
          "user",
          "resourceName");

  /**
   * String arrays that are sets: their order carries no meaning. Kafka lists the enabled SASL
   * mechanisms from a hash map, not in {@code sasl.enabled.mechanisms} order; a client picks its
   * mechanism by name.
   */
  private static final java.util.Set<String> SETS = java.util.Set.of("mechanisms");

  private KeyedArrays() {}

  static JsonNode rewrite(JsonNode node) {
    if (node.isObject()) {
      ObjectNode o = (ObjectNode) node;
      Iterator<Map.Entry<String, JsonNode>> fields = o.fields();
      Map<String, JsonNode> replaced = new TreeMap<>();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        JsonNode value = rewrite(f.getValue());
        if (SETS.contains(f.getKey()) && value.isArray()) {
          List<String> sorted = new java.util.ArrayList<>();
          value.forEach(e -> sorted.add(e.asText()));
          java.util.Collections.sort(sorted);
          ArrayNode a = JsonNodeFactory.instance.arrayNode();
          sorted.forEach(a::add);
          value = a;
        }
        replaced.put(f.getKey(), value);
      }
      replaced.forEach(o::set);
      return o;
    }
    if (node.isArray()) {
      ArrayNode a = (ArrayNode) node;
      for (int i = 0; i < a.size(); i++) {
        a.set(i, rewrite(a.get(i)));
      }
      String key = keyOf(a);
      if (key == null) {
        return a;
      }
      ObjectNode keyed = JsonNodeFactory.instance.objectNode();
      for (JsonNode element : a) {
        String k = key + "=" + element.get(key).asText() + qualifier(key, element);
        // Duplicate keys (a partition listed twice) keep their multiplicity visible.
        while (keyed.has(k)) {
          k = k + "'";
        }
        keyed.set(k, element);
      }
      return keyed;
    }
    return node;
  }

  /**
   * ACL resources are identified by name and pattern type together: a literal and a prefixed
   * pattern may share a name, and Kafka lists them in hash order.
   */
  private static String qualifier(String key, JsonNode element) {
    if (key.equals("resourceName") && element.has("patternType")) {
      return "/patternType=" + element.get("patternType").asText();
    }
    return "";
  }

  private static String keyOf(ArrayNode a) {
    if (a.isEmpty()) {
      return null;
    }
    for (String key : KEYS) {
      boolean all = true;
      for (JsonNode e : a) {
        if (!e.isObject() || !e.has(key) || e.get(key).isContainerNode()) {
          all = false;
          break;
        }
      }
      if (all) {
        return key;
      }
    }
    return null;
  }
}
