package dev.ferry.metadata.zk;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.ferry.metadata.BrokerInfo;
import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.ProducerIdBlock;
import dev.ferry.metadata.Reassignment;
import dev.ferry.metadata.TopicAssignment;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;

/**
 * JSON encoding of every znode value (layout in {@link ZkPaths}). Each value carries {@code
 * "version": 1}; readers reject other versions rather than guess, and ignore unknown fields so that
 * a later minor addition does not break older brokers.
 *
 * <p>Values are written and read with Jackson's streaming API, field by field, not by data binding:
 * binding introspects each value type by reflection the first time it is used, which cost a cold
 * broker about 170 ms of CPU on its start path (cluster id, broker registration, the first topic)
 * for seven small, fixed shapes. The shapes are below, in the order their fields are written.
 */
final class ZNodeCodec {

  static final int VERSION = 1;

  private static final JsonFactory JSON = new JsonFactory();

  private ZNodeCodec() {}

  /** Thrown for a znode value that cannot be understood; the message names what is wrong. */
  static final class MalformedZNodeException extends KafkaException {
    MalformedZNodeException(String message) {
      super(message);
    }
  }

  // The JSON shapes. Field names are the stored format: do not rename.
  //   cluster id:       {"version":1,"id":"..."}
  //   broker:           {"version":1,"host":"h","port":9092,"rack":null|"r",
  //                      "endpoints":{"PLAINTEXT":"h:9092",...}}   (endpoints absent if none)
  //   topic:            {"version":1,"topicId":"...","partitions":{"0":[1,2],...},
  //                      "adding_replicas":{...},"removing_replicas":{...}}
  //                     (the moves in progress by partition, Kafka's names in its ZooKeeper-era
  //                     topic znode; absent when there are none)
  //   config:           {"version":1,"config":{"name":"value",...}}
  //   partition state:  {"version":1,"leader":2,"leaderEpoch":7,"isr":[2,0],
  //                      "controllerEpoch":3,"partitionEpoch":9}
  //   producer ids:     {"version":1,"brokerId":3,"firstProducerId":2000,"size":1000}
  //   offline replicas: {"version":1,"partitions":{"topic":[0,3],...}}
  //   controller epoch: {"version":1,"epoch":4}
  // A missing number reads as 0 and a missing string as null, as they did when these values were
  // read by data binding.

  static byte[] encodeClusterId(String clusterId) {
    return write(
        json -> {
          json.writeStringField("id", clusterId);
        });
  }

  static String decodeClusterId(byte[] data) {
    Fields node = read(data, "cluster id");
    String id = node.string("id");
    require(id != null && !id.isEmpty(), "cluster id: missing id");
    return id;
  }

  static byte[] encodeBroker(BrokerInfo broker) {
    Map<String, String> endpoints = new TreeMap<>();
    broker.endpoints().forEach((name, endpoint) -> endpoints.put(name, endpoint.toString()));
    return write(
        json -> {
          json.writeStringField("host", broker.host());
          json.writeNumberField("port", broker.port());
          json.writeStringField("rack", broker.rack());
          if (!endpoints.isEmpty()) {
            json.writeObjectFieldStart("endpoints");
            for (Map.Entry<String, String> e : endpoints.entrySet()) {
              json.writeStringField(e.getKey(), e.getValue());
            }
            json.writeEndObject();
          }
        });
  }

  static BrokerInfo decodeBroker(int brokerId, byte[] data) {
    String what = "broker " + brokerId;
    Fields node = read(data, what);
    String host = node.string("host");
    int port = node.integer("port");
    require(host != null, what + ": missing host");
    require(port > 0 && port <= 65535, what + ": bad port");
    Map<String, BrokerInfo.Endpoint> endpoints = new TreeMap<>();
    Map<String, String> listed = node.stringMap("endpoints");
    if (listed != null) {
      listed.forEach(
          (name, hostPort) -> {
            int colon = hostPort == null ? -1 : hostPort.lastIndexOf(':');
            require(colon > 0, what + ": bad endpoint " + name);
            try {
              endpoints.put(
                  name,
                  new BrokerInfo.Endpoint(
                      hostPort.substring(0, colon),
                      Integer.parseInt(hostPort.substring(colon + 1))));
            } catch (NumberFormatException e) {
              throw new MalformedZNodeException(what + ": bad endpoint " + name);
            }
          });
    }
    return new BrokerInfo(brokerId, host, port, node.string("rack"), endpoints);
  }

