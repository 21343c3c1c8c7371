package dev.ferry.security.authorizer;

import static dev.ferry.security.authorizer.DeniedItems.removeDenied;
import static dev.ferry.security.authorizer.RequestAuthorizer.deny;

import dev.ferry.network.NetworkRequest;
import dev.ferry.network.RequestDispatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData.DescribedGroup;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ConsumerGroupDescribeRequest;
import org.apache.kafka.common.requests.ConsumerGroupDescribeResponse;
import org.apache.kafka.common.requests.ConsumerGroupHeartbeatRequest;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Kafka's checks of the consumer group protocol's APIs (KIP-848): a member's heartbeat needs READ
 * on the group (GROUP_AUTHORIZATION_FAILED) and DESCRIBE on every topic it subscribes to by name
 * (TOPIC_AUTHORIZATION_FAILED); ConsumerGroupDescribe needs DESCRIBE on each group, refused groups
 * answered with GROUP_AUTHORIZATION_FAILED beside the others.
 */
final class ConsumerGroupAuthorization {

  private static final short GROUP_DENIED = Errors.GROUP_AUTHORIZATION_FAILED.code();

  CompletableFuture<AbstractResponse> heartbeat(
      NetworkRequest request, Access access, RequestDispatcher next) {
    ConsumerGroupHeartbeatRequest body = (ConsumerGroupHeartbeatRequest) request.body();
    String group = body.data().groupId();
    if (!access.group(AclOperation.READ, group)) {
      return deny(
          request, new GroupAuthorizationException("Not authorized to access group: " + group));
    }
    List<String> subscribed = body.data().subscribedTopicNames();
    if (subscribed != null) {
      for (String topic : subscribed) {
        if (!access.topic(AclOperation.DESCRIBE, topic)) {
          return deny(
              request,
              new TopicAuthorizationException(Errors.TOPIC_AUTHORIZATION_FAILED.message()));
        }
      }
    }
    return next.dispatch(request);
  }

  /** DESCRIBE on each group (refused ones first); the authorized operations when asked. */
  CompletableFuture<AbstractResponse> describe(
      NetworkRequest request, Access access, RequestDispatcher next) {
    ConsumerGroupDescribeRequest body = (ConsumerGroupDescribeRequest) request.body();
    List<String> denied =
        removeDenied(body.data().groupIds(), g -> access.group(AclOperation.DESCRIBE, g));
    boolean operations = body.data().includeAuthorizedOperations();
    return next.dispatch(request)
        .thenApply(
            r -> {
              List<DescribedGroup> groups = ((ConsumerGroupDescribeResponse) r).data().groups();
              if (operations) {
                for (DescribedGroup g : groups) {
                  if (g.errorCode() == Errors.NONE.code()) {
                    g.setAuthorizedOperations(
                        access.operations(
                            ResourceType.GROUP, g.groupId(), GroupAuthorization.GROUP_OPERATIONS));
                  }
                }
              }
              List<DescribedGroup> out = new ArrayList<>();
              for (String g : denied) {
                out.add(new DescribedGroup().setGroupId(g).setErrorCode(GROUP_DENIED));
              }
              out.addAll(groups);
              ((ConsumerGroupDescribeResponse) r).data().setGroups(out);
              return r;
            });
  }
}
