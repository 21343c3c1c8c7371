package dev.ferry.security.authorizer;

import static dev.ferry.security.authorizer.DeniedItems.removeDenied;
import static dev.ferry.security.authorizer.RequestAuthorizer.deny;

import dev.ferry.network.NetworkRequest;
import dev.ferry.network.RequestDispatcher;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResult;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponsePartition;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponseTopic;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponsePartition;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponseTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartition;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopic;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopics;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DeleteGroupsRequest;
import org.apache.kafka.common.requests.DeleteGroupsResponse;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.ListGroupsResponse;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetCommitResponse;
import org.apache.kafka.common.requests.OffsetDeleteRequest;
import org.apache.kafka.common.requests.OffsetDeleteResponse;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.kafka.common.requests.OffsetFetchResponse;
import org.apache.kafka.common.requests.SyncGroupRequest;
import org.apache.kafka.common.resource.ResourceType;

/** Kafka's checks of the group APIs: the group first (GROUP_AUTHORIZATION_FAILED), then topics. */
final class GroupAuthorization {

  static final AclOperation[] GROUP_OPERATIONS = {
    AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE
  };

  private static final short GROUP_DENIED = Errors.GROUP_AUTHORIZATION_FAILED.code();
  private static final short TOPIC_DENIED = Errors.TOPIC_AUTHORIZATION_FAILED.code();

  private static GroupAuthorizationException groupDenied(String group) {
    return new GroupAuthorizationException("Not authorized to access group: " + group);
  }

  CompletableFuture<AbstractResponse> findCoordinators(
      NetworkRequest request, Access access, RequestDispatcher next, ResourceType type) {
    FindCoordinatorRequest body = (FindCoordinatorRequest) request.body();
    Errors error =
        type == ResourceType.GROUP
            ? Errors.GROUP_AUTHORIZATION_FAILED
            : Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED;
    List<String> denied =
        removeDenied(
            body.data().coordinatorKeys(), key -> access.allowed(AclOperation.DESCRIBE, type, key));
    if (denied.isEmpty()) {
      return next.dispatch(request);
    }
    return next.dispatch(request)
        .thenApply(
            r -> {
              for (String key : denied) {
                ((FindCoordinatorResponse) r)
                    .data()
                    .coordinators()
                    .add(
                        new Coordinator()
                            .setKey(key)
                            .setErrorCode(error.code())
                            .setErrorMessage(error.message())
                            .setNodeId(-1)
                            .setHost("")
                            .setPort(-1));
              }
              return r;
            });
  }

  /** JoinGroup, SyncGroup, Heartbeat, LeaveGroup: READ on the group. */
  CompletableFuture<AbstractResponse> member(
      NetworkRequest request, Access access, RequestDispatcher next) {
    String group;
    if (request.body() instanceof JoinGroupRequest r) {
      group = r.data().groupId();
    } else if (request.body() instanceof SyncGroupRequest r) {
      group = r.data().groupId();
    } else if (request.body() instanceof HeartbeatRequest r) {
      group = r.data().groupId();
    } else if (request.body() instanceof LeaveGroupRequest r) {
      group = r.data().groupId();
    } else {
      throw new IllegalArgumentException(request.header().apiKey().toString());
    }
    return access.group(AclOperation.READ, group)
        ? next.dispatch(request)
        : deny(request, groupDenied(group));
  }

  CompletableFuture<AbstractResponse> offsetCommit(
      NetworkRequest request, Access access, RequestDispatcher next, TopicAuthorization topics) {
    OffsetCommitRequest body = (OffsetCommitRequest) request.body();
    String group = body.data().groupId();
    if (!access.group(AclOperation.READ, group)) {
      return deny(request, groupDenied(group));
    }
    List<OffsetCommitRequestTopic> denied =
        removeDenied(
            body.data().topics(),
            t -> topics.allowed(access, AclOperation.READ, t.name(), t.topicId()));
    if (denied.isEmpty()) {
      return next.dispatch(request);
    }
    return next.dispatch(request)
        .thenApply(
            r -> {
              for (OffsetCommitRequestTopic t : denied) {
                List<OffsetCommitResponsePartition> partitions = new ArrayList<>();
                for (OffsetCommitRequestPartition p : t.partitions()) {
                  partitions.add(
                      new OffsetCommitResponsePartition()
                          .setPartitionIndex(p.partitionIndex())
                          .setErrorCode(TOPIC_DENIED));
                }
                ((OffsetCommitResponse) r)
                    .data()
                    .topics()
                    .add(
                        new OffsetCommitResponseTopic()
                            .setName(t.name())
                            .setTopicId(t.topicId())
                            .setPartitions(partitions));
              }
              return r;
            });
  }

