package dev.ferry.server.group;

import dev.ferry.coordinator.group.GroupCoordinator;
import dev.ferry.coordinator.group.GroupListing;
import dev.ferry.coordinator.group.ListGroupsResult;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.message.ListGroupsResponseData.ListedGroup;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ListGroupsRequest;
import org.apache.kafka.common.requests.ListGroupsResponse;

/**
 * ListGroups v0-5: the groups this broker coordinates (admin clients ask every broker), with the
 * states filter (v4+) and types filter (v5+; every Ferry group is "classic").
 */
public final class ListGroupsHandler extends ApiHandler<ListGroupsRequest> {

  private final GroupCoordinator coordinator;

  public ListGroupsHandler(GroupCoordinator coordinator) {
    super(ApiKeys.LIST_GROUPS, ListGroupsRequest.class, 0, 5);
    this.coordinator = coordinator;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, ListGroupsRequest body) {
    ListGroupsRequestData req = body.data();
    short version = request.header().apiVersion();
    Set<String> states = version >= 4 ? new HashSet<>(req.statesFilter()) : Set.of();
    Set<String> types = version >= 5 ? new HashSet<>(req.typesFilter()) : Set.of();
    ListGroupsResult result = coordinator.listGroups(states, types);
    ListGroupsResponseData data = new ListGroupsResponseData().setErrorCode(result.error().code());
    for (GroupListing g : result.groups()) {
      data.groups()
          .add(
              new ListedGroup()
                  .setGroupId(g.groupId())
                  .setProtocolType(g.protocolType())
                  .setGroupState(g.state())
                  .setGroupType(g.type()));
    }
    return CompletableFuture.completedFuture(new ListGroupsResponse(data));
  }
}
