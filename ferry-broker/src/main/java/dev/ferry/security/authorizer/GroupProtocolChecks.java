package dev.ferry.security.authorizer;

import static dev.ferry.security.authorizer.DeniedItems.removeDenied;
import static dev.ferry.security.authorizer.RequestAuthorizer.deny;

import dev.ferry.network.NetworkRequest;
import dev.ferry.network.RequestDispatcher;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.ObjIntConsumer;
import java.util.function.ToIntFunction;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The checks the consumer group protocol (KIP-848) and share groups (KIP-932) have in common: a
 * member's heartbeat and describing groups. Each API answers with its own generated types, which
 * {@link DescribedGroups} reads and builds.
 */
final class GroupProtocolChecks {

  private GroupProtocolChecks() {}

  static GroupAuthorizationException groupDenied(String group) {
    return new GroupAuthorizationException("Not authorized to access group: " + group);
  }

  /**
   * A heartbeat needs READ on the group (GROUP_AUTHORIZATION_FAILED) and DESCRIBE on every topic
   * subscribed to by name (TOPIC_AUTHORIZATION_FAILED), each refusing the whole request.
   */
  static CompletableFuture<AbstractResponse> heartbeat(
      NetworkRequest request,
      Access access,
      String group,
      List<String> subscribedTopics,
      RequestDispatcher next) {
    if (!access.group(AclOperation.READ, group)) {
      return deny(request, groupDenied(group));
    }
    if (subscribedTopics != null) {
      for (String topic : subscribedTopics) {
        if (!access.topic(AclOperation.DESCRIBE, topic)) {
          return deny(
              request,
              new TopicAuthorizationException(Errors.TOPIC_AUTHORIZATION_FAILED.message()));
        }
      }
    }
    return next.dispatch(request);
  }

  /**
   * DESCRIBE on each group: refused groups leave the request and are listed first in the answer
   * with GROUP_AUTHORIZATION_FAILED, as Kafka lists them; the others carry their authorized
   * operations when the request asked for them.
   */
  static <R extends AbstractResponse, G> CompletableFuture<AbstractResponse> describe(
      NetworkRequest request,
      Access access,
      RequestDispatcher next,
      List<String> groupIds,
      boolean includeAuthorizedOperations,
      DescribedGroups<R, G> shape) {
    List<String> denied = removeDenied(groupIds, g -> access.group(AclOperation.DESCRIBE, g));
    return next.dispatch(request)
        .thenApply(
            r -> {
              R response = shape.type().cast(r);
              List<G> groups = shape.groups().apply(response);
              if (includeAuthorizedOperations) {
                for (G g : groups) {
                  if (shape.errorCode().applyAsInt(g) == Errors.NONE.code()) {
                    shape
                        .setAuthorizedOperations()
                        .accept(
                            g,
                            access.operations(
                                ResourceType.GROUP,
                                shape.groupId().apply(g),
                                GroupAuthorization.GROUP_OPERATIONS));
                  }
                }
              }
              List<G> out = new ArrayList<>(denied.size() + groups.size());
              for (String g : denied) {
                out.add(shape.refused().apply(g, Errors.GROUP_AUTHORIZATION_FAILED.code()));
              }
              out.addAll(groups);
              shape.setGroups().accept(response, out);
              return r;
            });
  }

  /** How one describe API's answer of type {@code R} with groups {@code G} is read and built. */
  record DescribedGroups<R extends AbstractResponse, G>(
      Class<R> type,
      Function<R, List<G>> groups,
      BiConsumer<R, List<G>> setGroups,
      Function<G, String> groupId,
      ToIntFunction<G> errorCode,
      ObjIntConsumer<G> setAuthorizedOperations,
      BiFunction<String, Short, G> refused) {}
}
