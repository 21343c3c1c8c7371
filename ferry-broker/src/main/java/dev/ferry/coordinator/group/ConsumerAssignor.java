package dev.ferry.coordinator.group;

import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import org.apache.kafka.common.Uuid;

/**
 * A server-side assignor of the consumer group protocol (KIP-848): from the members' subscriptions,
 * the subscribed topics and the current target assignment, the next target assignment. Pure: no
 * clock, no I/O, so each assignor is unit-tested on its own.
 */
interface ConsumerAssignor {

  /** The name clients select it by ({@code group.remote.assignor}) and DescribeGroups shows. */
  String name();

  /**
   * The target assignment: every member of {@code members} gets an entry (possibly empty), and each
   * partition of a subscribed topic goes to exactly one member subscribed to it.
   */
  Map<String, Map<Uuid, Set<Integer>>> assign(
      SortedMap<String, Subscriber> members, Map<String, SubscribedTopic> topics);

  /** One member as an assignor sees it. */
  record Subscriber(Set<String> topics, Map<Uuid, Set<Integer>> current) {}

  /** One topic a member subscribes to: its id and partition count. */
  record SubscribedTopic(Uuid id, int partitions) {}
}
