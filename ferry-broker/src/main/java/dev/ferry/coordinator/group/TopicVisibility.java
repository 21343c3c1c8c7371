package dev.ferry.coordinator.group;

/**
 * The topics a member's principal may describe. A regex subscription (KIP-848) resolves only to
 * these, as in Kafka 4: a member cannot learn of, or be assigned, a topic it may not describe by
 * subscribing to a pattern that matches it. Answered live from the authorizer, so a changed ACL
 * applies to the group's next assignment.
 */
@FunctionalInterface
public interface TopicVisibility {

  /** Every topic: no authorizer, or a principal the authorizer lets see everything. */
  TopicVisibility ALL = topic -> true;

  boolean mayDescribe(String topic);
}
