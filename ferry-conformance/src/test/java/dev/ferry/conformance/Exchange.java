package dev.ferry.conformance;

import java.util.function.BiConsumer;
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
    boolean compared) {

  /** Builds the request message for one side at one version. */
  interface Factory {
    ApiMessage build(SideContext side, short version);
  }

  static Exchange of(ApiKeys api, Factory factory) {
    return new Exchange(api, 0, factory, (s, r) -> {}, true);
  }

  Exchange toNode(int index) {
    return new Exchange(api, index, factory, after, compared);
  }

  Exchange then(BiConsumer<SideContext, AbstractResponse> hook) {
    return new Exchange(api, nodeIndex, factory, hook, compared);
  }

  /** Sent for its effect (set-up within a case); its answer is not compared. */
  Exchange uncompared() {
    return new Exchange(api, nodeIndex, factory, after, false);
  }
}
