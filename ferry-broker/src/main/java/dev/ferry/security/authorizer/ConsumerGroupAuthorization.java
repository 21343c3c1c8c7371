package dev.ferry.security.authorizer;

import dev.ferry.network.NetworkRequest;
import dev.ferry.network.RequestDispatcher;
import dev.ferry.security.authorizer.GroupProtocolChecks.DescribedGroups;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData.DescribedGroup;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ConsumerGroupDescribeRequest;
import org.apache.kafka.common.requests.ConsumerGroupDescribeResponse;
import org.apache.kafka.common.requests.ConsumerGroupHeartbeatRequest;

/**
 * Kafka's checks of the consumer group protocol's APIs (KIP-848): a member's heartbeat needs READ
 * on the group (GROUP_AUTHORIZATION_FAILED) and DESCRIBE on every topic it subscribes to by name
 * (TOPIC_AUTHORIZATION_FAILED); ConsumerGroupDescribe needs DESCRIBE on each group, refused groups
 * answered with GROUP_AUTHORIZATION_FAILED beside the others.
 */
final class ConsumerGroupAuthorization {

  private static final DescribedGroups<ConsumerGroupDescribeResponse, DescribedGroup> DESCRIBED =
      new DescribedGroups<>(
          ConsumerGroupDescribeResponse.class,
          r -> r.data().groups(),
          (r, groups) -> r.data().setGroups(groups),
          DescribedGroup::groupId,
          DescribedGroup::errorCode,
          DescribedGroup::setAuthorizedOperations,
          (groupId, error) -> new DescribedGroup().setGroupId(groupId).setErrorCode(error));

  CompletableFuture<AbstractResponse> heartbeat(
      NetworkRequest request, Access access, RequestDispatcher next) {
    ConsumerGroupHeartbeatRequest body = (ConsumerGroupHeartbeatRequest) request.body();
    return GroupProtocolChecks.heartbeat(
        request, access, body.data().groupId(), body.data().subscribedTopicNames(), next);
  }

  CompletableFuture<AbstractResponse> describe(
      NetworkRequest request, Access access, RequestDispatcher next) {
    ConsumerGroupDescribeRequest body = (ConsumerGroupDescribeRequest) request.body();
    return GroupProtocolChecks.describe(
        request,
        access,
        next,
        body.data().groupIds(),
        body.data().includeAuthorizedOperations(),
        DESCRIBED);
  }
}
