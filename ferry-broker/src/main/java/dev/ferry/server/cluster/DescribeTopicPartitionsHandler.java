package dev.ferry.server.cluster;

import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.TopicMetadata;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import dev.ferry.server.authz.AuthorizedOperations;
import dev.ferry.server.authz.OperationCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.internals.Topic;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.Cursor;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponsePartition;
import org.apache.kafka.common.message.DescribeTopicPartitionsResponseData.DescribeTopicPartitionsResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeTopicPartitionsRequest;
import org.apache.kafka.common.requests.DescribeTopicPartitionsResponse;
import org.apache.kafka.common.resource.ResourceType;

/**
 * DescribeTopicPartitions (KIP-966): Metadata's topic answer in pages, which Admin.describeTopics
 * uses. Topics go in name order from the request's cursor (topic name and partition index); a page
 * holds at most the smaller of the client's {@code responsePartitionLimit} and the broker's {@code
 * max.request.partition.size.limit} partitions, and names where the next page starts.
 *
 * <p>Authorization is done here rather than in the request authorizer because a topic the sender
 * may not describe must not count against the page's limit nor be named by the cursor: named ones
 * come back with TOPIC_AUTHORIZATION_FAILED after the page, unnamed ones (all topics) are left out.
 * Ferry has no eligible leader replicas, so those lists are always empty.
 */
