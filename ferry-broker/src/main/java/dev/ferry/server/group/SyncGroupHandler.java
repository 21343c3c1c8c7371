package dev.ferry.server.group;

import dev.ferry.coordinator.group.GroupCoordinator;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.SyncGroupRequest;
import org.apache.kafka.common.requests.SyncGroupResponse;

/** SyncGroup v0-5: relays the leader's assignment, byte for byte, to every member. */
public final class SyncGroupHandler extends ApiHandler<SyncGroupRequest> {

  private final GroupCoordinator coordinator;

  public SyncGroupHandler(GroupCoordinator coordinator) {
    super(ApiKeys.SYNC_GROUP, SyncGroupRequest.class, 0, 5);
    this.coordinator = coordinator;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, SyncGroupRequest req) {
    return coordinator
        .syncGroup(GroupRequests.context(request), req.data())
        .thenApply(SyncGroupResponse::new);
  }
}
