package dev.ferry.metadata.zk;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.ferry.metadata.BrokerInfo;
import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.ProducerIdBlock;
import dev.ferry.metadata.Reassignment;
import dev.ferry.metadata.TopicAssignment;
import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.Uuid;

/**
 * JSON encoding of every znode value (layout in {@link ZkPaths}). Each value carries {@code
 * "version": 1}; readers reject other versions rather than guess, and ignore unknown fields so that
 * a later minor addition does not break older brokers.
 */
final class ZNodeCodec {

  static final int VERSION = 1;

  private static final ObjectMapper MAPPER =
      JsonMapper.builder().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

  private ZNodeCodec() {}

  /** Thrown for a znode value that cannot be understood; the message names what is wrong. */
  static final class MalformedZNodeException extends KafkaException {
    MalformedZNodeException(String message) {
      super(message);
    }
  }

  // The JSON shapes. Field names are the stored format: do not rename.

  interface VersionedZNode {
    int version();
  }

  record ClusterIdZNode(int version, String id) implements VersionedZNode {}

  /** {@code endpoints}: listener name to advertised {@code host:port} (absent before listeners). */
  record BrokerZNode(
      int version,
      String host,
      int port,
      String rack,
      @JsonInclude(JsonInclude.Include.NON_NULL) Map<String, String> endpoints)
      implements VersionedZNode {}

  /**
   * {@code adding_replicas} and {@code removing_replicas}: the replica moves in progress by
   * partition (Kafka's names in its ZooKeeper-era topic znode), absent when there are none.
   */
  record TopicZNode(
      int version,
      String topicId,
      Map<Integer, List<Integer>> partitions,
      @JsonProperty("adding_replicas") @JsonInclude(JsonInclude.Include.NON_EMPTY)
          Map<Integer, List<Integer>> addingReplicas,
      @JsonProperty("removing_replicas") @JsonInclude(JsonInclude.Include.NON_EMPTY)
          Map<Integer, List<Integer>> removingReplicas)
      implements VersionedZNode {}

  record TopicConfigZNode(int version, Map<String, String> config) implements VersionedZNode {}

  record PartitionStateZNode(
      int version,
      int leader,
      int leaderEpoch,
      List<Integer> isr,
      int controllerEpoch,
      int partitionEpoch)
      implements VersionedZNode {}

  record ProducerIdBlockZNode(int version, int brokerId, long firstProducerId, int size)
      implements VersionedZNode {}

  record ControllerEpochZNode(int version, int epoch) implements VersionedZNode {}

  static byte[] encodeClusterId(String clusterId) {
    return write(new ClusterIdZNode(VERSION, clusterId));
  }

  static String decodeClusterId(byte[] data) {
    ClusterIdZNode node = read(data, ClusterIdZNode.class, "cluster id");
    require(node.id() != null && !node.id().isEmpty(), "cluster id: missing id");
    return node.id();
  }

  static byte[] encodeBroker(BrokerInfo broker) {
    Map<String, String> endpoints = new TreeMap<>();
    broker.endpoints().forEach((name, endpoint) -> endpoints.put(name, endpoint.toString()));
    return write(
        new BrokerZNode(
            VERSION,
            broker.host(),
            broker.port(),
            broker.rack(),
            endpoints.isEmpty() ? null : endpoints));
  }

