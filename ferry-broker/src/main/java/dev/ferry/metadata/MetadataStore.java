package dev.ferry.metadata;

import java.io.Closeable;

/**
 * A broker's whole connection to cluster metadata: the reads of {@link MetadataView} and every
 * write interface, plus this broker's own registration. Only the broker's wiring ({@code
 * FerryBroker}) holds this type; each component receives the narrowest interface it needs. Two
 * implementations: ZooKeeper ({@link dev.ferry.metadata.zk.ZkMetadataStore}) and in-memory for
 * brokers sharing one JVM ({@link dev.ferry.metadata.memory.InMemoryMetadataStore}).
 */
public interface MetadataStore
    extends TopicStore,
        ProducerIdStore,
        ControllerStore,
        GroupConfigStore,
        EntityConfigStore,
        Closeable {

  /**
   * Registers this broker as live for as long as this store is open, waiting up to {@code
   * staleSessionWaitMs} if the id is still held by an earlier session of the same broker.
   *
   * @throws org.apache.kafka.common.errors.DuplicateBrokerRegistrationException if it stays taken
   */
  void registerBroker(BrokerInfo broker, long staleSessionWaitMs);

  /**
   * How long an earlier session of a restarted broker may still hold its registration (the
   * ZooKeeper session timeout; 0 where sessions end at once).
   */
  int sessionTimeoutMs();

  /**
   * Asks the controller to move leadership away from {@code brokerId} (controlled shutdown). The
   * request lasts as long as this store's session. Does not wait for the store: the request goes
   * out in the background (a failure is logged), so that a stop can keep its own bound when the
   * store is slow or unreachable; the caller watches its effect in the partition states.
   */
  void requestControlledShutdown(int brokerId);

  /**
   * Tells the controller that {@code brokerId} no longer hosts its replicas of {@code partitions}
   * (their log dir failed): it elects other leaders for them and takes the broker out of their
   * ISRs. The report replaces the previous one and lasts as long as this store's session (a
   * restarted broker hosts what its log dirs hold). Does not wait for the store: it goes out in the
   * background, a failure is logged.
   */
  void reportOfflineReplicas(
      int brokerId, java.util.Set<org.apache.kafka.common.TopicPartition> partitions);

  /** Ends the session, which removes this broker's registration at once. Idempotent. */
  @Override
  void close();
}
