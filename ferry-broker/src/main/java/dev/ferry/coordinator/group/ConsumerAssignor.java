package dev.ferry.coordinator.group;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import org.apache.kafka.common.Uuid;

/**
 * A server-side assignor of the consumer group protocol (KIP-848): from the members' subscriptions,
 * the subscribed topics and the current target assignment, the next target assignment. Pure: no
 * clock, no I/O, so each assignor is unit-tested on its own.
 *
 * <p>Both assignors prefer, among the placements they would make anyway, a member on a rack that
 * holds a replica of the partition (its {@code client.rack} among the partition's replica racks),
 * so it can fetch from a nearby follower (KIP-392). Balance and stickiness come first; without
 * racks the result is exactly the rack-less one. Kafka 4.4's own uniform and range server assignors
 * do not look at racks at all.
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

  /** One member as an assignor sees it; {@code rack} is its {@code client.rack}, or null. */
  record Subscriber(Set<String> topics, Map<Uuid, Set<Integer>> current, String rack) {
    Subscriber(Set<String> topics, Map<Uuid, Set<Integer>> current) {
      this(topics, current, null);
    }
  }

  /**
   * One topic a member subscribes to: its id, partition count and the racks of each partition's
   * replicas (empty when unknown).
   */
  record SubscribedTopic(Uuid id, int partitions, List<Set<String>> partitionRacks) {
    SubscribedTopic(Uuid id, int partitions) {
      this(id, partitions, List.of());
    }

    /** Whether {@code member} is on a rack holding a replica of {@code partition}. */
    boolean sameRack(Subscriber member, int partition) {
      return member.rack() != null
          && partition < partitionRacks.size()
          && partitionRacks.get(partition).contains(member.rack());
    }
  }
}
