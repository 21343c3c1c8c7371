package dev.ferry.server.share;

import dev.ferry.coordinator.group.GroupListing;
import dev.ferry.coordinator.share.ShareGroupCoordinator;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ListGroupsRequest;
import org.apache.kafka.common.requests.ListGroupsResponse;

/**
 * ListGroups with share groups: the group coordinator's answer plus the share groups this broker
 * coordinates (type "share"), under the same states (v4+) and types (v5+) filters.
 */
public final class ShareAwareListGroupsHandler extends ApiHandler<ListGroupsRequest> {

  private final ApiHandler<?> groups;
  private final ShareGroupCoordinator shareGroups;

  /**
   * @param groups the group coordinator's ListGroups handler
   */
  public ShareAwareListGroupsHandler(ApiHandler<?> groups, ShareGroupCoordinator shareGroups) {
    super(ApiKeys.LIST_GROUPS, ListGroupsRequest.class, groups.minVersion(), groups.maxVersion());
    this.groups = groups;
    this.shareGroups = shareGroups;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, ListGroupsRequest body) {
    ListGroupsRequestData req = body.data();
    short version = request.header().apiVersion();
    Set<String> states = lower(version >= 4 ? req.statesFilter() : null);
    Set<String> types = lower(version >= 5 ? req.typesFilter() : null);
    return groups
        .handle(request)
        .thenApply(
            response -> {
              ListGroupsResponseData data = ((ListGroupsResponse) response).data();
              if (!types.isEmpty() && !types.contains(ShareGroupCoordinator.SHARE_GROUP_TYPE)) {
                return response;
              }
              for (GroupListing g : shareGroups.list()) {
                if (states.isEmpty() || states.contains(g.state().toLowerCase(Locale.ROOT))) {
                  data.groups()
                      .add(
                          new ListGroupsResponseData.ListedGroup()
                              .setGroupId(g.groupId())
                              .setProtocolType(g.protocolType())
                              .setGroupState(g.state())
                              .setGroupType(g.type()));
                }
              }
              return response;
            });
  }

  private static Set<String> lower(java.util.List<String> values) {
    Set<String> out = new HashSet<>();
    if (values != null) {
      values.forEach(v -> out.add(v.toLowerCase(Locale.ROOT)));
    }
    return out;
  }
}
