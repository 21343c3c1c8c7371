package dev.ferry.coordinator.group;

import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.message.ConsumerProtocolSubscription;
import org.apache.kafka.common.protocol.ByteBufferAccessor;

/**
 * Reads the topic list out of a "consumer" protocol member's subscription bytes. The broker is
 * otherwise protocol-agnostic; it needs the topics only to decide which offsets are still in use
 * (OffsetDelete, expiry of offsets of unsubscribed topics).
 */
final class ConsumerSubscriptions {

  static final String CONSUMER_PROTOCOL_TYPE = "consumer";

  private ConsumerSubscriptions() {}

  /** The subscribed topics, or empty if the bytes cannot be parsed. */
  static Optional<Set<String>> topics(byte[] subscription) {
    if (subscription == null || subscription.length < 2) {
      return Optional.empty();
    }
    try {
      ByteBuffer buf = ByteBuffer.wrap(subscription);
      short version = buf.getShort();
      if (version < ConsumerProtocolSubscription.LOWEST_SUPPORTED_VERSION) {
        return Optional.empty();
      }
      // Newer versions only add fields at the end: read them as the highest version we know.
      short readAs =
          (short) Math.min(version, ConsumerProtocolSubscription.HIGHEST_SUPPORTED_VERSION);
      ConsumerProtocolSubscription s =
          new ConsumerProtocolSubscription(new ByteBufferAccessor(buf), readAs);
      return Optional.of(new HashSet<>(s.topics()));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }
}
