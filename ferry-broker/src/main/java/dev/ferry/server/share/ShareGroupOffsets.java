package dev.ferry.server.share;

import dev.ferry.coordinator.share.ShareGroupCoordinator;
import dev.ferry.coordinator.share.ShareLog;
import dev.ferry.coordinator.share.SharePartition;
import dev.ferry.coordinator.share.SharePartitionKey;
import dev.ferry.coordinator.share.SharePartitionManager;
import dev.ferry.coordinator.share.ShareStateSnapshot;
import dev.ferry.metadata.MetadataView;
import dev.ferry.metadata.TopicMetadata;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.message.AlterShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.AlterShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DeleteShareGroupOffsetsResponseData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsRequestData;
import org.apache.kafka.common.message.DescribeShareGroupOffsetsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The share-group offset admin APIs (KIP-932) as Kafka 4.4 answers them. A share-partition's
 * "offset" is its start offset; its lag is, as Kafka computes it, the partition's high watermark
 * minus the start offset minus the in-flight records already acknowledged or archived. A partition
 * without state answers start offset -1, leader epoch 0 and lag -1. Alter and delete replace the
 * state only while the group has no members (NON_EMPTY_GROUP otherwise); the next ShareFetch then
 * starts at the altered offset, or afresh at {@code share.auto.offset.reset} after a delete.
 *
 * <p>The state read and replaced is the one this broker keeps, which is every share-partition's
 * state on a single broker; in a cluster it covers the partitions this broker leads (see
 * docs/architecture.md).
 */
public final class ShareGroupOffsets {

  private static final Logger log = LoggerFactory.getLogger(ShareGroupOffsets.class);

  /** Kafka's values for a share-partition without state. */
  static final long UNINITIALIZED_START_OFFSET = -1;

  static final int DEFAULT_LEADER_EPOCH = 0;
  static final long UNINITIALIZED_LAG = -1;

  private final ShareGroupCoordinator coordinator;
  private final SharePartitionManager partitions;
  private final SharePartitionManager.LogLookup logs;
  private final MetadataView metadata;

  public ShareGroupOffsets(
      ShareGroupCoordinator coordinator,
      SharePartitionManager partitions,
      SharePartitionManager.LogLookup logs,
      MetadataView metadata) {
    this.coordinator = coordinator;
    this.partitions = partitions;
    this.logs = logs;
    this.metadata = metadata;
  }

  // ------------------------------------------------------------------- describe

