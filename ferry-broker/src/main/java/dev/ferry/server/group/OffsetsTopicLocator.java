package dev.ferry.server.group;

import dev.ferry.controller.TopicAdmin;
import dev.ferry.coordinator.group.GroupCoordinator;
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
 * Finds group coordinators in cluster metadata, creating {@code __consumer_offsets} on first use as
 * Kafka does. Creation runs on the admin executor; until it is done clients get
 * COORDINATOR_NOT_AVAILABLE and retry.
 */
public final class OffsetsTopicLocator implements CoordinatorLocator {

  private static final Logger log = LoggerFactory.getLogger(OffsetsTopicLocator.class);

  /**
   * Topic configs of the offsets topic: compacted (never deleted by time: the log cleaner keeps the
   * latest commit per group and partition), segments of {@code offsets.topic.segment.bytes}, and
   * room for the metadata record of a big group.
   */
  public static Map<String, String> topicConfigs(int segmentBytes) {
    return Map.of(
        "cleanup.policy", "compact",
        "segment.bytes", String.valueOf(segmentBytes),
        "max.message.bytes", String.valueOf(10 * 1024 * 1024));
  }

  private final ClusterView cluster;
  private final TopicAdmin topics;
  private final int numPartitions;
  private final short replicationFactor;
  private final int segmentBytes;
  private final AtomicBoolean creating = new AtomicBoolean();

  public OffsetsTopicLocator(
      ClusterView cluster,
      TopicAdmin topics,
      int numPartitions,
      short replicationFactor,
      int segmentBytes) {
    this.cluster = cluster;
    this.topics = topics;
    this.numPartitions = numPartitions;
    this.replicationFactor = replicationFactor;
    this.segmentBytes = segmentBytes;
  }

  @Override
  public Optional<Node> coordinatorFor(int offsetsPartition) {
    if (cluster.store().topic(GroupCoordinator.OFFSETS_TOPIC).isEmpty()) {
      createOnce();
      return Optional.empty();
    }
    return cluster.leaderOf(GroupCoordinator.OFFSETS_TOPIC, offsetsPartition);
  }

  private void createOnce() {
    if (!creating.compareAndSet(false, true)) {
      return;
    }
    // A small cluster gets as many replicas as it has brokers rather than no groups.
    short rf = (short) Math.max(1, Math.min(replicationFactor, cluster.liveBrokers().size()));
    topics
        .createTopic(
            GroupCoordinator.OFFSETS_TOPIC,
            numPartitions,
            rf,
            Map.of(),
            topicConfigs(segmentBytes),
            false)
        .whenComplete(
            (created, error) -> {
              Throwable cause = error == null ? null : AdminFutures.cause(error);
              if (cause == null) {
                log.info(
                    "Created {} with {} partitions, replication factor {}",
                    GroupCoordinator.OFFSETS_TOPIC,
                    numPartitions,
                    rf);
              } else if (!(cause instanceof TopicExistsException)) {
                // TopicExists: another broker or request won.
                log.warn(
                    "Could not create {}: {}", GroupCoordinator.OFFSETS_TOPIC, cause.toString());
              }
              creating.set(false);
            });
  }
}
