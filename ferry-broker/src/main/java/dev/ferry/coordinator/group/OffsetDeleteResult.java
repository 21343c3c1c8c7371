package dev.ferry.coordinator.group;

import java.util.Map;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * Outcome of OffsetDelete.
 *
 * @param error group-level error (GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP, NOT_COORDINATOR, ...)
 * @param partitions per-partition result when {@code error} is NONE (GROUP_SUBSCRIBED_TO_TOPIC for
 *     offsets still in use)
 */
public record OffsetDeleteResult(Errors error, Map<TopicPartition, Errors> partitions) {}
