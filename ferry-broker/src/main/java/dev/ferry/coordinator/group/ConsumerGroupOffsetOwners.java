package dev.ferry.coordinator.group;

import java.util.Optional;
import java.util.Set;

/**
 * What offset expiry needs to know of consumer-protocol groups. Their committed offsets live in the
 * classic registry entry of the same id (so a change of protocol never touches them), but which
 * offsets may expire follows the consumer group, as in Kafka: offsets of topics the group
 * subscribes to never expire; the others expire {@code offsets.retention.minutes} after their
 * commit; an empty consumer group whose offsets are all gone is deleted.
 */
interface ConsumerGroupOffsetOwners {

  /** A live consumer-protocol group as offset expiry sees it. */
  record Owner(Set<String> subscribedTopics, boolean hasMembers) {}

  /** The consumer-protocol group {@code groupId}, or empty when it is not one. Must not block. */
  Optional<Owner> owner(String groupId);

  /** Deletes {@code groupId} if it is a consumer-protocol group without members. */
  void forgetIfEmpty(String groupId);
}
