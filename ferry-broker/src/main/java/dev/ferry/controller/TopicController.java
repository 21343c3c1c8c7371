package dev.ferry.controller;

import dev.ferry.metadata.MetadataListener;
import dev.ferry.metadata.TopicMetadata;
import dev.ferry.metadata.TopicStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Decides topic layout (partition count, replica placement) and records it in the metadata store.
 * Its methods block on the store: they run on the admin thread, reached from request handlers only
 * through {@link TopicAdmin}.
 *
 * <p>Today any broker may run these decisions; the cluster issue moves them behind the elected
 * controller without changing callers.
 */
public final class TopicController {

  private final TopicStore store;
  private final MetadataListener localBroker;
  private final HostingCheck hostingCheck;

  /** Whether this broker can host its replicas of new partitions (open-files limit). */
  @FunctionalInterface
  public interface HostingCheck {
    /**
     * @throws RuntimeException a Kafka error (e.g. {@code KafkaStorageException}) to answer with
     */
    void check(String topic, Map<Integer, List<Integer>> newReplicas);
  }

  /**
   * @param localBroker applied synchronously after each write, so this broker hosts a new topic
   *     before the admin request is answered (the ZooKeeper watch would get there a bit later)
   */
  public TopicController(TopicStore store, MetadataListener localBroker) {
    this(store, localBroker, (topic, replicas) -> {});
  }

  /**
   * @param hostingCheck run on the new replicas before a topic or partitions are created
   *     (validate-only requests included, so they predict the outcome)
   */
  public TopicController(
      TopicStore store, MetadataListener localBroker, HostingCheck hostingCheck) {
    this.store = store;
    this.localBroker = localBroker;
    this.hostingCheck = hostingCheck;
  }

  /**
   * Validates and (unless {@code validateOnly}) creates a topic.
   *
   * @param assignment explicit replica assignment, or empty to place replicas round-robin
   */
  public TopicMetadata createTopic(
      String name,
      int numPartitions,
      short replicationFactor,
      Map<Integer, List<Integer>> assignment,
      Map<String, String> configs,
      boolean validateOnly) {
    TopicConfigValidator.validate(configs);
    Map<Integer, List<Integer>> replicas =
        assignment.isEmpty()
            ? placeReplicas(0, numPartitions, replicationFactor, 0)
            : checkContiguous(checkAssignment(assignment));
    hostingCheck.check(name, replicas);
    if (validateOnly) {
      return new TopicMetadata(name, org.apache.kafka.common.Uuid.ZERO_UUID, replicas, configs);
    }
    return applied(store.createTopic(name, replicas, configs));
  }

  public void deleteTopic(String name) {
    TopicMetadata topic =
        store
            .topic(name)
            .orElseThrow(() -> new UnknownTopicOrPartitionException("No topic " + name));
    store.deleteTopic(name);
    localBroker.onTopicDeleted(topic);
  }

  private TopicMetadata applied(TopicMetadata topic) {
    localBroker.onTopicChanged(topic);
    return topic;
  }

  /** Grows {@code name} to {@code newCount} partitions. */
  public TopicMetadata createPartitions(
      String name, int newCount, List<List<Integer>> assignment, boolean validateOnly) {
    TopicMetadata topic =
        store
            .topic(name)
            .orElseThrow(() -> new UnknownTopicOrPartitionException("No topic " + name));
    int current = topic.partitionCount();
    if (newCount <= current) {
      throw new InvalidPartitionsException(
          "Topic " + name + " has " + current + " partitions; " + newCount + " is not more");
    }
    short rf = (short) topic.replicaAssignment().get(0).size();
    Map<Integer, List<Integer>> added;
    if (assignment != null && !assignment.isEmpty()) {
      if (assignment.size() != newCount - current) {
        throw new InvalidReplicaAssignmentException(
            "Assignment lists "
                + assignment.size()
                + " partitions, expected "
                + (newCount - current));
      }
      added = new LinkedHashMap<>();
      for (int i = 0; i < assignment.size(); i++) {
        added.put(current + i, assignment.get(i));
      }
      checkAssignment(added);
    } else {
      added = placeReplicas(current, newCount - current, rf, current);
    }
    hostingCheck.check(name, added);
    if (validateOnly) {
      return topic;
    }
    return applied(store.addPartitions(name, added));
  }

  /** Replaces {@code name}'s config overrides by {@code change} applied to the current ones. */
  public TopicMetadata alterConfigs(
      String name, UnaryOperator<Map<String, String>> change, boolean validateOnly) {
    TopicMetadata topic =
        store
            .topic(name)
            .orElseThrow(() -> new UnknownTopicOrPartitionException("No topic " + name));
    Map<String, String> configs = change.apply(new HashMap<>(topic.configs()));
    TopicConfigValidator.validate(configs);
    return validateOnly ? topic : applied(store.setTopicConfigs(name, configs));
  }

  public Optional<TopicMetadata> topic(String name) {
    return store.topic(name);
  }

  /**
   * Round-robin placement over the live brokers: partition p's replicas start at broker (p +
   * offset) and continue with the next ones, so leaders spread evenly. When brokers declare a
   * {@code broker.rack}, the list is ordered to alternate racks (one broker of each rack in turn),
   * so consecutive brokers, and hence the replicas of a partition, sit in different racks as long
   * as the replication factor does not exceed the number of racks.
   */
  private Map<Integer, List<Integer>> placeReplicas(
      int firstPartition, int count, short replicationFactor, int offset) {
    if (count < 1) {
      throw new InvalidPartitionsException("Number of partitions must be at least 1");
    }
    List<Integer> brokers = RackAwareOrder.of(store.liveBrokers());
    if (replicationFactor < 1) {
      throw new InvalidReplicationFactorException("Replication factor must be at least 1");
    }
    if (replicationFactor > brokers.size()) {
      throw new InvalidReplicationFactorException(
          "Replication factor "
              + replicationFactor
              + " is larger than the "
              + brokers.size()
              + " live broker(s)");
    }
    Map<Integer, List<Integer>> out = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      List<Integer> replicas = new ArrayList<>(replicationFactor);
      for (int r = 0; r < replicationFactor; r++) {
        replicas.add(brokers.get((i + offset + r) % brokers.size()));
      }
      out.put(firstPartition + i, List.copyOf(replicas));
    }
    return out;
  }

  private Map<Integer, List<Integer>> checkAssignment(Map<Integer, List<Integer>> assignment) {
    Map<Integer, List<Integer>> out = new HashMap<>();
    for (Map.Entry<Integer, List<Integer>> e : assignment.entrySet()) {
      List<Integer> replicas = e.getValue();
      if (replicas == null || replicas.isEmpty()) {
        throw new InvalidReplicaAssignmentException("Partition " + e.getKey() + " has no replicas");
      }
      if (replicas.stream().distinct().count() != replicas.size()) {
        throw new InvalidReplicaAssignmentException(
            "Partition " + e.getKey() + " lists a broker twice");
      }
      out.put(e.getKey(), List.copyOf(replicas));
    }
    return out;
  }

  private static Map<Integer, List<Integer>> checkContiguous(
      Map<Integer, List<Integer>> assignment) {
    for (int p = 0; p < assignment.size(); p++) {
      if (!assignment.containsKey(p)) {
        throw new InvalidRequestException("Assignment misses partition " + p);
      }
    }
    return assignment;
  }
}
