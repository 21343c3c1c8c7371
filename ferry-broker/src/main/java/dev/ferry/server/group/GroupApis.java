package dev.ferry.server.group;

import dev.ferry.coordinator.group.GroupCoordinator;
import dev.ferry.coordinator.group.TopicVisibility;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import dev.ferry.server.KnownPartitions;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.common.Node;

/** The group APIs as handlers for the dispatcher. */
public final class GroupApis {

  private GroupApis() {}

  /**
   * Handlers for FindCoordinator, JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit,
   * OffsetFetch, ListGroups, DescribeGroups, DeleteGroups and OffsetDelete, plus
   * ConsumerGroupHeartbeat and ConsumerGroupDescribe when the coordinator serves consumer-protocol
   * groups. With {@code topicIds} OffsetCommit and OffsetFetch also offer v10 (topic ids); null
   * caps them at v9.
   */
  public static List<ApiHandler<?>> handlers(
      GroupCoordinator coordinator, CoordinatorLocator locator, TopicIdResolver topicIds) {
    return handlers(coordinator, locator, topicIds, tp -> true);
  }

  /**
   * As above; OffsetCommit and OffsetDelete answer UNKNOWN_TOPIC_OR_PARTITION for partitions that
   * {@code knownPartitions} does not know, as Kafka does, instead of storing offsets for them.
   */
  public static List<ApiHandler<?>> handlers(
      GroupCoordinator coordinator,
      CoordinatorLocator locator,
      TopicIdResolver topicIds,
      KnownPartitions knownPartitions) {
    return handlers(coordinator, locator, topicIds, knownPartitions, null);
  }

  /**
   * As above; FindCoordinator also finds transaction coordinators with {@code
   * transactionCoordinators} (non-null).
   */
  public static List<ApiHandler<?>> handlers(
      GroupCoordinator coordinator,
      CoordinatorLocator locator,
      TopicIdResolver topicIds,
      KnownPartitions knownPartitions,
      Function<String, Optional<Node>> transactionCoordinators) {
    return handlers(
        coordinator,
        locator,
        topicIds,
        knownPartitions,
        transactionCoordinators,
        request -> TopicVisibility.ALL);
  }

  /**
   * As above; a ConsumerGroupHeartbeat's regex subscription resolves only to the topics that {@code
   * visibility} says the request's principal may describe.
   */
  public static List<ApiHandler<?>> handlers(
      GroupCoordinator coordinator,
      CoordinatorLocator locator,
      TopicIdResolver topicIds,
      KnownPartitions knownPartitions,
      Function<String, Optional<Node>> transactionCoordinators,
      Function<NetworkRequest, TopicVisibility> visibility) {
    List<ApiHandler<?>> handlers = new java.util.ArrayList<>();
    if (coordinator.servesConsumerGroups()) {
      handlers.add(new ConsumerGroupHeartbeatHandler(coordinator, visibility));
      handlers.add(new ConsumerGroupDescribeHandler(coordinator));
    }
    handlers.addAll(
        classicHandlers(coordinator, locator, topicIds, knownPartitions, transactionCoordinators));
    return handlers;
  }

  private static List<ApiHandler<?>> classicHandlers(
      GroupCoordinator coordinator,
      CoordinatorLocator locator,
      TopicIdResolver topicIds,
      KnownPartitions knownPartitions,
      Function<String, Optional<Node>> transactionCoordinators) {
    return List.of(
        new FindCoordinatorHandler(coordinator, locator, transactionCoordinators),
        new JoinGroupHandler(coordinator),
        new SyncGroupHandler(coordinator),
        new HeartbeatHandler(coordinator),
        new LeaveGroupHandler(coordinator),
        new OffsetCommitHandler(coordinator, topicIds, knownPartitions),
        new OffsetFetchHandler(coordinator, topicIds),
        new ListGroupsHandler(coordinator),
        new DescribeGroupsHandler(coordinator),
        new DeleteGroupsHandler(coordinator),
        new OffsetDeleteHandler(coordinator, knownPartitions));
  }

  /** As above without topic ids (OffsetCommit/OffsetFetch up to v9). */
  public static List<ApiHandler<?>> handlers(
      GroupCoordinator coordinator, CoordinatorLocator locator) {
    return handlers(coordinator, locator, null);
  }
}
