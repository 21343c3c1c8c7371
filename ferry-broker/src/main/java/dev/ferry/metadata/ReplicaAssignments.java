package dev.ferry.metadata;

import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicaAssignmentException;

/** Checks replica assignments and config overrides before they are written to ZooKeeper. */
public final class ReplicaAssignments {

  private ReplicaAssignments() {}

  /**
   * Checks the assignment of a new topic: partitions 0..n-1, n &gt; 0, each with the same number of
   * distinct, non-negative broker ids.
   *
   * @return an immutable sorted copy
   */
  public static SortedMap<Integer, List<Integer>> forNewTopic(
      String topic, Map<Integer, List<Integer>> assignment) {
    if (assignment == null || assignment.isEmpty()) {
      throw new InvalidPartitionsException(
          "Topic " + topic + ": the number of partitions must be larger than 0.");
    }
    return checked(topic, assignment, 0, -1);
  }

  /**
   * Checks partitions to add to a topic that has {@code existing}: they must continue its numbering
   * without gaps and keep its replication factor.
   *
   * @return an immutable sorted copy of {@code added}
   */
  public static SortedMap<Integer, List<Integer>> forAddition(
      String topic, Map<Integer, List<Integer>> existing, Map<Integer, List<Integer>> added) {
    if (added == null || added.isEmpty()) {
      throw new InvalidPartitionsException(
          "Topic " + topic + " already has " + existing.size() + " partitions; none to add.");
    }
    int replicationFactor = existing.isEmpty() ? -1 : existing.values().iterator().next().size();
    return checked(topic, added, existing.size(), replicationFactor);
  }

  /**
   * @return an immutable sorted copy
   * @throws InvalidConfigurationException for a null name or value
   */
  public static SortedMap<String, String> configs(String topic, Map<String, String> configs) {
    TreeMap<String, String> copy = new TreeMap<>();
    if (configs != null) {
      for (Map.Entry<String, String> entry : configs.entrySet()) {
        if (entry.getKey() == null || entry.getKey().isEmpty() || entry.getValue() == null) {
          throw new InvalidConfigurationException(
              "Topic " + topic + ": config " + entry.getKey() + " has no name or no value.");
        }
        copy.put(entry.getKey(), entry.getValue());
      }
    }
    return Collections.unmodifiableSortedMap(copy);
  }

  private static SortedMap<Integer, List<Integer>> checked(
      String topic, Map<Integer, List<Integer>> assignment, int firstPartition, int rf) {
    TreeMap<Integer, List<Integer>> sorted = new TreeMap<>();
    for (Map.Entry<Integer, List<Integer>> entry : assignment.entrySet()) {
      if (entry.getKey() == null) {
        throw new InvalidReplicaAssignmentException("Topic " + topic + ": null partition number.");
      }
      sorted.put(entry.getKey(), entry.getValue());
    }
    int expected = firstPartition;
    int replicationFactor = rf;
    for (Map.Entry<Integer, List<Integer>> entry : sorted.entrySet()) {
      int partition = entry.getKey();
      if (partition < expected) {
        throw new InvalidPartitionsException(
            "Topic " + topic + ": partition " + partition + " already exists.");
      }
      if (partition > expected) {
        throw new InvalidPartitionsException(
            "Topic "
                + topic
                + ": partitions must be numbered consecutively from "
                + firstPartition
                + ", but partition "
                + expected
                + " is missing.");
      }
      expected++;
      List<Integer> replicas = entry.getValue();
      String where = "Topic " + topic + " partition " + partition + ": ";
      if (replicas == null || replicas.isEmpty()) {
        throw new InvalidReplicaAssignmentException(where + "no replicas.");
      }
      Set<Integer> seen = new HashSet<>();
      for (Integer broker : replicas) {
        if (broker == null || broker < 0) {
          throw new InvalidReplicaAssignmentException(where + "invalid broker id " + broker + ".");
        }
        if (!seen.add(broker)) {
          throw new InvalidReplicaAssignmentException(where + "duplicate replica " + broker + ".");
        }
      }
      if (replicationFactor < 0) {
        replicationFactor = replicas.size();
      } else if (replicas.size() != replicationFactor) {
        throw new InvalidReplicaAssignmentException(
            where
                + replicas.size()
                + " replicas, but the topic's replication factor is "
                + replicationFactor
                + ".");
      }
      entry.setValue(List.copyOf(replicas));
    }
    return Collections.unmodifiableSortedMap(sorted);
  }
}
