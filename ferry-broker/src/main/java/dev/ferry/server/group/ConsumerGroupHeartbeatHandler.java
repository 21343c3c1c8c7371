package dev.ferry.server.group;

import dev.ferry.coordinator.group.GroupCoordinator;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.util.concurrent.CompletableFuture;
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

  public ConsumerGroupHeartbeatHandler(GroupCoordinator coordinator) {
    super(ApiKeys.CONSUMER_GROUP_HEARTBEAT, ConsumerGroupHeartbeatRequest.class, 0, 1);
    this.coordinator = coordinator;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, ConsumerGroupHeartbeatRequest body) {
    return coordinator
        .consumerGroupHeartbeat(GroupRequests.context(request), body.data())
        .thenApply(ConsumerGroupHeartbeatResponse::new);
  }
}
