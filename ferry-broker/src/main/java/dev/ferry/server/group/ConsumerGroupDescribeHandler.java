package dev.ferry.server.group;

import dev.ferry.coordinator.group.GroupCoordinator;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import dev.ferry.server.authz.AuthorizedOperations;
import java.util.LinkedHashSet;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ConsumerGroupDescribeRequest;
import org.apache.kafka.common.requests.ConsumerGroupDescribeResponse;
import org.apache.kafka.common.resource.ResourceType;

/**
 * ConsumerGroupDescribe v0-1: consumer-protocol groups with their epochs, members, assignments and
 * target assignments (what Admin#describeConsumerGroups asks first; a classic group answers
 * GROUP_ID_NOT_FOUND and the client falls back to DescribeGroups).
 */
public final class ConsumerGroupDescribeHandler extends ApiHandler<ConsumerGroupDescribeRequest> {

  private final GroupCoordinator coordinator;
  private final AuthorizedOperations authorizedOperations;

  public ConsumerGroupDescribeHandler(GroupCoordinator coordinator) {
    this(coordinator, AuthorizedOperations.allowAll());
  }

  /**
   * With {@code authorizedOperations} filling each described group's operations when the client
   * asks; a group answered with an error keeps the "omitted" value, as in Kafka.
   */
  public ConsumerGroupDescribeHandler(
      GroupCoordinator coordinator, AuthorizedOperations authorizedOperations) {
    super(ApiKeys.CONSUMER_GROUP_DESCRIBE, ConsumerGroupDescribeRequest.class, 0, 1);
    this.coordinator = coordinator;
    this.authorizedOperations = authorizedOperations;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, ConsumerGroupDescribeRequest body) {
    ConsumerGroupDescribeResponseData data = new ConsumerGroupDescribeResponseData();
    for (String groupId : new LinkedHashSet<>(body.data().groupIds())) {
      ConsumerGroupDescribeResponseData.DescribedGroup g =
          coordinator.consumerGroupDescribe(groupId);
      if (body.data().includeAuthorizedOperations() && g.errorCode() == Errors.NONE.code()) {
        g.setAuthorizedOperations(authorizedOperations.of(request, ResourceType.GROUP, groupId));
      }
      data.groups().add(g);
    }
    return CompletableFuture.completedFuture(new ConsumerGroupDescribeResponse(data));
  }
}
