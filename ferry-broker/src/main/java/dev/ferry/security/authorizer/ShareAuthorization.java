package dev.ferry.security.authorizer;

import static dev.ferry.security.authorizer.DeniedItems.answerGroupWith;
import static dev.ferry.security.authorizer.DeniedItems.answerWith;
import static dev.ferry.security.authorizer.DeniedItems.refusals;
import static dev.ferry.security.authorizer.DeniedItems.removeDenied;
import static dev.ferry.security.authorizer.GroupProtocolChecks.groupDenied;
import static dev.ferry.security.authorizer.RequestAuthorizer.deny;

import dev.ferry.network.NetworkRequest;
import dev.ferry.network.RequestDispatcher;
import dev.ferry.security.authorizer.GroupProtocolChecks.DescribedGroups;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.message.AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestTopic;
import org.apache.kafka.common.message.AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponsePartition;
import org.apache.kafka.common.message.AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponseTopic;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsRequestData.DeleteShareGroupOffsetsRequestTopic;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsResponseData.DeleteShareGroupOffsetsResponseTopic;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseGroup;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponsePartition;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseTopic;
import org.apache.kafka.common.message.ShareAcknowledgeRequestData.AcknowledgeTopic;
import org.apache.kafka.common.message.ShareAcknowledgeResponseData.ShareAcknowledgeTopicResponse;
import org.apache.kafka.common.message.ShareFetchRequestData.FetchTopic;
import org.apache.kafka.common.message.ShareFetchResponseData.ShareFetchableTopicResponse;
import org.apache.kafka.common.message.ShareGroupDescribeResponseData.DescribedGroup;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AlterShareGroupOffsetsRequest;
import org.apache.kafka.common.requests.AlterShareGroupOffsetsResponse;
import org.apache.kafka.common.requests.DeleteShareGroupOffsetsRequest;
import org.apache.kafka.common.requests.DeleteShareGroupOffsetsResponse;
import org.apache.kafka.common.requests.DescribeShareGroupOffsetsRequest;
import org.apache.kafka.common.requests.DescribeShareGroupOffsetsResponse;
import org.apache.kafka.common.requests.ShareAcknowledgeRequest;
import org.apache.kafka.common.requests.ShareAcknowledgeResponse;
import org.apache.kafka.common.requests.ShareFetchRequest;
import org.apache.kafka.common.requests.ShareFetchResponse;
import org.apache.kafka.common.requests.ShareGroupDescribeRequest;
import org.apache.kafka.common.requests.ShareGroupDescribeResponse;
import org.apache.kafka.common.requests.ShareGroupHeartbeatRequest;

/**
 * Kafka's checks of the share-group APIs (KIP-932): READ on the group to be a member, fetch and
 * acknowledge (GROUP_AUTHORIZATION_FAILED for the whole request), then READ on each topic fetched
 * or acknowledged (TOPIC_AUTHORIZATION_FAILED for its partitions); DESCRIBE on the subscribed
 * topics of a heartbeat; DESCRIBE on each group described. The offset admin APIs: DESCRIBE on the
 * group and topics to describe (unauthorized topics left out of an all-topics answer), READ on the
 * group and topics to alter, DELETE on the group and READ on the topics to delete. The share
 * coordinator's own RPCs need CLUSTER_ACTION (the default rule).
 */
final class ShareAuthorization {

  private static final short GROUP_DENIED = Errors.GROUP_AUTHORIZATION_FAILED.code();
  private static final short TOPIC_DENIED = Errors.TOPIC_AUTHORIZATION_FAILED.code();
  private static final String TOPIC_DENIED_MESSAGE = Errors.TOPIC_AUTHORIZATION_FAILED.message();

  private final TopicAuthorization topics;

  ShareAuthorization(TopicAuthorization topics) {
    this.topics = topics;
  }

  private static final DescribedGroups<ShareGroupDescribeResponse, DescribedGroup> DESCRIBED =
      new DescribedGroups<>(
          ShareGroupDescribeResponse.class,
          r -> r.data().groups(),
          (r, groups) -> r.data().setGroups(groups),
          DescribedGroup::groupId,
          DescribedGroup::errorCode,
          DescribedGroup::setAuthorizedOperations,
          (groupId, error) -> new DescribedGroup().setGroupId(groupId).setErrorCode(error));

