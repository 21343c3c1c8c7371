package dev.ferry.server.group;

import dev.ferry.coordinator.group.GroupRequestContext;
import dev.ferry.coordinator.group.TopicVisibility;
import dev.ferry.network.NetworkRequest;
import java.net.InetAddress;

/** Small helpers shared by the group API handlers. */
final class GroupRequests {

  private GroupRequests() {}

  /** Client id, client host (as Kafka prints it: "/1.2.3.4") and version of a request. */
  static GroupRequestContext context(NetworkRequest request) {
    return context(request, TopicVisibility.ALL);
  }

  /** As above, with the topics the request's principal may describe. */
  static GroupRequestContext context(NetworkRequest request, TopicVisibility topics) {
    InetAddress addr = request.clientAddress();
    String host = addr == null ? "" : "/" + addr.getHostAddress();
    return new GroupRequestContext(
        request.header().clientId(), host, request.header().apiVersion(), topics);
  }
}
