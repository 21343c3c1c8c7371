package dev.ferry.server.group;

import dev.ferry.coordinator.group.GroupCoordinator;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.util.LinkedHashSet;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ConsumerGroupDescribeRequest;
import org.apache.kafka.common.requests.ConsumerGroupDescribeResponse;

/**
 * ConsumerGroupDescribe v0-1: consumer-protocol groups with their epochs, members, assignments and
 * target assignments (what Admin#describeConsumerGroups asks first; a classic group answers
 * GROUP_ID_NOT_FOUND and the client falls back to DescribeGroups).
 */
public final class ConsumerGroupDescribeHandler extends ApiHandler<ConsumerGroupDescribeRequest> {

  private final GroupCoordinator coordinator;

  public ConsumerGroupDescribeHandler(GroupCoordinator coordinator) {
    super(ApiKeys.CONSUMER_GROUP_DESCRIBE, ConsumerGroupDescribeRequest.class, 0, 1);
    this.coordinator = coordinator;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, ConsumerGroupDescribeRequest body) {
    ConsumerGroupDescribeResponseData data = new ConsumerGroupDescribeResponseData();
    for (String groupId : new LinkedHashSet<>(body.data().groupIds())) {
      data.groups().add(coordinator.consumerGroupDescribe(groupId));
    }
    return CompletableFuture.completedFuture(new ConsumerGroupDescribeResponse(data));
  }
}