  private boolean mayRead(Access access, Uuid topicId) {
    return topics.allowed(access, AclOperation.READ, null, topicId);
  }

  CompletableFuture<AbstractResponse> heartbeat(
      NetworkRequest request, Access access, RequestDispatcher next) {
    ShareGroupHeartbeatRequest body = (ShareGroupHeartbeatRequest) request.body();
    return GroupProtocolChecks.heartbeat(
        request, access, body.data().groupId(), body.data().subscribedTopicNames(), next);
  }

  CompletableFuture<AbstractResponse> describe(
      NetworkRequest request, Access access, RequestDispatcher next) {
    ShareGroupDescribeRequest body = (ShareGroupDescribeRequest) request.body();
    return GroupProtocolChecks.describe(
        request,
        access,
        next,
        body.data().groupIds(),
        body.data().includeAuthorizedOperations(),
        DESCRIBED);
  }

  CompletableFuture<AbstractResponse> fetch(
      NetworkRequest request, Access access, RequestDispatcher next) {
    ShareFetchRequest body = (ShareFetchRequest) request.body();
    String group = body.data().groupId();
    if (!access.group(AclOperation.READ, group)) {
      return deny(request, groupDenied(group));
    }
    List<FetchTopic> denied = removeDenied(body.data().topics(), t -> mayRead(access, t.topicId()));
    if (!denied.isEmpty()) {
      body.data().setMaxWaitMs(0); // errors are answered at once
    }
    List<ShareFetchableTopicResponse> refused =
        refusals(
            denied,
            t -> {
              ShareFetchableTopicResponse topic =
                  new ShareFetchableTopicResponse().setTopicId(t.topicId());
              t.partitions()
                  .forEach(
                      p ->
                          topic
                              .partitions()
                              .add(
                                  new org.apache.kafka.common.message.ShareFetchResponseData
                                          .PartitionData()
                                      .setPartitionIndex(p.partitionIndex())
                                      .setErrorCode(TOPIC_DENIED)
                                      .setErrorMessage(TOPIC_DENIED_MESSAGE)
                                      .setAcknowledgeErrorCode(
                                          p.acknowledgementBatches().isEmpty()
                                              ? Errors.NONE.code()
                                              : TOPIC_DENIED)
                                      .setRecords(MemoryRecords.EMPTY)));
              return topic;
            });
    return answerWith(request, next, refused, ShareFetchResponse.class, r -> r.data().responses());
  }

  CompletableFuture<AbstractResponse> acknowledge(
      NetworkRequest request, Access access, RequestDispatcher next) {
    ShareAcknowledgeRequest body = (ShareAcknowledgeRequest) request.body();
    String group = body.data().groupId();
    if (!access.group(AclOperation.READ, group)) {
      return deny(request, groupDenied(group));
    }
    List<AcknowledgeTopic> denied =
        removeDenied(body.data().topics(), t -> mayRead(access, t.topicId()));
    List<ShareAcknowledgeTopicResponse> refused =
        refusals(
            denied,
            t -> {
              ShareAcknowledgeTopicResponse topic =
                  new ShareAcknowledgeTopicResponse().setTopicId(t.topicId());
              t.partitions()
                  .forEach(
                      p ->
                          topic
                              .partitions()
                              .add(
                                  new org.apache.kafka.common.message.ShareAcknowledgeResponseData
                                          .PartitionData()
                                      .setPartitionIndex(p.partitionIndex())
                                      .setErrorCode(TOPIC_DENIED)
                                      .setErrorMessage(TOPIC_DENIED_MESSAGE)));
              return topic;
            });
    return answerWith(
        request, next, refused, ShareAcknowledgeResponse.class, r -> r.data().responses());
  }

