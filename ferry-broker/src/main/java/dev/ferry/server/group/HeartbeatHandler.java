package dev.ferry.server.group;

import dev.ferry.coordinator.group.GroupCoordinator;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.HeartbeatResponse;

/** Heartbeat v0-4: keeps a member's session alive and tells it when to rejoin. */
public final class HeartbeatHandler extends ApiHandler<HeartbeatRequest> {

  private final GroupCoordinator coordinator;

  public HeartbeatHandler(GroupCoordinator coordinator) {
    super(ApiKeys.HEARTBEAT, HeartbeatRequest.class, 0, 4);
    this.coordinator = coordinator;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, HeartbeatRequest req) {
    Errors e = coordinator.heartbeat(GroupRequests.context(request), req.data());
    return CompletableFuture.completedFuture(
        new HeartbeatResponse(new HeartbeatResponseData().setErrorCode(e.code())));
  }
}
