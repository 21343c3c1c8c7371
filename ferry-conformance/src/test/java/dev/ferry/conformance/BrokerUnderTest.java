package dev.ferry.conformance;

import java.util.List;

/**
 * One side of the comparison: a running cluster (Ferry or the Kafka reference) that raw connections
 * can reach. Node ids and ports differ between the sides; tests address nodes by their position in
 * {@link #nodes()} (sorted by node id), never by id.
 */
interface BrokerUnderTest extends AutoCloseable {

  /** "ferry" or "kafka", for messages. */
  String name();

  /** Host and port of every broker node, sorted by node id. */
  List<Node> nodes();

  default String bootstrap() {
    return nodes().get(0).host() + ":" + nodes().get(0).port();
  }

  /**
   * Makes a new connection ready for requests: nothing on a plaintext listener; SASL authentication
   * as the side's administrator on a SASL one.
   */
  default void authenticate(WireConnection connection) throws java.io.IOException {}

  /** Client settings the real clients (Admin) need to reach the side. */
  default java.util.Properties clientProperties() {
    return new java.util.Properties();
  }

  record Node(int id, String host, int port) {}
}