  /** One group of DescribeShareGroupOffsets; {@code withLag} from version 1. */
  public DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseGroup describe(
      DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestGroup req,
      boolean withLag) {
    DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseGroup out =
        new DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseGroup()
            .setGroupId(req.groupId());
    Errors owner = coordinator.ownership(req.groupId());
    if (owner != Errors.NONE) {
      return out.setErrorCode(owner.code()).setErrorMessage(owner.message());
    }
    try {
      List<DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseTopic> known =
          new ArrayList<>();
      List<DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseTopic> unknown =
          new ArrayList<>();
      if (req.topics() == null) {
        for (Map.Entry<TopicMetadata, TreeSet<Integer>> e : storedPartitions(req.groupId())) {
          known.add(describeTopic(req.groupId(), e.getKey(), e.getValue(), withLag));
        }
      } else {
        for (DescribeShareGroupOffsetsRequestData.DescribeShareGroupOffsetsRequestTopic t :
            req.topics()) {
          Optional<TopicMetadata> topic = metadata.topic(t.topicName());
          if (topic.isPresent()) {
            known.add(describeTopic(req.groupId(), topic.get(), t.partitions(), withLag));
          } else {
            // Kafka: an unknown topic is absence of data, not an error.
            List<DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponsePartition>
                ps = new ArrayList<>();
            for (int p : t.partitions()) {
              ps.add(
                  new DescribeShareGroupOffsetsResponseData
                          .DescribeShareGroupOffsetsResponsePartition()
                      .setPartitionIndex(p)
                      .setStartOffset(UNINITIALIZED_START_OFFSET));
            }
            unknown.add(
                new DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseTopic()
                    .setTopicName(t.topicName())
                    .setTopicId(Uuid.ZERO_UUID)
                    .setPartitions(ps));
          }
        }
      }
      known.addAll(unknown);
      return out.setTopics(known);
    } catch (IOException e) {
      log.error("Cannot read the share-group state of {}", req.groupId(), e);
      return out.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code())
          .setErrorMessage(Errors.KAFKA_STORAGE_ERROR.message());
    }
  }

  /** The topics (known to metadata) and partitions with state of {@code groupId}. */
  private List<Map.Entry<TopicMetadata, TreeSet<Integer>>> storedPartitions(String groupId)
      throws IOException {
    Map<Uuid, TreeSet<Integer>> byTopic = new TreeMap<>();
    for (SharePartitionKey k : partitions.storedKeys(groupId)) {
      byTopic
          .computeIfAbsent(k.partition().topicId(), id -> new TreeSet<>())
          .add(k.partition().partition());
    }
    for (SharePartition p : partitions.loadedOf(groupId)) {
      byTopic
          .computeIfAbsent(p.key().partition().topicId(), id -> new TreeSet<>())
          .add(p.key().partition().partition());
    }
    List<Map.Entry<TopicMetadata, TreeSet<Integer>>> out = new ArrayList<>();
    byTopic.forEach((id, ps) -> metadata.topic(id).ifPresent(t -> out.add(Map.entry(t, ps))));
    return out;
  }

  private DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseTopic
      describeTopic(String groupId, TopicMetadata topic, Iterable<Integer> ps, boolean withLag)
          throws IOException {
    List<DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponsePartition> out =
        new ArrayList<>();
    for (int p : ps) {
      out.add(describePartition(groupId, topic, p, withLag));
    }
    return new DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponseTopic()
        .setTopicName(topic.name())
        .setTopicId(topic.topicId())
        .setPartitions(out);
  }

  private DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponsePartition
      describePartition(String groupId, TopicMetadata topic, int p, boolean withLag)
          throws IOException {
    DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponsePartition out =
        new DescribeShareGroupOffsetsResponseData.DescribeShareGroupOffsetsResponsePartition()
            .setPartitionIndex(p);
    TopicIdPartition tp = new TopicIdPartition(topic.topicId(), p, topic.name());
    long start;
    long complete;
    Optional<SharePartition> loaded = partitions.loaded(groupId, tp);
    if (loaded.isPresent()) {
      // one consistent view: the start offset and the completed records of the same moment
      synchronized (loaded.get()) {
        start = loaded.get().startOffset();
        complete = loaded.get().deliveryCompleteCount();
      }
    } else {
      Optional<ShareStateSnapshot> stored = partitions.stored(new SharePartitionKey(groupId, tp));
      if (stored.isEmpty()) {
        out.setStartOffset(UNINITIALIZED_START_OFFSET).setLeaderEpoch(DEFAULT_LEADER_EPOCH);
        return withLag ? out.setLag(UNINITIALIZED_LAG) : out;
      }
      start = stored.get().startOffset();
      complete = stored.get().deliveryCompleteCount();
    }
    ShareLog shareLog;
    try {
      shareLog = logs.logFor(tp);
    } catch (ApiException e) {
      Errors error = Errors.forException(e);
      return out.setErrorCode(error.code()).setErrorMessage(e.getMessage());
    }
    out.setStartOffset(start).setLeaderEpoch(shareLog.leaderEpoch());
    if (withLag) {
      out.setLag(shareLog.highWatermark() - start - complete);
    }
    return out;
  }

  // ------------------------------------------------------------------- alter

  /** AlterShareGroupOffsets: new start offsets for an empty (or new) group. */
  public AlterShareGroupOffsetsResponseData alter(AlterShareGroupOffsetsRequestData req) {
    String groupId = req.groupId();
    if (groupId == null || groupId.isEmpty()) {
      return alterError(Errors.INVALID_GROUP_ID, Errors.INVALID_GROUP_ID.message());
    }
    Errors owner = coordinator.ownership(groupId);
    if (owner != Errors.NONE) {
      return alterError(owner, owner.message());
    }
    Errors empty = coordinator.emptyOrCreate(groupId, setsAny(req));
    if (empty != Errors.NONE) {
      return alterError(empty, empty.message());
    }
    AlterShareGroupOffsetsResponseData out = new AlterShareGroupOffsetsResponseData();
    for (AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestTopic t : req.topics()) {
      Optional<TopicMetadata> topic = metadata.topic(t.topicName());
      AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponseTopic rt =
          new AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponseTopic()
              .setTopicName(t.topicName());
      topic.ifPresent(m -> rt.setTopicId(m.topicId()));
      for (AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestPartition p :
          t.partitions()) {
        AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponsePartition rp =
            new AlterShareGroupOffsetsResponseData.AlterShareGroupOffsetsResponsePartition()
                .setPartitionIndex(p.partitionIndex());
        if (topic.isEmpty()
            || p.partitionIndex() < 0
            || p.partitionIndex() >= topic.get().partitionCount()) {
          rp.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
              .setErrorMessage(Errors.UNKNOWN_TOPIC_OR_PARTITION.message());
        } else {
          TopicMetadata m = topic.get();
          SharePartitionKey key =
              new SharePartitionKey(
                  groupId, new TopicIdPartition(m.topicId(), p.partitionIndex(), m.name()));
          // A negative offset leaves the start to share.auto.offset.reset, as for a new group.
          ShareStateSnapshot state =
              p.startOffset() < 0 ? null : new ShareStateSnapshot(p.startOffset(), List.of());
          try {
            partitions.replaceState(key, state);
          } catch (IOException e) {
            log.error("Cannot alter the share-group state of {}", key, e);
            rp.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code())
                .setErrorMessage(Errors.KAFKA_STORAGE_ERROR.message());
          }
        }
        rt.partitions().add(rp);
      }
      out.responses().add(rt);
    }
    return out;
  }

  /** Whether the request names at least one existing partition. */
  private boolean setsAny(AlterShareGroupOffsetsRequestData req) {
    for (AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestTopic t : req.topics()) {
      Optional<TopicMetadata> topic = metadata.topic(t.topicName());
      if (topic.isPresent()) {
        for (AlterShareGroupOffsetsRequestData.AlterShareGroupOffsetsRequestPartition p :
            t.partitions()) {
          if (p.partitionIndex() >= 0 && p.partitionIndex() < topic.get().partitionCount()) {
            return true;
          }
        }
      }
    }
    return false;
  }

  private static AlterShareGroupOffsetsResponseData alterError(Errors error, String message) {
    return new AlterShareGroupOffsetsResponseData()
        .setErrorCode(error.code())
        .setErrorMessage(message);
  }

  // ------------------------------------------------------------------- delete

  /** DeleteShareGroupOffsets: forgets the state of whole topics of an empty group. */
  public DeleteShareGroupOffsetsResponseData delete(DeleteShareGroupOffsetsRequestData req) {
    String groupId = req.groupId();
    if (groupId == null || groupId.isEmpty()) {
      return deleteError(Errors.INVALID_GROUP_ID, Errors.INVALID_GROUP_ID.message());
    }
    Errors owner = coordinator.ownership(groupId);
    if (owner != Errors.NONE) {
      return deleteError(owner, owner.message());
    }
    Errors empty = coordinator.emptyExisting(groupId);
    if (empty == Errors.GROUP_ID_NOT_FOUND) {
      return deleteError(empty, "Group " + groupId + " not found.");
    }
    if (empty != Errors.NONE) {
      return deleteError(empty, empty.message());
    }
    DeleteShareGroupOffsetsResponseData out = new DeleteShareGroupOffsetsResponseData();
    try {
      Map<Uuid, TreeSet<Integer>> stored = new TreeMap<>();
      for (Map.Entry<TopicMetadata, TreeSet<Integer>> e : storedPartitions(groupId)) {
        stored.put(e.getKey().topicId(), e.getValue());
      }
      List<DeleteShareGroupOffsetsResponseData.DeleteShareGroupOffsetsResponseTopic> failed =
          new ArrayList<>();
      for (DeleteShareGroupOffsetsRequestData.DeleteShareGroupOffsetsRequestTopic t :
          req.topics()) {
        Optional<TopicMetadata> topic = metadata.topic(t.topicName());
        DeleteShareGroupOffsetsResponseData.DeleteShareGroupOffsetsResponseTopic rt =
            new DeleteShareGroupOffsetsResponseData.DeleteShareGroupOffsetsResponseTopic()
                .setTopicName(t.topicName());
        if (topic.isEmpty()) {
          failed.add(
              rt.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                  .setErrorMessage(Errors.UNKNOWN_TOPIC_OR_PARTITION.message()));
          continue;
        }
        TopicMetadata m = topic.get();
        TreeSet<Integer> ps = stored.get(m.topicId());
        if (ps == null) {
          failed.add(
              rt.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                  .setErrorMessage("There is no offset information to delete."));
          continue;
        }
        for (int p : ps) {
          partitions.replaceState(
              new SharePartitionKey(groupId, new TopicIdPartition(m.topicId(), p, m.name())), null);
        }
        out.responses().add(rt.setTopicId(m.topicId()));
      }
      out.responses().addAll(failed); // Kafka lists the deleted topics first
      return out;
    } catch (IOException e) {
      log.error("Cannot delete the share-group state of {}", groupId, e);
      return deleteError(Errors.KAFKA_STORAGE_ERROR, Errors.KAFKA_STORAGE_ERROR.message());
    }
  }

  private static DeleteShareGroupOffsetsResponseData deleteError(Errors error, String message) {
    return new DeleteShareGroupOffsetsResponseData()
        .setErrorCode(error.code())
        .setErrorMessage(message);
  }
}
