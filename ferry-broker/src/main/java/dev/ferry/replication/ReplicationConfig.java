package dev.ferry.replication;

/**
 * Replication settings (Kafka names in the comments).
 *
 * @param brokerId this broker ({@code broker.id})
 * @param replicaLagTimeMaxMs a follower not caught up for this long leaves the ISR ({@code
 *     replica.lag.time.max.ms})
 * @param fetchMaxWaitMs how long the leader may hold a follower's fetch ({@code
 *     replica.fetch.wait.max.ms})
 * @param fetchMaxBytes bytes per follower fetch response ({@code replica.fetch.response.max.bytes})
 * @param fetchPartitionMaxBytes bytes per partition in it ({@code replica.fetch.max.bytes})
 * @param socketTimeoutMs network timeout of the follower's connection ({@code
 *     replica.socket.timeout.ms})
 * @param fetchBackoffMs pause after a failed fetch ({@code replica.fetch.backoff.ms})
 */
public record ReplicationConfig(
    int brokerId,
    long replicaLagTimeMaxMs,
    int fetchMaxWaitMs,
    int fetchMaxBytes,
    int fetchPartitionMaxBytes,
    int socketTimeoutMs,
    long fetchBackoffMs) {

  /** Kafka's defaults. */
  public static ReplicationConfig defaults(int brokerId) {
    return new ReplicationConfig(
        brokerId, 30_000, 500, 10 * 1024 * 1024, 1024 * 1024, 30_000, 1_000);
  }
}
