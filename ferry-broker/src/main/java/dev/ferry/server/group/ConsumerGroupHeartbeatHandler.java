package dev.ferry.server.group;

import dev.ferry.coordinator.group.GroupCoordinator;
import dev.ferry.coordinator.group.TopicVisibility;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ConsumerGroupHeartbeatRequest;
import org.apache.kafka.common.requests.ConsumerGroupHeartbeatResponse;

/**
 * ConsumerGroupHeartbeat v0-1 (KIP-848): the one RPC of the consumer group protocol: join,
 * heartbeat with owned partitions, receive the assignment, leave. v1 adds regex subscriptions and
 * client-generated member ids.
 */
public final class ConsumerGroupHeartbeatHandler extends ApiHandler<ConsumerGroupHeartbeatRequest> {

  private final GroupCoordinator coordinator;
  private final Function<NetworkRequest, TopicVisibility> visibility;

  /**
   * @param visibility the topics a request's principal may describe, which its regex subscription
   *     resolves to
   */
  public ConsumerGroupHeartbeatHandler(
      GroupCoordinator coordinator, Function<NetworkRequest, TopicVisibility> visibility) {
    super(ApiKeys.CONSUMER_GROUP_HEARTBEAT, ConsumerGroupHeartbeatRequest.class, 0, 1);
    this.coordinator = coordinator;
    this.visibility = visibility;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, ConsumerGroupHeartbeatRequest body) {
    return coordinator
        .consumerGroupHeartbeat(
            GroupRequests.context(request, visibility.apply(request)), body.data())
        .thenApply(ConsumerGroupHeartbeatResponse::new);
  }
}