public final class DescribeTopicPartitionsHandler
    extends ApiHandler<DescribeTopicPartitionsRequest> {

  /** Kafka's default {@code max.request.partition.size.limit}. */
  public static final int DEFAULT_PARTITION_LIMIT = 2000;

  private final ClusterView cluster;
  private final int maxPartitionLimit;
  private final OperationCheck check;
  private final AuthorizedOperations authorizedOperations;

  public DescribeTopicPartitionsHandler(ClusterView cluster, int maxPartitionLimit) {
    this(cluster, maxPartitionLimit, OperationCheck.ALLOW_ALL);
  }

  /** With {@code check} deciding which topics the sender may describe (no authorizer: all). */
  public DescribeTopicPartitionsHandler(
      ClusterView cluster, int maxPartitionLimit, OperationCheck check) {
    super(ApiKeys.DESCRIBE_TOPIC_PARTITIONS, DescribeTopicPartitionsRequest.class);
    if (maxPartitionLimit < 1) {
      throw new IllegalArgumentException(
          "max.request.partition.size.limit must be at least 1, not " + maxPartitionLimit);
    }
    this.cluster = cluster;
    this.maxPartitionLimit = maxPartitionLimit;
    this.check = check;
    this.authorizedOperations = new AuthorizedOperations(check);
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, DescribeTopicPartitionsRequest req) {
    DescribeTopicPartitionsRequestData data = req.data();
    DescribeTopicPartitionsRequestData.Cursor cursor = data.cursor();
    String cursorTopic = cursor == null ? "" : cursor.topicName();
    boolean allTopics = data.topics().isEmpty();
    // Sorted by name: the order pages are cut in, so a cursor means the same on every request.
    Set<String> names = new TreeSet<>();
    if (allTopics) {
      for (TopicMetadata t : cluster.store().topics()) {
        if (t.name().compareTo(cursorTopic) >= 0) {
          names.add(t.name());
        }
      }
    } else {
      for (DescribeTopicPartitionsRequestData.TopicRequest t : data.topics()) {
        if (t.name().compareTo(cursorTopic) >= 0) {
          names.add(t.name());
        }
      }
      if (cursor != null && !names.contains(cursorTopic)) {
        return invalid(req, "The topic list must contain the cursor's topic " + cursorTopic);
      }
    }
    if (cursor != null && cursor.partitionIndex() < 0) {
      return invalid(req, "The cursor's partition index must not be negative: " + cursor);
    }
    List<String> describable = new ArrayList<>();
    List<DescribeTopicPartitionsResponseTopic> denied = new ArrayList<>();
    for (String name : names) {
      if (check.allowed(request, AclOperation.DESCRIBE, ResourceType.TOPIC, name)) {
        describable.add(name);
      } else if (!allTopics) {
        // Not even whether it exists: no id, no partitions.
        denied.add(
            new DescribeTopicPartitionsResponseTopic()
                .setName(name)
                .setTopicId(Uuid.ZERO_UUID)
                .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()));
      }
    }
    int limit = Math.max(1, Math.min(maxPartitionLimit, data.responsePartitionLimit()));
    DescribeTopicPartitionsResponseData out = page(describable, cursor, limit, !allTopics);
    for (DescribeTopicPartitionsResponseTopic t : out.topics()) {
      t.setTopicAuthorizedOperations(
          authorizedOperations.of(request, ResourceType.TOPIC, t.name()));
    }
    out.topics().addAll(denied);
    return CompletableFuture.completedFuture(new DescribeTopicPartitionsResponse(out));
  }

  /**
   * Up to {@code limit} partitions of {@code names} in order, the cursor's topic from its
   * partition. The next cursor names the first partition left out; when the limit is used up
   * exactly at a topic's end it names the following topic at partition 0.
   */
  private DescribeTopicPartitionsResponseData page(
      List<String> names,
      DescribeTopicPartitionsRequestData.Cursor cursor,
      int limit,
      boolean reportUnknown) {
    Set<Integer> live = cluster.liveBrokerIds();
    DescribeTopicPartitionsResponseData out = new DescribeTopicPartitionsResponseData();
    int remaining = limit;
    for (String name : names) {
      if (remaining == 0) {
        out.setNextCursor(new Cursor().setTopicName(name).setPartitionIndex(0));
        break;
      }
      Optional<TopicMetadata> topic = cluster.store().topic(name);
      if (topic.isEmpty()) {
        if (reportUnknown) {
          out.topics().add(unknown(name));
        }
        continue;
      }
      int first = cursor != null && cursor.topicName().equals(name) ? cursor.partitionIndex() : 0;
      int count = topic.get().partitionCount();
      int end = (int) Math.min(count, (long) first + remaining);
      List<DescribeTopicPartitionsResponsePartition> partitions = new ArrayList<>();
      for (int p = first; p < end; p++) {
        partitions.add(partition(topic.get(), p, live));
      }
      out.topics()
          .add(
              new DescribeTopicPartitionsResponseTopic()
                  .setName(name)
                  .setTopicId(topic.get().topicId())
                  .setIsInternal(Topic.isInternal(name))
                  .setErrorCode(Errors.NONE.code())
                  .setPartitions(partitions));
      if (end < count) {
        out.setNextCursor(new Cursor().setTopicName(name).setPartitionIndex(end));
        break;
      }
      remaining -= partitions.size();
    }
    return out;
  }

  private static DescribeTopicPartitionsResponseTopic unknown(String name) {
    Errors error =
        Topic.isValid(name) ? Errors.UNKNOWN_TOPIC_OR_PARTITION : Errors.INVALID_TOPIC_EXCEPTION;
    return new DescribeTopicPartitionsResponseTopic()
        .setName(name)
        .setTopicId(Uuid.ZERO_UUID)
        .setIsInternal(Topic.isInternal(name))
        .setErrorCode(error.code());
  }

  /**
   * One partition as Kafka's metadata cache describes it: a partition without a live leader keeps
   * error code 0 (unlike Metadata) with leader -1.
   */
  private DescribeTopicPartitionsResponsePartition partition(
      TopicMetadata topic, int index, Set<Integer> live) {
    List<Integer> replicas = topic.replicaAssignment().get(index);
    PartitionState state = cluster.partitionState(topic, index);
    return new DescribeTopicPartitionsResponsePartition()
        .setPartitionIndex(index)
        .setErrorCode(Errors.NONE.code())
        .setLeaderId(live.contains(state.leader()) ? state.leader() : -1)
        .setLeaderEpoch(state.leaderEpoch())
        .setReplicaNodes(replicas)
        .setIsrNodes(state.isr())
        .setEligibleLeaderReplicas(List.of())
        .setLastKnownElr(List.of())
        .setOfflineReplicas(ClusterView.offline(replicas, live));
  }

  private static CompletableFuture<AbstractResponse> invalid(
      DescribeTopicPartitionsRequest req, String message) {
    return CompletableFuture.completedFuture(
        req.getErrorResponse(0, new InvalidRequestException(message)));
  }
}
