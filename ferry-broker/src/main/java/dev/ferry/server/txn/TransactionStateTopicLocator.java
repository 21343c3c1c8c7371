package dev.ferry.server.txn;

import dev.ferry.controller.TopicAdmin;
import dev.ferry.coordinator.transaction.TransactionCoordinator;
import dev.ferry.coordinator.transaction.TransactionCoordinatorConfig;
import dev.ferry.server.admin.AdminFutures;
import dev.ferry.server.cluster.ClusterView;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the transaction coordinator of a transactional id in cluster metadata (the leader of its
 * {@code __transaction_state} partition), creating the topic on first use as Kafka does. Until it
 * exists and has leaders, clients get COORDINATOR_NOT_AVAILABLE and retry.
 */
public final class TransactionStateTopicLocator {

  private static final Logger log = LoggerFactory.getLogger(TransactionStateTopicLocator.class);
  private static final String TOPIC = TransactionCoordinator.TRANSACTION_STATE_TOPIC;

  private final ClusterView cluster;
  private final TopicAdmin topics;
  private final TransactionCoordinator coordinator;
  private final AtomicBoolean creating = new AtomicBoolean();

  public TransactionStateTopicLocator(
      ClusterView cluster, TopicAdmin topics, TransactionCoordinator coordinator) {
    this.cluster = cluster;
    this.topics = topics;
    this.coordinator = coordinator;
  }

  /**
   * Kafka's topic configs for the transaction log: compacted (the latest state of each id is all
   * that matters), uncompressed, {@code transaction.state.log.segment.bytes} segments, min ISR from
   * {@code transaction.state.log.min.isr} (capped at the replication factor so a small cluster can
   * still write), and no unclean election (a lost decision would break atomicity).
   */
  public static Map<String, String> topicConfigs(TransactionCoordinatorConfig config, short rf) {
    return Map.of(
        "cleanup.policy", "compact",
        "compression.type", "uncompressed",
        "segment.bytes", String.valueOf(config.segmentBytes()),
        "min.insync.replicas", String.valueOf(Math.min(config.minInsyncReplicas(), rf)),
        "unclean.leader.election.enable", "false");
  }

  public Optional<Node> coordinatorFor(String transactionalId) {
    if (cluster.store().topic(TOPIC).isEmpty()) {
      createOnce();
      return Optional.empty();
    }
    return cluster.leaderOf(TOPIC, coordinator.partitionFor(transactionalId));
  }

  private void createOnce() {
    if (!creating.compareAndSet(false, true)) {
      return;
    }
    TransactionCoordinatorConfig config = coordinator.config();
    short rf =
        (short) Math.max(1, Math.min(config.replicationFactor(), cluster.liveBrokers().size()));
    topics
        .createTopic(TOPIC, config.numPartitions(), rf, Map.of(), topicConfigs(config, rf), false)
        .whenComplete(
            (created, error) -> {
              Throwable cause = error == null ? null : AdminFutures.cause(error);
              if (cause == null) {
                log.info(
                    "Created {} with {} partitions, replication factor {}",
                    TOPIC,
                    config.numPartitions(),
                    rf);
              } else if (!(cause instanceof TopicExistsException)) {
                // TopicExists: another broker or request won.
                log.warn("Could not create {}: {}", TOPIC, cause.toString());
              }
              creating.set(false);
            });
  }
}
