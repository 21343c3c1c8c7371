package dev.ferry.conformance;

import java.util.function.BiConsumer;
import java.util.function.Predicate;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractResponse;

/**
 * One request of a case: built per side and version (topic ids and remembered values differ per
 * side), sent to the node at {@code nodeIndex}, and optionally followed by a hook that remembers
 * parts of the answer for later requests.
 */
record Exchange(
    ApiKeys api,
    int nodeIndex,
    Factory factory,
    BiConsumer<SideContext, AbstractResponse> after,
    boolean compared,
    Predicate<AbstractResponse> settled,
    String channel,
    boolean reconnect) {

  /** The side's ordinary connection to a node (authenticated when the side needs it). */
  static final String MAIN = "main";

  /** A connection the case authenticates itself (SASL cases): never authenticated for it. */
  static final String SASL = "sasl";

  /** Builds the request message for one side at one version. */
  interface Factory {
    ApiMessage build(SideContext side, short version);
  }

  static Exchange of(ApiKeys api, Factory factory) {
    return new Exchange(api, 0, factory, (s, r) -> {}, true, r -> true, MAIN, false);
  }

  Exchange toNode(int index) {
    return new Exchange(api, index, factory, after, compared, settled, channel, reconnect);
  }

  Exchange then(BiConsumer<SideContext, AbstractResponse> hook) {
    return new Exchange(api, nodeIndex, factory, hook, compared, settled, channel, reconnect);
  }

  /** Sent for its effect (set-up within a case); its answer is not compared. */
  Exchange uncompared() {
    return new Exchange(api, nodeIndex, factory, after, false, settled, channel, reconnect);
  }

  /**
   * Sent again (for a bounded time) until the answer satisfies {@code condition}, then compared:
   * for state Kafka applies asynchronously (through its controller and metadata log) that Ferry
   * applies before answering, so the comparison is of the settled state, not of the race.
   */
  Exchange until(Predicate<AbstractResponse> condition) {
    return new Exchange(api, nodeIndex, factory, after, compared, condition, channel, reconnect);
  }

  /** Sent on the case's own SASL connection to the node. */
  Exchange onSasl() {
    return new Exchange(api, nodeIndex, factory, after, compared, settled, SASL, reconnect);
  }

  /** Sent on a new SASL connection (the case's previous one is closed first). */
  Exchange onNewSasl() {
    return new Exchange(api, nodeIndex, factory, after, compared, settled, SASL, true);
  }
}
