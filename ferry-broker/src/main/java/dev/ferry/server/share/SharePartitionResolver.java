package dev.ferry.server.share;

import dev.ferry.metadata.MetadataView;
import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.TopicMetadata;
import java.util.Optional;
import org.apache.kafka.common.TopicIdPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.protocol.Errors;

/**
 * Names the partitions of share requests (which carry topic ids) from metadata, and says what is
 * wrong with one that cannot be served: UNKNOWN_TOPIC_ID, UNKNOWN_TOPIC_OR_PARTITION.
 */
public final class SharePartitionResolver {

  private final MetadataView metadata;

  public SharePartitionResolver(MetadataView metadata) {
    this.metadata = metadata;
  }

  /** The partition with its topic's name (null when the id is unknown). */
  public TopicIdPartition partition(Uuid topicId, int partition) {
    String name = metadata.topic(topicId).map(TopicMetadata::name).orElse(null);
    return new TopicIdPartition(topicId, partition, name);
  }

  /** NONE for a partition that exists, else the error to answer it with. */
  public Errors check(TopicIdPartition tp) {
    if (tp.topic() == null) {
      return Errors.UNKNOWN_TOPIC_ID;
    }
    Optional<TopicMetadata> t = metadata.topic(tp.topicId());
    if (t.isEmpty()) {
      return Errors.UNKNOWN_TOPIC_ID;
    }
    if (tp.partition() < 0 || tp.partition() >= t.get().partitionCount()) {
      return Errors.UNKNOWN_TOPIC_OR_PARTITION;
    }
    return Errors.NONE;
  }

  /** The partition's leader and epoch as metadata knows them, or -1/-1. */
  public int[] leader(TopicIdPartition tp) {
    if (tp.topic() == null) {
      return new int[] {-1, -1};
    }
    Optional<PartitionState> s = metadata.partitionState(tp.topic(), tp.partition());
    return s.map(p -> new int[] {p.leader(), p.leaderEpoch()}).orElse(new int[] {-1, -1});
  }
}
