package dev.ferry.coordinator.group;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * Committed offsets of one group.
 *
 * @param error NONE, or why the group could not be read (NOT_COORDINATOR, loading, ...)
 * @param offsets committed offsets; partitions never committed are absent
 */
public record OffsetFetchResult(Errors error, Map<TopicPartition, OffsetAndMetadata> offsets) {}
