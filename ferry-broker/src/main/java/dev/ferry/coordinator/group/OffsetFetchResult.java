package dev.ferry.coordinator.group;

import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * Committed offsets of one group.
 *
 * @param error NONE, or why the group could not be read (NOT_COORDINATOR, loading, ...)
 * @param offsets committed offsets; partitions never committed are absent
 * @param unstable partitions an undecided transaction holds an offset for; only filled when the
 *     fetch required stable offsets (they get UNSTABLE_OFFSET_COMMIT, the client retries)
 */
public record OffsetFetchResult(
    Errors error, Map<TopicPartition, OffsetAndMetadata> offsets, Set<TopicPartition> unstable) {

  public OffsetFetchResult(Errors error, Map<TopicPartition, OffsetAndMetadata> offsets) {
    this(error, offsets, Set.of());
  }
}