  static BrokerInfo decodeBroker(int brokerId, byte[] data) {
    BrokerZNode node = read(data, BrokerZNode.class, "broker " + brokerId);
    require(node.host() != null, "broker " + brokerId + ": missing host");
    require(node.port() > 0 && node.port() <= 65535, "broker " + brokerId + ": bad port");
    Map<String, BrokerInfo.Endpoint> endpoints = new TreeMap<>();
    if (node.endpoints() != null) {
      node.endpoints()
          .forEach(
              (name, hostPort) -> {
                int colon = hostPort == null ? -1 : hostPort.lastIndexOf(':');
                require(colon > 0, "broker " + brokerId + ": bad endpoint " + name);
                try {
                  endpoints.put(
                      name,
                      new BrokerInfo.Endpoint(
                          hostPort.substring(0, colon),
                          Integer.parseInt(hostPort.substring(colon + 1))));
                } catch (NumberFormatException e) {
                  throw new MalformedZNodeException(
                      "broker " + brokerId + ": bad endpoint " + name);
                }
              });
    }
    return new BrokerInfo(brokerId, node.host(), node.port(), node.rack(), endpoints);
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
        new TopicZNode(
            VERSION,
            topic.topicId().toString(),
            new TreeMap<>(topic.partitions()),
            adding,
            removing));
  }

  static TopicAssignment decodeTopic(String topic, byte[] data) {
    TopicZNode node = read(data, TopicZNode.class, "topic " + topic);
    require(node.topicId() != null, "topic " + topic + ": missing topicId");
    Uuid topicId;
    try {
      topicId = Uuid.fromString(node.topicId());
    } catch (IllegalArgumentException e) {
      throw new MalformedZNodeException("topic " + topic + ": bad topicId " + node.topicId());
    }
    require(node.partitions() != null, "topic " + topic + ": missing partitions");
    SortedMap<Integer, List<Integer>> partitions = new TreeMap<>();
    node.partitions()
        .forEach(
            (partition, replicas) -> {
              require(
                  partition != null && partition >= 0 && replicas != null && !replicas.isEmpty(),
                  "topic " + topic + ": bad assignment of partition " + partition);
              require(
                  !replicas.contains(null), "topic " + topic + ": null replica in " + partition);
              partitions.put(partition, List.copyOf(replicas));
            });
    Map<Integer, Reassignment> moves = new TreeMap<>();
    Map<Integer, List<Integer>> adding =
        node.addingReplicas() == null ? Map.of() : node.addingReplicas();
    Map<Integer, List<Integer>> removing =
        node.removingReplicas() == null ? Map.of() : node.removingReplicas();
    for (Integer partition : partitions.keySet()) {
      List<Integer> a = adding.get(partition);
      List<Integer> r = removing.get(partition);
      if (a != null || r != null) {
        List<Integer> add = a == null ? List.of() : a;
        List<Integer> remove = r == null ? List.of() : r;
        require(
            !add.contains(null) && !remove.contains(null),
            "topic " + topic + ": null replica in the move of " + partition);
        moves.put(partition, new Reassignment(add, remove));
      }
    }
    return new TopicAssignment(topicId, Collections.unmodifiableSortedMap(partitions), moves);
  }

  static byte[] encodeTopicConfig(Map<String, String> configs) {
    return write(new TopicConfigZNode(VERSION, new TreeMap<>(configs)));
  }

  static Map<String, String> decodeTopicConfig(String topic, byte[] data) {
    TopicConfigZNode node = read(data, TopicConfigZNode.class, "config of topic " + topic);
    if (node.config() == null) {
      return Map.of();
    }
    require(!node.config().containsValue(null), "config of topic " + topic + ": null config value");
    return Collections.unmodifiableSortedMap(new TreeMap<>(node.config()));
  }

  static byte[] encodePartitionState(PartitionState state) {
    return write(
        new PartitionStateZNode(
            VERSION,
            state.leader(),
            state.leaderEpoch(),
            state.isr(),
            state.controllerEpoch(),
            state.partitionEpoch()));
  }

  static PartitionState decodePartitionState(String topic, int partition, byte[] data) {
    String what = "state of " + topic + "-" + partition;
    PartitionStateZNode node = read(data, PartitionStateZNode.class, what);
    require(node.isr() != null && !node.isr().contains(null), what + ": bad isr");
    return new PartitionState(
        node.leader(),
        node.leaderEpoch(),
        List.copyOf(node.isr()),
        node.controllerEpoch(),
        node.partitionEpoch());
  }

  static byte[] encodeControllerEpoch(int epoch) {
    return write(new ControllerEpochZNode(VERSION, epoch));
  }

  static int decodeControllerEpoch(byte[] data) {
    ControllerEpochZNode node = read(data, ControllerEpochZNode.class, "controller epoch");
    require(node.epoch() > 0, "controller epoch: bad epoch " + node.epoch());
    return node.epoch();
  }

  static byte[] encodeProducerIdBlock(ProducerIdBlock block) {
    return write(
        new ProducerIdBlockZNode(VERSION, block.brokerId(), block.firstProducerId(), block.size()));
  }

  static ProducerIdBlock decodeProducerIdBlock(byte[] data) {
    ProducerIdBlockZNode node = read(data, ProducerIdBlockZNode.class, "producer id block");
    require(
        node.firstProducerId() >= 0 && node.size() > 0,
        "producer id block: bad range " + node.firstProducerId() + "+" + node.size());
    return new ProducerIdBlock(node.brokerId(), node.firstProducerId(), node.size());
  }

  private static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      // Only our own records are written: this is a programming error.
      throw new IllegalStateException("Cannot encode " + value, e);
    }
  }

  private static <T extends VersionedZNode> T read(byte[] data, Class<T> type, String what) {
    if (data == null || data.length == 0) {
      throw new MalformedZNodeException(what + ": empty znode");
    }
    T node;
    try {
      node = MAPPER.readValue(data, type);
    } catch (JsonProcessingException e) {
      throw new MalformedZNodeException(what + ": not valid JSON (" + e.getOriginalMessage() + ")");
    } catch (IOException e) {
      throw new MalformedZNodeException(what + ": unreadable (" + e.getMessage() + ")");
    }
    int version = node.version();
    require(
        version == VERSION, what + ": unsupported version " + version + ", expected " + VERSION);
    return node;
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new MalformedZNodeException(message);
    }
  }
}
