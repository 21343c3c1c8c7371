package dev.ferry.server.share;

import dev.ferry.coordinator.share.ShareGroupCoordinator;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import dev.ferry.server.authz.AuthorizedOperations;
import java.util.LinkedHashSet;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ShareGroupDescribeRequest;
import org.apache.kafka.common.requests.ShareGroupDescribeResponse;
import org.apache.kafka.common.resource.ResourceType;

/** ShareGroupDescribe v1: share groups with their epochs, members and assignments. */
public final class ShareGroupDescribeHandler extends ApiHandler<ShareGroupDescribeRequest> {

  private final ShareGroupCoordinator coordinator;
  private final AuthorizedOperations authorizedOperations;

  public ShareGroupDescribeHandler(
      ShareGroupCoordinator coordinator, AuthorizedOperations authorizedOperations) {
    super(ApiKeys.SHARE_GROUP_DESCRIBE, ShareGroupDescribeRequest.class, 1, 1);
    this.coordinator = coordinator;
    this.authorizedOperations = authorizedOperations;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, ShareGroupDescribeRequest body) {
    ShareGroupDescribeResponseData data = new ShareGroupDescribeResponseData();
    for (String groupId : new LinkedHashSet<>(body.data().groupIds())) {
      ShareGroupDescribeResponseData.DescribedGroup g = coordinator.describe(groupId);
      if (body.data().includeAuthorizedOperations() && g.errorCode() == Errors.NONE.code()) {
        g.setAuthorizedOperations(authorizedOperations.of(request, ResourceType.GROUP, groupId));
      }
      data.groups().add(g);
    }
    return CompletableFuture.completedFuture(new ShareGroupDescribeResponse(data));
  }
}
