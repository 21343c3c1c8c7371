package dev.ferry.conformance;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * What a request sequence needs to know about one side: connections to its nodes, its topic ids
 * (random per cluster, so requests name them per side and responses are compared by topic name),
 * and values earlier responses handed out (member ids, producer ids).
 */
final class SideContext implements AutoCloseable {

  private final BrokerUnderTest side;
  private final Map<String, WireConnection> connections = new HashMap<>();
  private final Map<String, Uuid> topicIds = new HashMap<>();
  private final Map<Uuid, String> topicNames = new HashMap<>();
  private final Map<String, Object> remembered = new HashMap<>();
  private final java.util.Set<Uuid> unresolvable = new java.util.HashSet<>();

  SideContext(BrokerUnderTest side) {
    this.side = side;
  }

  String name() {
    return side.name();
  }

  BrokerUnderTest side() {
    return side;
  }

  List<BrokerUnderTest.Node> nodes() {
    return side.nodes();
  }

  /** The node id at position {@code index} of the sorted node list. */
  int nodeId(int index) {
    return side.nodes().get(index).id();
  }

  AbstractResponse send(int nodeIndex, AbstractRequest request) {
    return send(nodeIndex, Exchange.MAIN, request);
  }

  /**
   * Sends on the side's {@code channel} connection to the node: {@link Exchange#MAIN} is
   * authenticated by the side when it needs it ({@link BrokerUnderTest#authenticate}); any other
   * channel is left as the case makes it.
   */
  AbstractResponse send(int nodeIndex, String channel, AbstractRequest request) {
    return send(nodeIndex, channel, request.data(), request.version());
  }

  /** As {@link #send(int, String, AbstractRequest)}, the message exactly as it serializes. */
  AbstractResponse send(
      int nodeIndex, String channel, org.apache.kafka.common.protocol.ApiMessage data, short v) {
    String key = nodeIndex + "/" + channel;
    try {
      return connection(nodeIndex, channel, key).send(data, v);
    } catch (IOException e) {
      // A closed connection is an answer too (some errors close it); reconnect for the next one.
      WireConnection dead = connections.remove(key);
      closeQuietly(dead);
      throw new UncheckedIOException(side.name() + " node " + nodeIndex, e);
    }
  }

  /** Closes the node's {@code channel} connection; the next request opens a new one. */
  void disconnect(int nodeIndex, String channel) {
    closeQuietly(connections.remove(nodeIndex + "/" + channel));
  }

  private WireConnection connection(int nodeIndex, String channel, String key) throws IOException {
    WireConnection c = connections.get(key);
    if (c == null) {
      BrokerUnderTest.Node node = side.nodes().get(nodeIndex);
      c = new WireConnection(node.host(), node.port());
      connections.put(key, c);
      if (Exchange.MAIN.equals(channel)) {
        side.authenticate(c);
      }
    }
    return c;
  }

  /** This side's id of {@code topic} (looked up with a Metadata request once). */
  Uuid topicId(String topic) {
    Uuid id = topicIds.get(topic);
    if (id == null) {
      refreshTopicIds();
      id = topicIds.getOrDefault(topic, Uuid.ZERO_UUID);
    }
    return id;
  }

  /**
   * The topic name behind one of this side's topic ids, or null. An id just handed out (a
   * CreateTopics answer) may not be in the broker's metadata yet: Kafka propagates a new topic to
   * its brokers asynchronously, so the lookup retries for a bounded time, once per unknown id.
   */
  String topicName(Uuid id) {
    String name = topicNames.get(id);
    if (name != null || Uuid.ZERO_UUID.equals(id) || unresolvable.contains(id)) {
      return name;
    }
    try {
      Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> {
                refreshTopicIds();
                return topicNames.containsKey(id);
              });
      return topicNames.get(id);
    } catch (ConditionTimeoutException e) {
      // An id this side does not know (e.g. of a topic deleted since): compared as it is.
    }
    unresolvable.add(id);
    return null;
  }

  private void refreshTopicIds() {
    MetadataRequestData all = new MetadataRequestData().setTopics(null);
    MetadataResponseData r = (MetadataResponseData) send(0, Requests.of(all, (short) 12)).data();
    for (MetadataResponseData.MetadataResponseTopic t : r.topics()) {
      topicIds.put(t.name(), t.topicId());
      topicNames.put(t.topicId(), t.name());
    }
  }

  void remember(String key, Object value) {
    remembered.put(key, value);
  }

  @SuppressWarnings("unchecked")
  <T> T recall(String key, T orElse) {
    return (T) remembered.getOrDefault(key, orElse);
  }

  @Override
  public void close() {
    connections.values().forEach(SideContext::closeQuietly);
    connections.clear();
  }

  private static void closeQuietly(WireConnection c) {
    if (c != null) {
      try {
        c.close();
      } catch (IOException ignored) {
        // closing a socket we no longer use
      }
    }
  }
}
