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
public final class ListGroupsHandler implements ApiHandler {

  private final GroupCoordinator coordinator;

  public ListGroupsHandler(GroupCoordinator coordinator) {
    this.coordinator = coordinator;
  }

  @Override
  public ApiKeys apiKey() {
    return ApiKeys.LIST_GROUPS;
  }

  @Override
  public short minVersion() {
    return 0;
  }

  @Override
  public short maxVersion() {
    return 5;
  }

  @Override
  public CompletableFuture<AbstractResponse> handle(NetworkRequest request) {
    ListGroupsRequestData req = ((ListGroupsRequest) request.body()).data();
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
                  .setGroupState(g.state().displayName())
                  .setGroupType(GroupCoordinator.CLASSIC_GROUP_TYPE));
    }
    return CompletableFuture.completedFuture(new ListGroupsResponse(data));
  }
}