  /**
   * DESCRIBE on each group; topics the principal may not describe are left out of an all-topics
   * answer and answered TOPIC_AUTHORIZATION_FAILED when named.
   */
  CompletableFuture<AbstractResponse> describeOffsets(
      NetworkRequest request, Access access, RequestDispatcher next) {
    DescribeShareGroupOffsetsRequest body = (DescribeShareGroupOffsetsRequest) request.body();
    List<DescribeShareGroupOffsetsRequestGroup> denied =
        removeDenied(body.data().groups(), g -> access.group(AclOperation.DESCRIBE, g.groupId()));
    List<String> allTopics = new ArrayList<>();
    for (DescribeShareGroupOffsetsRequestGroup g : body.data().groups()) {
      if (g.topics() == null) {
        allTopics.add(g.groupId());
      }
    }
    return next.dispatch(request)
        .thenApply(
            r -> {
              List<DescribeShareGroupOffsetsResponseGroup> groups =
                  ((DescribeShareGroupOffsetsResponse) r).data().groups();
              for (DescribeShareGroupOffsetsResponseGroup g : groups) {
                Iterator<DescribeShareGroupOffsetsResponseTopic> it = g.topics().iterator();
                while (it.hasNext()) {
                  DescribeShareGroupOffsetsResponseTopic t = it.next();
                  if (access.topic(AclOperation.DESCRIBE, t.topicName())) {
                    continue;
                  }
                  if (allTopics.contains(g.groupId())) {
                    it.remove();
                  } else {
                    List<DescribeShareGroupOffsetsResponsePartition> refused = new ArrayList<>();
                    for (DescribeShareGroupOffsetsResponsePartition p : t.partitions()) {
                      refused.add(
                          new DescribeShareGroupOffsetsResponsePartition()
                              .setPartitionIndex(p.partitionIndex())
                              .setStartOffset(-1)
                              .setErrorCode(TOPIC_DENIED)
                              .setErrorMessage(TOPIC_DENIED_MESSAGE));
                    }
                    t.setTopicId(Uuid.ZERO_UUID).setPartitions(refused);
                  }
                }
              }
              for (DescribeShareGroupOffsetsRequestGroup g : denied) {
                groups.add(
                    new DescribeShareGroupOffsetsResponseGroup()
                        .setGroupId(g.groupId())
                        .setErrorCode(GROUP_DENIED));
              }
              return r;
            });
  }

  CompletableFuture<AbstractResponse> alterOffsets(
      NetworkRequest request, Access access, RequestDispatcher next) {
    AlterShareGroupOffsetsRequest body = (AlterShareGroupOffsetsRequest) request.body();
    String group = body.data().groupId();
    if (!access.group(AclOperation.READ, group)) {
      return deny(request, groupDenied(group));
    }
    List<AlterShareGroupOffsetsRequestTopic> denied =
        removeDenied(body.data().topics(), t -> access.topic(AclOperation.READ, t.topicName()));
    List<AlterShareGroupOffsetsResponseTopic> refused =
        refusals(
            denied,
            t -> {
              AlterShareGroupOffsetsResponseTopic topic =
                  new AlterShareGroupOffsetsResponseTopic()
                      .setTopicName(t.topicName())
                      .setTopicId(Uuid.ZERO_UUID);
              t.partitions()
                  .forEach(
                      p ->
                          topic
                              .partitions()
                              .add(
                                  new AlterShareGroupOffsetsResponsePartition()
                                      .setPartitionIndex(p.partitionIndex())
                                      .setErrorCode(TOPIC_DENIED)
                                      .setErrorMessage(TOPIC_DENIED_MESSAGE)));
              return topic;
            });
    return answerGroupWith(
        request,
        next,
        refused,
        AlterShareGroupOffsetsResponse.class,
        r -> r.data().errorCode(),
        (r, topics) -> r.data().responses().addAll(topics));
  }

  CompletableFuture<AbstractResponse> deleteOffsets(
      NetworkRequest request, Access access, RequestDispatcher next) {
    DeleteShareGroupOffsetsRequest body = (DeleteShareGroupOffsetsRequest) request.body();
    String group = body.data().groupId();
    if (!access.group(AclOperation.DELETE, group)) {
      return deny(request, groupDenied(group));
    }
    List<DeleteShareGroupOffsetsRequestTopic> denied =
        removeDenied(body.data().topics(), t -> access.topic(AclOperation.READ, t.topicName()));
    List<DeleteShareGroupOffsetsResponseTopic> refused =
        refusals(
            denied,
            t ->
                new DeleteShareGroupOffsetsResponseTopic()
                    .setTopicName(t.topicName())
                    .setErrorCode(TOPIC_DENIED)
                    .setErrorMessage(TOPIC_DENIED_MESSAGE));
    return answerGroupWith(
        request,
        next,
        refused,
        DeleteShareGroupOffsetsResponse.class,
        r -> r.data().errorCode(),
        (r, topics) -> r.data().responses().addAll(0, topics)); // Kafka lists refused ones first
  }
}