  /**
   * DESCRIBE on each group; topics the principal may not describe are dropped from an all-topics
   * answer and answered TOPIC_AUTHORIZATION_FAILED when asked for by name.
   */
  CompletableFuture<AbstractResponse> offsetFetch(
      NetworkRequest request, Access access, RequestDispatcher next) {
    OffsetFetchRequest body = (OffsetFetchRequest) request.body();
    if (request.header().apiVersion() < 8) {
      String group = body.data().groupId();
      if (!access.group(AclOperation.DESCRIBE, group)) {
        return deny(request, groupDenied(group));
      }
      boolean all = body.data().topics() == null;
      return next.dispatch(request)
          .thenApply(
              r -> {
                OffsetFetchResponseData data = ((OffsetFetchResponse) r).data();
                Iterator<OffsetFetchResponseTopic> it = data.topics().iterator();
                while (it.hasNext()) {
                  OffsetFetchResponseTopic t = it.next();
                  if (!access.topic(AclOperation.DESCRIBE, t.name())) {
                    if (all) {
                      it.remove();
                    } else {
                      for (OffsetFetchResponsePartition p : t.partitions()) {
                        p.setErrorCode(TOPIC_DENIED).setCommittedOffset(-1).setMetadata("");
                      }
                    }
                  }
                }
                return r;
              });
    }
    List<OffsetFetchRequestGroup> denied =
        removeDenied(body.data().groups(), g -> access.group(AclOperation.DESCRIBE, g.groupId()));
    List<String> allTopics = new ArrayList<>();
    for (OffsetFetchRequestGroup g : body.data().groups()) {
      if (g.topics() == null) {
        allTopics.add(g.groupId());
      }
    }
    return next.dispatch(request)
        .thenApply(
            r -> {
              OffsetFetchResponseData data = ((OffsetFetchResponse) r).data();
              for (OffsetFetchResponseGroup g : data.groups()) {
                Iterator<OffsetFetchResponseTopics> it = g.topics().iterator();
                while (it.hasNext()) {
                  OffsetFetchResponseTopics t = it.next();
                  if (t.name() != null
                      && !t.name().isEmpty()
                      && !access.topic(AclOperation.DESCRIBE, t.name())) {
                    if (allTopics.contains(g.groupId())) {
                      it.remove();
                    } else {
                      for (OffsetFetchResponsePartitions p : t.partitions()) {
                        p.setErrorCode(TOPIC_DENIED).setCommittedOffset(-1).setMetadata("");
                      }
                    }
                  }
                }
              }
              for (OffsetFetchRequestGroup g : denied) {
                data.groups()
                    .add(
                        new OffsetFetchResponseGroup()
                            .setGroupId(g.groupId())
                            .setErrorCode(GROUP_DENIED));
              }
              return r;
            });
  }

  /** DESCRIBE on each group; authorized operations when asked. */
  CompletableFuture<AbstractResponse> describeGroups(
      NetworkRequest request, Access access, RequestDispatcher next) {
    DescribeGroupsRequest body = (DescribeGroupsRequest) request.body();
    List<String> denied =
        removeDenied(body.data().groups(), g -> access.group(AclOperation.DESCRIBE, g));
    boolean operations = body.data().includeAuthorizedOperations();
    return next.dispatch(request)
        .thenApply(
            r -> {
              List<DescribedGroup> groups = ((DescribeGroupsResponse) r).data().groups();
              if (operations) {
                for (DescribedGroup g : groups) {
                  g.setAuthorizedOperations(
                      access.operations(ResourceType.GROUP, g.groupId(), GROUP_OPERATIONS));
                }
              }
              for (String g : denied) {
                groups.add(
                    new DescribedGroup()
                        .setGroupId(g)
                        .setErrorCode(GROUP_DENIED)
                        .setGroupState("")
                        .setProtocolType("")
                        .setProtocolData("")
                        .setAuthorizedOperations(Integer.MIN_VALUE));
              }
              return r;
            });
  }

  /** DESCRIBE on the cluster lists every group; otherwise those the principal may describe. */
  CompletableFuture<AbstractResponse> listGroups(
      NetworkRequest request, Access access, RequestDispatcher next) {
    if (access.cluster(AclOperation.DESCRIBE)) {
      return next.dispatch(request);
    }
    return next.dispatch(request)
        .thenApply(
            r -> {
              ((ListGroupsResponse) r)
                  .data()
                  .groups()
                  .removeIf(g -> !access.group(AclOperation.DESCRIBE, g.groupId()));
              return r;
            });
  }

  CompletableFuture<AbstractResponse> deleteGroups(
      NetworkRequest request, Access access, RequestDispatcher next) {
    DeleteGroupsRequest body = (DeleteGroupsRequest) request.body();
    List<String> denied =
        removeDenied(body.data().groupsNames(), g -> access.group(AclOperation.DELETE, g));
    if (denied.isEmpty()) {
      return next.dispatch(request);
    }
    return next.dispatch(request)
        .thenApply(
            r -> {
              for (String g : denied) {
                ((DeleteGroupsResponse) r)
                    .data()
                    .results()
                    .add(new DeletableGroupResult().setGroupId(g).setErrorCode(GROUP_DENIED));
              }
              return r;
            });
  }

  CompletableFuture<AbstractResponse> offsetDelete(
      NetworkRequest request, Access access, RequestDispatcher next, TopicAuthorization topics) {
    OffsetDeleteRequest body = (OffsetDeleteRequest) request.body();
    String group = body.data().groupId();
    if (!access.group(AclOperation.DELETE, group)) {
      return deny(request, groupDenied(group));
    }
    List<OffsetDeleteRequestTopic> denied =
        removeDenied(body.data().topics(), t -> access.topic(AclOperation.READ, t.name()));
    if (denied.isEmpty()) {
      return next.dispatch(request);
    }
    return next.dispatch(request)
        .thenApply(
            r -> {
              for (OffsetDeleteRequestTopic t : denied) {
                OffsetDeleteResponseTopic topic = new OffsetDeleteResponseTopic().setName(t.name());
                for (OffsetDeleteRequestPartition p : t.partitions()) {
                  topic
                      .partitions()
                      .add(
                          new OffsetDeleteResponsePartition()
                              .setPartitionIndex(p.partitionIndex())
                              .setErrorCode(TOPIC_DENIED));
                }
                ((OffsetDeleteResponse) r).data().topics().add(topic);
              }
              return r;
            });
  }
}
