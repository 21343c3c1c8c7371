package dev.ferry.server.group;

import dev.ferry.coordinator.group.GroupCoordinator;
import dev.ferry.coordinator.group.OffsetAndMetadata;
import dev.ferry.coordinator.group.OffsetFetchResult;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopic;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartition;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopic;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopics;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.kafka.common.requests.OffsetFetchResponse;

/**
 * OffsetFetch v1-10: one group with a top-level error (v2-7, v1 has only partition errors), many
 * groups (v8+), topic ids instead of names (v10). A null topic list asks for every committed
 * partition. With {@code require_stable} (v7+, read_committed consumers) a partition an undecided
 * transaction holds an offset for gets UNSTABLE_OFFSET_COMMIT and no offset, as Kafka answers; the
 * client retries until the transaction is decided.
 */
public final class OffsetFetchHandler extends ApiHandler<OffsetFetchRequest> {

  private final GroupCoordinator coordinator;
  private final TopicIdResolver topicIds;

  /** With {@code topicIds} null, v10 is not advertised. */
  public OffsetFetchHandler(GroupCoordinator coordinator, TopicIdResolver topicIds) {
    super(
        ApiKeys.OFFSET_FETCH,
        OffsetFetchRequest.class,
        ApiKeys.OFFSET_FETCH.oldestVersion(),
        topicIds == null ? 9 : 10);
    this.coordinator = coordinator;
    this.topicIds = topicIds;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, OffsetFetchRequest body) {
    OffsetFetchRequestData req = body.data();
    short version = request.header().apiVersion();
    OffsetFetchResponseData resp =
        version < OffsetFetchRequest.BATCH_MIN_VERSION
            ? singleGroup(req, version)
            : multiGroup(req, version);
    return CompletableFuture.completedFuture(new OffsetFetchResponse(resp, version));
  }

  private OffsetFetchResponseData singleGroup(OffsetFetchRequestData req, short version) {
    List<TopicPartition> wanted = null;
    if (req.topics() != null) {
      wanted = new ArrayList<>();
      for (OffsetFetchRequestTopic t : req.topics()) {
        for (int p : t.partitionIndexes()) {
          wanted.add(new TopicPartition(t.name(), p));
        }
      }
    }
    OffsetFetchResult result =
        coordinator.fetchOffsets(req.groupId(), wanted, version >= 7 && req.requireStable());
    OffsetFetchResponseData data = new OffsetFetchResponseData();
    boolean topLevelError = version >= 2;
    if (result.error() != Errors.NONE && topLevelError) {
      return data.setErrorCode(result.error().code());
    }
    Map<String, OffsetFetchResponseTopic> byTopic = new LinkedHashMap<>();
    List<TopicPartition> partitions = wanted;
    if (partitions == null) {
      partitions = new ArrayList<>(result.offsets().keySet());
      partitions.addAll(result.unstable());
    }
    for (TopicPartition tp : partitions) {
      OffsetAndMetadata o = result.offsets().get(tp);
      Errors error =
          result.unstable().contains(tp) ? Errors.UNSTABLE_OFFSET_COMMIT : result.error();
      OffsetFetchResponsePartition p =
          new OffsetFetchResponsePartition()
              .setPartitionIndex(tp.partition())
              .setCommittedOffset(o == null ? OffsetFetchResponse.INVALID_OFFSET : o.offset())
              .setCommittedLeaderEpoch(o == null ? -1 : o.leaderEpoch())
              .setMetadata(o == null ? OffsetFetchResponse.NO_METADATA : o.metadata())
              .setErrorCode(error.code());
      byTopic
          .computeIfAbsent(tp.topic(), n -> new OffsetFetchResponseTopic().setName(n))
          .partitions()
          .add(p);
    }
    return data.setTopics(new ArrayList<>(byTopic.values()));
  }

