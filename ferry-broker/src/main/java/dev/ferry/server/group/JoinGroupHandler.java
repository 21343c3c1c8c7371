package dev.ferry.server.group;

import dev.ferry.coordinator.group.GroupCoordinator;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.JoinGroupResponse;

/** JoinGroup v0-9; the response is parked in the coordinator until the join phase completes. */
public final class JoinGroupHandler extends ApiHandler<JoinGroupRequest> {

  private final GroupCoordinator coordinator;

  public JoinGroupHandler(GroupCoordinator coordinator) {
    super(ApiKeys.JOIN_GROUP, JoinGroupRequest.class, 0, 9);
    this.coordinator = coordinator;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, JoinGroupRequest req) {
    short version = request.header().apiVersion();
    return coordinator
        .joinGroup(GroupRequests.context(request), req.data())
        .thenApply(data -> new JoinGroupResponse(data, version));
  }
}
