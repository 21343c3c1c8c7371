package dev.ferry.coordinator.transaction;

/**
 * Settings of the transaction coordinator, named and defaulted as Kafka's broker configs.
 *
 * @param numPartitions {@code transaction.state.log.num.partitions} (50): partitions of {@code
 *     __transaction_state}; fixes the transactional id to partition mapping, so never change it
 * @param replicationFactor {@code transaction.state.log.replication.factor} (3), capped at the
 *     number of live brokers when the topic is created
 * @param minInsyncReplicas {@code transaction.state.log.min.isr} (2), capped at the replication
 *     factor
 * @param segmentBytes {@code transaction.state.log.segment.bytes} (100 MiB)
 * @param loadBufferSize {@code transaction.state.log.load.buffer.size} (5 MiB): bytes read per step
 *     when a partition is loaded
 * @param maxTimeoutMs {@code transaction.max.timeout.ms} (15 min): the longest transaction timeout
 *     a producer may ask for
 * @param idExpirationMs {@code transactional.id.expiration.ms} (7 days): an idle transactional id
 *     is removed after this long without a request
 * @param abortTimedOutIntervalMs {@code
 *     transaction.abort.timed.out.transaction.cleanup.interval.ms} (10 s)
 * @param removeExpiredIntervalMs {@code transaction.remove.expired.transaction.cleanup.interval.ms}
 *     (1 h)
 * @param writeTimeoutMs how long a write to {@code __transaction_state} may wait for replication
 *     ({@code offsets.commit.timeout.ms} in Kafka's coordinator runtime, 5 s)
 */
public record TransactionCoordinatorConfig(
    int numPartitions,
    short replicationFactor,
    int minInsyncReplicas,
    int segmentBytes,
    int loadBufferSize,
    int maxTimeoutMs,
    long idExpirationMs,
    long abortTimedOutIntervalMs,
    long removeExpiredIntervalMs,
    long writeTimeoutMs) {

  public static final String NUM_PARTITIONS = "transaction.state.log.num.partitions";
  public static final String REPLICATION_FACTOR = "transaction.state.log.replication.factor";
  public static final String MIN_ISR = "transaction.state.log.min.isr";
  public static final String SEGMENT_BYTES = "transaction.state.log.segment.bytes";
  public static final String LOAD_BUFFER_SIZE = "transaction.state.log.load.buffer.size";
  public static final String MAX_TIMEOUT_MS = "transaction.max.timeout.ms";
  public static final String ID_EXPIRATION_MS = "transactional.id.expiration.ms";
  public static final String ABORT_TIMED_OUT_INTERVAL_MS =
      "transaction.abort.timed.out.transaction.cleanup.interval.ms";
  public static final String REMOVE_EXPIRED_INTERVAL_MS =
      "transaction.remove.expired.transaction.cleanup.interval.ms";

  /** Kafka's defaults. */
  public static TransactionCoordinatorConfig defaults() {
    return new TransactionCoordinatorConfig(
        50,
        (short) 3,
        2,
        100 * 1024 * 1024,
        5 * 1024 * 1024,
        900_000,
        604_800_000L,
        10_000L,
        3_600_000L,
        5_000L);
  }

  public TransactionCoordinatorConfig {
    if (numPartitions <= 0) {
      throw new IllegalArgumentException(NUM_PARTITIONS + " must be positive");
    }
    if (maxTimeoutMs <= 0) {
      throw new IllegalArgumentException(MAX_TIMEOUT_MS + " must be positive");
    }
  }
}
