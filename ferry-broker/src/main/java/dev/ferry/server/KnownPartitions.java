package dev.ferry.server;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.protocol.Errors;

/**
 * Whether a partition exists in the cluster's metadata, for handlers that find a partition not
 * hosted here: Kafka answers NOT_LEADER_OR_FOLLOWER for a partition that exists elsewhere (the
 * client refreshes its metadata and retries) and UNKNOWN_TOPIC_OR_PARTITION for one that does not
 * exist at all (e.g. an index past the partition count).
 */
@FunctionalInterface
public interface KnownPartitions {

  boolean exists(TopicPartition tp);

  /** The error for a partition this broker does not host. */
  default Errors notHostedError(TopicPartition tp) {
    return exists(tp) ? Errors.NOT_LEADER_OR_FOLLOWER : Errors.UNKNOWN_TOPIC_OR_PARTITION;
  }
}