  private OffsetFetchResponseData multiGroup(OffsetFetchRequestData req, short version) {
    boolean byId = version >= 10;
    OffsetFetchResponseData data = new OffsetFetchResponseData();
    for (OffsetFetchRequestGroup group : req.groups()) {
      data.groups().add(fetchGroup(group, byId, req.requireStable()));
    }
    return data;
  }

  private OffsetFetchResponseGroup fetchGroup(
      OffsetFetchRequestGroup group, boolean byId, boolean requireStable) {
    OffsetFetchResponseGroup out = new OffsetFetchResponseGroup().setGroupId(group.groupId());
    // Requested topics with their resolved names (null: unknown topic id).
    List<OffsetFetchRequestTopics> requested = group.topics();
    List<TopicPartition> wanted = null;
    List<String> names = new ArrayList<>();
    if (requested != null) {
      wanted = new ArrayList<>();
      for (OffsetFetchRequestTopics t : requested) {
        String name = byId ? topicIds.topicName(t.topicId()).orElse(null) : t.name();
        names.add(name);
        if (name != null) {
          for (int p : t.partitionIndexes()) {
            wanted.add(new TopicPartition(name, p));
          }
        }
      }
    }
    // v9+ names the fetching member; consumer-protocol groups check its epoch.
    OffsetFetchResult result =
        coordinator.fetchOffsets(
            group.groupId(), group.memberId(), group.memberEpoch(), wanted, requireStable);
    if (result.error() != Errors.NONE) {
      return out.setErrorCode(result.error().code());
    }
    if (requested != null) {
      for (int i = 0; i < requested.size(); i++) {
        OffsetFetchRequestTopics t = requested.get(i);
        String name = names.get(i);
        OffsetFetchResponseTopics rt =
            new OffsetFetchResponseTopics().setName(name == null ? "" : name);
        if (byId) {
          rt.setTopicId(t.topicId());
        }
        for (int p : t.partitionIndexes()) {
          TopicPartition tp = name == null ? null : new TopicPartition(name, p);
          if (tp == null) {
            rt.partitions().add(partition(p, null).setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()));
          } else if (result.unstable().contains(tp)) {
            rt.partitions()
                .add(partition(p, null).setErrorCode(Errors.UNSTABLE_OFFSET_COMMIT.code()));
          } else {
            rt.partitions().add(partition(p, result.offsets().get(tp)));
          }
        }
        out.topics().add(rt);
      }
      return out;
    }
    Map<String, OffsetFetchResponseTopics> byTopic = new LinkedHashMap<>();
    List<TopicPartition> all = new ArrayList<>(result.offsets().keySet());
    all.addAll(result.unstable());
    for (TopicPartition tp : all) {
      String name = tp.topic();
      OffsetFetchResponseTopics rt = byTopic.get(name);
      if (rt == null) {
        rt = new OffsetFetchResponseTopics().setName(name);
        if (byId) {
          Optional<Uuid> id = topicIds.topicId(name);
          if (id.isEmpty()) {
            continue; // the topic was deleted: its offsets cannot be named by id
          }
          rt.setTopicId(id.get());
        }
        byTopic.put(name, rt);
      }
      rt.partitions()
          .add(
              result.unstable().contains(tp)
                  ? partition(tp.partition(), null)
                      .setErrorCode(Errors.UNSTABLE_OFFSET_COMMIT.code())
                  : partition(tp.partition(), result.offsets().get(tp)));
    }
    out.setTopics(new ArrayList<>(byTopic.values()));
    return out;
  }

  private static OffsetFetchResponsePartitions partition(int index, OffsetAndMetadata o) {
    return new OffsetFetchResponsePartitions()
        .setPartitionIndex(index)
        .setCommittedOffset(o == null ? OffsetFetchResponse.INVALID_OFFSET : o.offset())
        .setCommittedLeaderEpoch(o == null ? -1 : o.leaderEpoch())
        .setMetadata(o == null ? OffsetFetchResponse.NO_METADATA : o.metadata())
        .setErrorCode(Errors.NONE.code());
  }
}