  static byte[] encodeTopic(Uuid topicId, Map<Integer, List<Integer>> partitions) {
    return encodeTopic(new TopicAssignment(topicId, new TreeMap<>(partitions)));
  }

  static byte[] encodeTopic(TopicAssignment topic) {
    Map<Integer, List<Integer>> adding = new TreeMap<>();
    Map<Integer, List<Integer>> removing = new TreeMap<>();
    topic
        .reassignments()
        .forEach(
            (partition, move) -> {
              adding.put(partition, move.adding());
              removing.put(partition, move.removing());
            });
    return write(
        json -> {
          json.writeStringField("topicId", topic.topicId().toString());
          writeReplicaMap(json, "partitions", new TreeMap<>(topic.partitions()));
          if (!adding.isEmpty()) {
            writeReplicaMap(json, "adding_replicas", adding);
          }
          if (!removing.isEmpty()) {
            writeReplicaMap(json, "removing_replicas", removing);
          }
        });
  }

  static TopicAssignment decodeTopic(String topic, byte[] data) {
    String what = "topic " + topic;
    Fields node = read(data, what);
    String idText = node.string("topicId");
    require(idText != null, what + ": missing topicId");
    Uuid topicId;
    try {
      topicId = Uuid.fromString(idText);
    } catch (IllegalArgumentException e) {
      throw new MalformedZNodeException(what + ": bad topicId " + idText);
    }
    Map<Integer, List<Integer>> assigned = node.replicaMap("partitions");
    require(assigned != null, what + ": missing partitions");
    SortedMap<Integer, List<Integer>> partitions = new TreeMap<>();
    assigned.forEach(
        (partition, replicas) -> {
          require(
              partition >= 0 && replicas != null && !replicas.isEmpty(),
              what + ": bad assignment of partition " + partition);
          require(!replicas.contains(null), what + ": null replica in " + partition);
          partitions.put(partition, List.copyOf(replicas));
        });
    Map<Integer, Reassignment> moves = new TreeMap<>();
    Map<Integer, List<Integer>> adding = orEmpty(node.replicaMap("adding_replicas"));
    Map<Integer, List<Integer>> removing = orEmpty(node.replicaMap("removing_replicas"));
    for (Integer partition : partitions.keySet()) {
      List<Integer> a = adding.get(partition);
      List<Integer> r = removing.get(partition);
      if (a != null || r != null) {
        List<Integer> add = a == null ? List.of() : a;
        List<Integer> remove = r == null ? List.of() : r;
        require(
            !add.contains(null) && !remove.contains(null),
            what + ": null replica in the move of " + partition);
        moves.put(partition, new Reassignment(add, remove));
      }
    }
    return new TopicAssignment(topicId, Collections.unmodifiableSortedMap(partitions), moves);
  }

  static byte[] encodeTopicConfig(Map<String, String> configs) {
    Map<String, String> sorted = new TreeMap<>(configs);
    return write(
        json -> {
          json.writeObjectFieldStart("config");
          for (Map.Entry<String, String> e : sorted.entrySet()) {
            json.writeStringField(e.getKey(), e.getValue());
          }
          json.writeEndObject();
        });
  }

  static Map<String, String> decodeTopicConfig(String topic, byte[] data) {
    String what = "config of topic " + topic;
    Map<String, String> config = read(data, what).stringMap("config");
    if (config == null) {
      return Map.of();
    }
    require(!config.containsValue(null), what + ": null config value");
    return Collections.unmodifiableSortedMap(new TreeMap<>(config));
  }

  static byte[] encodePartitionState(PartitionState state) {
    return write(
        json -> {
          json.writeNumberField("leader", state.leader());
          json.writeNumberField("leaderEpoch", state.leaderEpoch());
          json.writeArrayFieldStart("isr");
          for (int replica : state.isr()) {
            json.writeNumber(replica);
          }
          json.writeEndArray();
          json.writeNumberField("controllerEpoch", state.controllerEpoch());
          json.writeNumberField("partitionEpoch", state.partitionEpoch());
        });
  }

