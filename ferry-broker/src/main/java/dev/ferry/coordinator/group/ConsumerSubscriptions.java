package dev.ferry.coordinator.group;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.common.message.ConsumerProtocolAssignment;
import org.apache.kafka.common.message.ConsumerProtocolSubscription;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageUtil;

/**
 * The embedded "consumer" protocol of classic groups: subscription bytes a member sends in
 * JoinGroup and assignment bytes it gets in SyncGroup. A classic group needs the topics only to
 * decide which offsets are still in use (OffsetDelete, expiry); a consumer-protocol group that
 * hosts classic members during an online migration reads their whole subscription and writes their
 * assignments.
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

  /** A member's subscription: topics, what it owns now (topic name to partitions), its rack. */
  record Subscription(
      short version, List<String> topics, Map<String, List<Integer>> owned, String rackId) {}

  /**
   * Parses subscription bytes; IllegalArgumentException when they are not the consumer protocol.
   */
  static Subscription parse(byte[] subscription) {
    if (subscription == null || subscription.length < 2) {
      throw new IllegalArgumentException("No consumer protocol subscription");
    }
    try {
      ByteBuffer buf = ByteBuffer.wrap(subscription);
      short version = buf.getShort();
      if (version < ConsumerProtocolSubscription.LOWEST_SUPPORTED_VERSION) {
        throw new IllegalArgumentException("Subscription version " + version);
      }
      short readAs =
          (short) Math.min(version, ConsumerProtocolSubscription.HIGHEST_SUPPORTED_VERSION);
      ConsumerProtocolSubscription s =
          new ConsumerProtocolSubscription(new ByteBufferAccessor(buf), readAs);
      Map<String, List<Integer>> owned = new TreeMap<>();
      for (ConsumerProtocolSubscription.TopicPartition tp : s.ownedPartitions()) {
        owned.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).addAll(tp.partitions());
      }
      return new Subscription(version, List.copyOf(s.topics()), owned, s.rackId());
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("Malformed consumer protocol subscription", e);
    }
  }

  /**
   * Assignment bytes for a member whose subscription had {@code subscriptionVersion}: the same
   * version (capped at the newest the codec knows), as Kafka answers.
   */
  static byte[] assignment(Map<String, ? extends Iterable<Integer>> partitions, short version) {
    ConsumerProtocolAssignment a = new ConsumerProtocolAssignment();
    for (Map.Entry<String, ? extends Iterable<Integer>> e : partitions.entrySet()) {
      List<Integer> ps = new ArrayList<>();
      e.getValue().forEach(ps::add);
      a.assignedPartitions()
          .add(
              new ConsumerProtocolAssignment.TopicPartition()
                  .setTopic(e.getKey())
                  .setPartitions(ps));
    }
    short writeAs =
        (short)
            Math.max(
                ConsumerProtocolAssignment.LOWEST_SUPPORTED_VERSION,
                Math.min(version, ConsumerProtocolAssignment.HIGHEST_SUPPORTED_VERSION));
    return MessageUtil.toVersionPrefixedBytes(writeAs, a);
  }

  /** Topic name to partitions of assignment bytes; IllegalArgumentException when malformed. */
  static Map<String, List<Integer>> parseAssignment(byte[] assignment) {
    Map<String, List<Integer>> out = new TreeMap<>();
    if (assignment == null || assignment.length == 0) {
      return out;
    }
    try {
      ByteBuffer buf = ByteBuffer.wrap(assignment);
      short version = buf.getShort();
      short readAs =
          (short)
              Math.max(
                  ConsumerProtocolAssignment.LOWEST_SUPPORTED_VERSION,
                  Math.min(version, ConsumerProtocolAssignment.HIGHEST_SUPPORTED_VERSION));
      ConsumerProtocolAssignment a =
          new ConsumerProtocolAssignment(new ByteBufferAccessor(buf), readAs);
      for (ConsumerProtocolAssignment.TopicPartition tp : a.assignedPartitions()) {
        out.computeIfAbsent(tp.topic(), t -> new ArrayList<>()).addAll(tp.partitions());
      }
      return out;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("Malformed consumer protocol assignment", e);
    }
  }
}
