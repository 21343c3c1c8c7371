package dev.ferry.replication;

import org.apache.kafka.common.TopicPartition;

/**
 * One side of replication throttling (Kafka's leader and follower replication quotas): which
 * partitions are throttled on this broker, whether their quota is used up, and the bytes they move.
 * Only replicas out of the ISR are ever held back (a reassignment's new replicas catching up), so
 * in-sync replication and acks=all producers are never slowed by it.
 */
public interface ReplicationThrottle {

  /** No throttling at all. */
  ReplicationThrottle NONE =
      new ReplicationThrottle() {
        @Override
        public boolean isThrottled(TopicPartition tp) {
          return false;
        }

        @Override
        public boolean isQuotaExceeded() {
          return false;
        }

        @Override
        public void record(long bytes) {}
      };

  /** True if this broker throttles its side of {@code tp}'s replication. */
  boolean isThrottled(TopicPartition tp);

  /** True if the throttled partitions used up their rate for now. */
  boolean isQuotaExceeded();

  /** Counts bytes moved for a throttled partition. */
  void record(long bytes);

  /** True if data of {@code tp} for a replica that is {@code inSync} or not must wait now. */
  default boolean shouldThrottle(TopicPartition tp, boolean inSync) {
    return !inSync && isThrottled(tp) && isQuotaExceeded();
  }
}