  static PartitionState decodePartitionState(String topic, int partition, byte[] data) {
    String what = "state of " + topic + "-" + partition;
    Fields node = read(data, what);
    List<Integer> isr = node.integers("isr", what);
    require(isr != null && !isr.contains(null), what + ": bad isr");
    return new PartitionState(
        node.integer("leader"),
        node.integer("leaderEpoch"),
        List.copyOf(isr),
        node.integer("controllerEpoch"),
        node.integer("partitionEpoch"));
  }

  static byte[] encodeOfflineReplicas(Set<TopicPartition> partitions) {
    Map<String, List<Integer>> byTopic = new TreeMap<>();
    for (TopicPartition tp : partitions) {
      byTopic.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).add(tp.partition());
    }
    return write(
        json -> {
          json.writeObjectFieldStart("partitions");
          for (Map.Entry<String, List<Integer>> e : byTopic.entrySet()) {
            json.writeArrayFieldStart(e.getKey());
            for (int p : e.getValue().stream().sorted().toList()) {
              json.writeNumber(p);
            }
            json.writeEndArray();
          }
          json.writeEndObject();
        });
  }

  static Set<TopicPartition> decodeOfflineReplicas(byte[] data) {
    Fields node = read(data, "offline replicas");
    Object v = node.values.get("partitions");
    require(v instanceof Map<?, ?>, "offline replicas: partitions is not an object");
    Set<TopicPartition> out = new HashSet<>();
    for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
      String topic = String.valueOf(e.getKey());
      for (int p : node.intList(e.getValue(), "offline replicas of " + topic)) {
        out.add(new TopicPartition(topic, p));
      }
    }
    return out;
  }

  static byte[] encodeControllerEpoch(int epoch) {
    return write(json -> json.writeNumberField("epoch", epoch));
  }

  static int decodeControllerEpoch(byte[] data) {
    int epoch = read(data, "controller epoch").integer("epoch");
    require(epoch > 0, "controller epoch: bad epoch " + epoch);
    return epoch;
  }

  static byte[] encodeProducerIdBlock(ProducerIdBlock block) {
    return write(
        json -> {
          json.writeNumberField("brokerId", block.brokerId());
          json.writeNumberField("firstProducerId", block.firstProducerId());
          json.writeNumberField("size", block.size());
        });
  }

  static ProducerIdBlock decodeProducerIdBlock(byte[] data) {
    Fields node = read(data, "producer id block");
    long first = node.longInteger("firstProducerId");
    int size = node.integer("size");
    require(first >= 0 && size > 0, "producer id block: bad range " + first + "+" + size);
    return new ProducerIdBlock(node.integer("brokerId"), first, size);
  }

  /** Writes the fields of one value after its version. */
  @FunctionalInterface
  private interface FieldWriter {
    void write(JsonGenerator json) throws IOException;
  }

  private static byte[] write(FieldWriter fields) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(128);
    try (JsonGenerator json = JSON.createGenerator(out)) {
      json.writeStartObject();
      json.writeNumberField("version", VERSION);
      fields.write(json);
      json.writeEndObject();
    } catch (IOException e) {
      // Into memory: only a bug gets here.
      throw new UncheckedIOException("Cannot encode a znode value", e);
    }
    return out.toByteArray();
  }

  private static void writeReplicaMap(
      JsonGenerator json, String field, Map<Integer, List<Integer>> replicas) throws IOException {
    json.writeObjectFieldStart(field);
    for (Map.Entry<Integer, List<Integer>> e : replicas.entrySet()) {
      json.writeArrayFieldStart(String.valueOf(e.getKey()));
      for (int replica : e.getValue()) {
        json.writeNumber(replica);
      }
      json.writeEndArray();
    }
    json.writeEndObject();
  }

  /** Parses a whole value and checks its version. */
  private static Fields read(byte[] data, String what) {
    if (data == null || data.length == 0) {
      throw new MalformedZNodeException(what + ": empty znode");
    }
    Object value;
    try (JsonParser parser = JSON.createParser(data)) {
      value = readValue(parser, parser.nextToken());
      require(parser.nextToken() == null, what + ": not valid JSON (data after the value)");
    } catch (JsonProcessingException e) {
      throw new MalformedZNodeException(what + ": not valid JSON (" + e.getOriginalMessage() + ")");
    } catch (IOException e) {
      throw new MalformedZNodeException(what + ": unreadable (" + e.getMessage() + ")");
    }
    if (!(value instanceof Map<?, ?> map)) {
      throw new MalformedZNodeException(what + ": not a JSON object");
    }
    Fields fields = new Fields(map, what);
    int version = fields.integer("version");
    require(
        version == VERSION, what + ": unsupported version " + version + ", expected " + VERSION);
    return fields;
  }

  /**
   * One JSON value as plain Java: objects as maps (a repeated name keeps its last value), arrays as
   * lists, integers as Long, other numbers as Double.
   */
  private static Object readValue(JsonParser parser, JsonToken token) throws IOException {
    if (token == null) {
      throw new MalformedZNodeException("no JSON value");
    }
    switch (token) {
      case START_OBJECT:
        Map<String, Object> object = new LinkedHashMap<>();
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
          String name = parser.currentName();
          object.put(name, readValue(parser, parser.nextToken()));
        }
        return object;
      case START_ARRAY:
        List<Object> array = new ArrayList<>();
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
          array.add(readValue(parser, t));
        }
        return array;
      case VALUE_STRING:
        return parser.getText();
      case VALUE_NUMBER_INT:
        return parser.getLongValue();
      case VALUE_NUMBER_FLOAT:
        return parser.getDoubleValue();
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw new MalformedZNodeException("unexpected JSON token " + token);
    }
  }

  /** The fields of one parsed value, read with the types the shapes above give them. */
  private static final class Fields {
    private final Map<?, ?> values;
    private final String what;

    Fields(Map<?, ?> values, String what) {
      this.values = values;
      this.what = what;
    }

    /** A string field; null if absent or null. A number or boolean is taken as its text. */
    String string(String name) {
      Object v = values.get(name);
      if (v == null || v instanceof String) {
        return (String) v;
      }
      require(v instanceof Number || v instanceof Boolean, what + ": " + name + " is not text");
      return v.toString();
    }

    /** An int field; 0 if absent or null. */
    int integer(String name) {
      long v = longInteger(name);
      require(v == (int) v, what + ": " + name + " out of range");
      return (int) v;
    }

    /** A long field; 0 if absent or null. */
    long longInteger(String name) {
      return toLong(values.get(name), name);
    }

    /** A list of ints (null elements kept for the caller to reject); null if absent. */
    List<Integer> integers(String name, String context) {
      return intList(values.get(name), context + ": " + name);
    }

    /** An object of partition number to replica list; null if absent. */
    Map<Integer, List<Integer>> replicaMap(String name) {
      Object v = values.get(name);
      if (v == null) {
        return null;
      }
      require(v instanceof Map<?, ?>, what + ": " + name + " is not an object");
      Map<Integer, List<Integer>> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
        int partition;
        try {
          partition = Integer.parseInt((String) e.getKey());
        } catch (NumberFormatException bad) {
          throw new MalformedZNodeException(what + ": bad partition " + e.getKey() + " in " + name);
        }
        out.put(partition, intList(e.getValue(), what + ": " + name + " of " + partition));
      }
      return out;
    }

    /** An object of names to strings (null values kept for the caller); null if absent. */
    Map<String, String> stringMap(String name) {
      Object v = values.get(name);
      if (v == null) {
        return null;
      }
      require(v instanceof Map<?, ?>, what + ": " + name + " is not an object");
      Map<String, String> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
        Object value = e.getValue();
        require(
            value == null || value instanceof String || value instanceof Number,
            what + ": " + name + "." + e.getKey() + " is not text");
        out.put((String) e.getKey(), value == null ? null : value.toString());
      }
      return out;
    }

    private List<Integer> intList(Object v, String context) {
      if (v == null) {
        return null;
      }
      require(v instanceof List<?>, context + " is not a list");
      List<Integer> out = new ArrayList<>();
      for (Object element : (List<?>) v) {
        if (element == null) {
          out.add(null);
        } else {
          long n = toLong(element, context);
          require(n == (int) n, context + ": " + n + " out of range");
          out.add((int) n);
        }
      }
      return out;
    }

    private long toLong(Object v, String name) {
      if (v == null) {
        return 0;
      }
      if (v instanceof Long n) {
        return n;
      }
      if (v instanceof String text) {
        try {
          return Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
          throw new MalformedZNodeException(what + ": " + name + " is not a number");
        }
      }
      throw new MalformedZNodeException(what + ": " + name + " is not an integer");
    }
  }

  private static Map<Integer, List<Integer>> orEmpty(Map<Integer, List<Integer>> map) {
    return map == null ? Map.of() : map;
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new MalformedZNodeException(message);
    }
  }
}
