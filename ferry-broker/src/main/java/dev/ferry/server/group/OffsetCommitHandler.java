package dev.ferry.server.group;

import dev.ferry.coordinator.group.GroupCoordinator;
import dev.ferry.coordinator.group.OffsetAndMetadata;
import dev.ferry.network.NetworkRequest;
import dev.ferry.server.ApiHandler;
import dev.ferry.server.KnownPartitions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponsePartition;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponseTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetCommitResponse;

/**
 * OffsetCommit v2-10 (v2 is the codec's oldest). v10 names topics by id only; ids are resolved to
 * names, under which offsets are stored. The response is sent once the commit is in the log.
 */
public final class OffsetCommitHandler extends ApiHandler<OffsetCommitRequest> {

  private final GroupCoordinator coordinator;
  private final TopicIdResolver topicIds;
  private final KnownPartitions knownPartitions;

  /** With {@code topicIds} null, v10 is not advertised. */
  public OffsetCommitHandler(GroupCoordinator coordinator, TopicIdResolver topicIds) {
    this(coordinator, topicIds, tp -> true);
  }

  /**
   * Offsets for partitions {@code knownPartitions} does not know are refused with
   * UNKNOWN_TOPIC_OR_PARTITION, as Kafka refuses them before the group coordinator sees the
   * request; with none left, the group is not even looked up (so no group is created).
   */
  public OffsetCommitHandler(
      GroupCoordinator coordinator, TopicIdResolver topicIds, KnownPartitions knownPartitions) {
    super(
        ApiKeys.OFFSET_COMMIT,
        OffsetCommitRequest.class,
        ApiKeys.OFFSET_COMMIT.oldestVersion(),
        topicIds == null ? 9 : 10);
    this.coordinator = coordinator;
    this.topicIds = topicIds;
    this.knownPartitions = knownPartitions;
  }

  @Override
  protected CompletableFuture<AbstractResponse> handle(
      NetworkRequest request, OffsetCommitRequest body) {
    OffsetCommitRequestData req = body.data();
    short version = request.header().apiVersion();
    boolean byId = version >= 10;

    // One entry per request topic, in request order, so the response mirrors the request.
    List<TopicResult> topics = new ArrayList<>(req.topics().size());
    Map<TopicPartition, OffsetAndMetadata> offsets = new LinkedHashMap<>();
    for (OffsetCommitRequestTopic t : req.topics()) {
      Optional<String> name = byId ? topicIds.topicName(t.topicId()) : Optional.of(t.name());
      TopicResult tr =
          new TopicResult(t.topicId(), name.orElse(""), t.partitions(), name.isPresent());
      topics.add(tr);
      if (name.isPresent()) {
        for (OffsetCommitRequestPartition p : t.partitions()) {
          TopicPartition tp = new TopicPartition(name.get(), p.partitionIndex());
          if (!knownPartitions.exists(tp)) {
            continue; // answered UNKNOWN_TOPIC_OR_PARTITION below
          }
          offsets.put(
              tp,
              new OffsetAndMetadata(
                  p.committedOffset(),
                  version >= 6 ? p.committedLeaderEpoch() : OffsetAndMetadata.NO_LEADER_EPOCH,
                  // Kafka stores a null metadata string as "" and returns it so.
                  p.committedMetadata() == null ? "" : p.committedMetadata(),
                  -1));
        }
      }
    }
    String instanceId = version >= 7 ? req.groupInstanceId() : null;
    CompletableFuture<Map<TopicPartition, Errors>> result =
        offsets.isEmpty()
            ? CompletableFuture.completedFuture(Map.of())
            : coordinator.commitOffsets(
                req.groupId(),
                req.memberId(),
                instanceId,
                req.generationIdOrMemberEpoch(),
                offsets);
    return result.thenApply(errors -> response(topics, forVersion(errors, version)));
  }

  /** Before v9 a member's commit to an unknown group is ILLEGAL_GENERATION, as in Kafka. */
  private static Map<TopicPartition, Errors> forVersion(
      Map<TopicPartition, Errors> errors, short version) {
    if (version >= 9 || !errors.containsValue(Errors.GROUP_ID_NOT_FOUND)) {
      return errors;
    }
    Map<TopicPartition, Errors> out = new LinkedHashMap<>(errors);
    out.replaceAll((tp, e) -> e == Errors.GROUP_ID_NOT_FOUND ? Errors.ILLEGAL_GENERATION : e);
    return out;
  }

  private record TopicResult(
      Uuid topicId, String name, List<OffsetCommitRequestPartition> partitions, boolean known) {}

  private static AbstractResponse response(
      List<TopicResult> topics, Map<TopicPartition, Errors> errors) {
    OffsetCommitResponseData data = new OffsetCommitResponseData();
    for (TopicResult t : topics) {
      OffsetCommitResponseTopic rt = new OffsetCommitResponseTopic().setName(t.name);
      if (t.topicId != null) {
        rt.setTopicId(t.topicId);
      }
      for (OffsetCommitRequestPartition p : t.partitions) {
        Errors e =
            t.known
                ? errors.getOrDefault(
                    new TopicPartition(t.name, p.partitionIndex()),
                    Errors.UNKNOWN_TOPIC_OR_PARTITION)
                : Errors.UNKNOWN_TOPIC_ID;
        rt.partitions()
            .add(
                new OffsetCommitResponsePartition()
                    .setPartitionIndex(p.partitionIndex())
                    .setErrorCode(e.code()));
      }
      data.topics().add(rt);
    }
    return new OffsetCommitResponse(data);
  }
}
