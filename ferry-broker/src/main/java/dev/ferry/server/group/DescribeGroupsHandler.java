package dev.ferry.server.group;

import dev.ferry.coordinator.group.GroupCoordinator;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import dev.ferry.server.authz.AuthorizedOperations;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsResponse;
import org.apache.kafka.common.resource.ResourceType;

/**
 * DescribeGroups v0-6. An unknown group is GROUP_ID_NOT_FOUND from v6 (KIP-1043); older versions
 * get no error and state "Dead", as Kafka answers them.
 */
public final class DescribeGroupsHandler extends ApiHandler<DescribeGroupsRequest> {

  private final GroupCoordinator coordinator;
  private final AuthorizedOperations authorizedOperations;

  public DescribeGroupsHandler(GroupCoordinator coordinator) {
    this(coordinator, AuthorizedOperations.allowAll());
  }

  /**
   * With {@code authorizedOperations} filling each described group's operations when the client
   * asks (v3+, KIP-430); a group answered with an error keeps the "omitted" value, as in Kafka.
   */
  public DescribeGroupsHandler(
      GroupCoordinator coordinator, AuthorizedOperations authorizedOperations) {
    super(ApiKeys.DESCRIBE_GROUPS, DescribeGroupsRequest.class, 0, 6);
    this.coordinator = coordinator;
    this.authorizedOperations = authorizedOperations;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, DescribeGroupsRequest req) {
    short version = request.header().apiVersion();
    DescribeGroupsResponseData data = new DescribeGroupsResponseData();
    for (String groupId : req.data().groups()) {
      DescribedGroup g = coordinator.describeGroup(groupId);
      if (version < 6) {
        if (g.errorCode() == Errors.GROUP_ID_NOT_FOUND.code()) {
          g.setErrorCode(Errors.NONE.code());
        }
        g.setErrorMessage(null); // the field exists from v6 only
      }
      if (version >= 3
          && req.data().includeAuthorizedOperations()
          && g.errorCode() == Errors.NONE.code()) {
        g.setAuthorizedOperations(authorizedOperations.of(request, ResourceType.GROUP, groupId));
      }
      data.groups().add(g);
    }
    return CompletableFuture.completedFuture(new DescribeGroupsResponse(data));
  }
}
