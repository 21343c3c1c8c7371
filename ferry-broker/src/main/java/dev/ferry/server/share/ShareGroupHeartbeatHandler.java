package dev.ferry.server.share;

import dev.ferry.coordinator.share.ShareGroupCoordinator;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ShareGroupHeartbeatRequest;
import org.apache.kafka.common.requests.ShareGroupHeartbeatResponse;

/** ShareGroupHeartbeat v1 (KIP-932): join, heartbeat and leave a share group. */
public final class ShareGroupHeartbeatHandler extends ApiHandler<ShareGroupHeartbeatRequest> {

  private final ShareGroupCoordinator coordinator;

  public ShareGroupHeartbeatHandler(ShareGroupCoordinator coordinator) {
    super(ApiKeys.SHARE_GROUP_HEARTBEAT, ShareGroupHeartbeatRequest.class, 1, 1);
    this.coordinator = coordinator;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, ShareGroupHeartbeatRequest body) {
    InetAddress addr = request.clientAddress();
    String host = addr == null ? "" : "/" + addr.getHostAddress();
    return coordinator
        .heartbeat(request.header().clientId(), host, body.data())
        .thenApply(ShareGroupHeartbeatResponse::new);
  }
}
