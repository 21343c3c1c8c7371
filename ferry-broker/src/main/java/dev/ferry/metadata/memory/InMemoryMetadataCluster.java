package dev.ferry.metadata.memory;

import dev.ferry.metadata.BrokerInfo;
import dev.ferry.metadata.ControllerEpoch;
import dev.ferry.metadata.MetadataCache;
import dev.ferry.metadata.PartitionReplicas;
import dev.ferry.metadata.PartitionState;
import dev.ferry.metadata.ProducerIdBlock;
import dev.ferry.metadata.ReassignmentStore;
import dev.ferry.metadata.ReplicaAssignments;
import dev.ferry.metadata.TopicAssignment;
import dev.ferry.metadata.TopicMetadata;
import dev.ferry.metadata.TopicNames;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.ControllerMovedException;
import org.apache.kafka.common.errors.DuplicateBrokerRegistrationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/**
 * Cluster metadata held in memory, for brokers that share one JVM (embedded brokers in tests, unit
 * tests of the controller). It plays the part ZooKeeper plays for {@link
 * dev.ferry.metadata.zk.ZkMetadataStore}: each broker {@link #connect() connects} a session ({@link
 * InMemoryMetadataStore}); registrations, controlled-shutdown requests and controller candidacy
 * live as long as the session, like ephemeral znodes.
 *
 * <p>Every write takes this object's lock, bumps a version (the counterpart of a zxid) and applies
 * the change to every open session's {@link MetadataCache} before returning, so the writer's reads
 * see it at once and every session's listeners hear of it on its own events thread. Nothing is
 * durable: a cluster lives as long as the JVM holds it.
 */
public final class InMemoryMetadataCluster {

  private final String clusterId = Uuid.randomUuid().toString();

  // Guarded by "this".
  private long version;
  private final Map<String, TopicAssignment> topics = new HashMap<>();
  private final Map<String, SortedMap<String, String>> configs = new HashMap<>();
  private final Map<String, Map<String, String>> groupConfigs = new HashMap<>();
  private final Map<TopicPartition, PartitionState> states = new HashMap<>();
  // The version that last wrote each state: a new session sees it, as a ZooKeeper client sees a
  // znode's mzxid, so that states and broker epochs compare the same in every session.
  private final Map<TopicPartition, Long> stateVersions = new HashMap<>();
  private final Map<Integer, Registration> brokers = new TreeMap<>();
  private final Map<Integer, InMemoryMetadataStore> shutdownRequests = new TreeMap<>();
  private final List<Runnable> shutdownWatchers = new ArrayList<>();
  private final Map<Integer, OfflineReport> offlineReplicas = new TreeMap<>();
  private final List<Runnable> offlineWatchers = new ArrayList<>();
  private final List<InMemoryMetadataStore> sessions = new ArrayList<>();
  private final InMemoryElection election = new InMemoryElection();
  private int controllerEpoch;
  private int controllerEpochVersion = -1;
  private long nextProducerId;

  /** A broker's offline replicas, held by the session that reported them. */
  private record OfflineReport(InMemoryMetadataStore session, Set<TopicPartition> partitions) {}

  /** {@code version}: the broker epoch, the version that created the registration. */
  private record Registration(BrokerInfo broker, InMemoryMetadataStore session, long version) {}

  /** A new session, whose cache starts with the cluster's current metadata. */
  public InMemoryMetadataStore connect() {
    InMemoryMetadataStore session = new InMemoryMetadataStore(this);
    synchronized (this) {
      sessions.add(session);
      MetadataCache cache = session.cache();
      long v = ++version;
      configs.forEach((name, c) -> cache.putTopicConfig(name, c, v, v));
      topics.forEach((name, t) -> cache.putTopic(name, t, v, v));
      states.forEach(
          (tp, s) -> {
            long written = stateVersions.get(tp);
            cache.putPartitionState(tp.topic(), tp.partition(), s, written, written);
          });
      brokers.values().forEach(r -> cache.putBroker(r.broker(), r.version(), v));
    }
    return session;
  }

  String clusterId() {
    return clusterId;
  }

  InMemoryElection election() {
    return election;
  }

  // ---- topics

  synchronized TopicMetadata createTopic(
      String name, Map<Integer, List<Integer>> replicaAssignment, Map<String, String> overrides) {
    TopicNames.validate(name);
    SortedMap<Integer, List<Integer>> partitions =
        ReplicaAssignments.forNewTopic(name, replicaAssignment);
    SortedMap<String, String> topicConfigs = ReplicaAssignments.configs(name, overrides);
    if (topics.containsKey(name)) {
      throw new TopicExistsException("Topic '" + name + "' already exists.");
    }
    for (String other : topics.keySet()) {
      if (TopicNames.collide(name, other)) {
        throw new InvalidTopicException(
            "Topic '" + name + "' collides with existing topic '" + other + "'.");
      }
    }
    TopicAssignment topic = new TopicAssignment(Uuid.randomUuid(), partitions);
    long v = ++version;
    configs.put(name, topicConfigs);
    topics.put(name, topic);
    // Configs, then the topic, then its partitions: listeners hear of the topic first.
    each(cache -> cache.putTopicConfig(name, topicConfigs, v, v));
    each(cache -> cache.putTopic(name, topic, v, v));
    putInitialStates(name, partitions, v);
    return new TopicMetadata(name, topic.topicId(), partitions, topicConfigs);
  }

  synchronized void deleteTopic(String name) {
    TopicAssignment topic = topics.remove(name);
    if (topic == null) {
      throw unknownTopic(name);
    }
    configs.remove(name);
    long v = ++version;
    each(cache -> cache.removeTopic(name, v));
    each(cache -> cache.removeTopicConfig(name, v));
    for (Integer partition : topic.partitions().keySet()) {
      states.remove(new TopicPartition(name, partition));
      stateVersions.remove(new TopicPartition(name, partition));
      each(cache -> cache.removePartitionState(name, partition, v));
    }
  }

  synchronized TopicMetadata addPartitions(String name, Map<Integer, List<Integer>> newPartitions) {
    TopicAssignment current = topics.get(name);
    if (current == null) {
      throw unknownTopic(name);
    }
    SortedMap<Integer, List<Integer>> added =
        ReplicaAssignments.forAddition(name, current.partitions(), newPartitions);
    TreeMap<Integer, List<Integer>> merged = new TreeMap<>(current.partitions());
    merged.putAll(added);
    TopicAssignment grown =
        new TopicAssignment(
            current.topicId(), Collections.unmodifiableSortedMap(merged), current.reassignments());
    topics.put(name, grown);
    long v = ++version;
    each(cache -> cache.putTopic(name, grown, v, v));
    putInitialStates(name, added, v);
    return metadata(name);
  }

  synchronized TopicMetadata setTopicConfigs(String name, Map<String, String> overrides) {
    if (!topics.containsKey(name)) {
      throw unknownTopic(name);
    }
    SortedMap<String, String> topicConfigs = ReplicaAssignments.configs(name, overrides);
    configs.put(name, topicConfigs);
    long v = ++version;
    each(cache -> cache.putTopicConfig(name, topicConfigs, v, v));
    return metadata(name);
  }

  private void putInitialStates(String topic, Map<Integer, List<Integer>> partitions, long v) {
    partitions.forEach(
        (partition, replicas) -> {
          PartitionState state = PartitionState.initial(replicas);
          states.put(new TopicPartition(topic, partition), state);
          stateVersions.put(new TopicPartition(topic, partition), v);
          each(cache -> cache.putPartitionState(topic, partition, state, v, v));
        });
  }

  private TopicMetadata metadata(String name) {
    TopicAssignment t = topics.get(name);
    SortedMap<String, String> c = configs.get(name);
    return new TopicMetadata(
        name, t.topicId(), t.partitions(), c == null ? Map.of() : c, t.reassignments());
  }

  // ---- partition state and controller

  synchronized Optional<PartitionState> compareAndSetPartitionState(
      String topic,
      int partition,
      int expectedPartitionEpoch,
      PartitionState next,
      ControllerEpoch fence) {
    TopicPartition tp = new TopicPartition(topic, partition);
    PartitionState current = states.get(tp);
    if (current == null) {
      throw new UnknownTopicOrPartitionException("No partition " + topic + "-" + partition);
    }
    if (fence != null && fence.zkVersion() != controllerEpochVersion) {
      throw new ControllerMovedException(
          "Controller epoch " + fence.epoch() + " is no longer current");
    }
    if (current.partitionEpoch() != expectedPartitionEpoch) {
      return Optional.empty();
    }
    PartitionState written = next.writtenAfter(expectedPartitionEpoch, fence);
    states.put(tp, written);
    long v = ++version;
    stateVersions.put(tp, v);
    each(cache -> cache.putPartitionState(topic, partition, written, v, v));
    return Optional.of(written);
  }

  synchronized boolean compareAndSetReplicas(
      String topic,
      int partition,
      PartitionReplicas expected,
      PartitionReplicas next,
      ReassignmentStore.StateChange stateChange,
      ControllerEpoch fence) {
    TopicAssignment current = topics.get(topic);
    if (current == null || !current.partitions().containsKey(partition)) {
      throw new UnknownTopicOrPartitionException("No partition " + topic + "-" + partition);
    }
    if (fence != null && fence.zkVersion() != controllerEpochVersion) {
      throw new ControllerMovedException(
          "Controller epoch " + fence.epoch() + " is no longer current");
    }
    PartitionReplicas now =
        new PartitionReplicas(
            current.partitions().get(partition), current.reassignments().get(partition));
    if (!now.equals(expected)) {
      return false;
    }
    TopicPartition tp = new TopicPartition(topic, partition);
    PartitionState state = null;
    if (stateChange != null) {
      if (states.get(tp).partitionEpoch() != stateChange.expectedPartitionEpoch()) {
        return false;
      }
      state = stateChange.next().writtenAfter(stateChange.expectedPartitionEpoch(), fence);
    }
    TopicAssignment written = current.withPartition(partition, next);
    topics.put(topic, written);
    long v = ++version;
    if (state != null) {
      PartitionState s = state;
      states.put(tp, s);
      stateVersions.put(tp, v);
      each(cache -> cache.putPartitionState(topic, partition, s, v, v));
    }
    each(cache -> cache.putTopic(topic, written, v, v));
    return true;
  }

  synchronized Optional<PartitionState> readPartitionState(String topic, int partition) {
    return Optional.ofNullable(states.get(new TopicPartition(topic, partition)));
  }

  synchronized ControllerEpoch claimControllerEpoch() {
    controllerEpoch++;
    controllerEpochVersion++;
    return new ControllerEpoch(controllerEpoch, controllerEpochVersion);
  }

  // ---- brokers, shutdown requests, producer ids

  /** Returns the broker epoch. */
  synchronized long registerBroker(BrokerInfo broker, InMemoryMetadataStore session) {
    Registration held = brokers.get(broker.id());
    if (held != null && held.session() != session) {
      throw new DuplicateBrokerRegistrationException(
          "Broker id " + broker.id() + " is registered by another live session");
    }
    long v = ++version;
    // Re-registered by its own session: the registration, and so the broker epoch, stays.
    long epoch = held != null ? held.version() : v;
    brokers.put(broker.id(), new Registration(broker, session, epoch));
    each(cache -> cache.putBroker(broker, epoch, v));
    return epoch;
  }

  void requestControlledShutdown(int brokerId, InMemoryMetadataStore session) {
    List<Runnable> fire;
    synchronized (this) {
      if (shutdownRequests.putIfAbsent(brokerId, session) != null) {
        return;
      }
      fire = takeShutdownWatchers();
    }
    fire.forEach(Runnable::run);
  }

  void reportOfflineReplicas(
      int brokerId, Set<TopicPartition> partitions, InMemoryMetadataStore session) {
    List<Runnable> fire;
    synchronized (this) {
      offlineReplicas.put(brokerId, new OfflineReport(session, Set.copyOf(partitions)));
      fire = new ArrayList<>(offlineWatchers);
      offlineWatchers.clear();
    }
    fire.forEach(Runnable::run);
  }

  synchronized Map<Integer, Set<TopicPartition>> offlineReplicas(Runnable onChange) {
    offlineWatchers.add(onChange);
    Map<Integer, Set<TopicPartition>> out = new TreeMap<>();
    offlineReplicas.forEach((id, report) -> out.put(id, report.partitions()));
    return out;
  }

  synchronized Set<Integer> shutdownRequests(Runnable onChange) {
    shutdownWatchers.add(onChange);
    return new TreeSet<>(shutdownRequests.keySet());
  }

  private List<Runnable> takeShutdownWatchers() {
    List<Runnable> fire = new ArrayList<>(shutdownWatchers);
    shutdownWatchers.clear();
    return fire;
  }

  synchronized ProducerIdBlock allocateProducerIdBlock(int brokerId, int blockSize) {
    if (brokerId < 0 || blockSize <= 0) {
      throw new IllegalArgumentException("broker id " + brokerId + ", block size " + blockSize);
    }
    if (nextProducerId > Long.MAX_VALUE - blockSize) {
      throw new KafkaException("The producer id space is exhausted");
    }
    ProducerIdBlock block = new ProducerIdBlock(brokerId, nextProducerId, blockSize);
    nextProducerId += blockSize;
    return block;
  }

  /** Ends a session: what it held goes, as ephemeral znodes go with a ZooKeeper session. */
  void disconnect(InMemoryMetadataStore session) {
    List<Runnable> fire = List.of();
    synchronized (this) {
      sessions.remove(session);
      List<Integer> gone = new ArrayList<>();
      brokers.forEach(
          (id, r) -> {
            if (r.session() == session) {
              gone.add(id);
            }
          });
      long v = ++version;
      for (Integer id : gone) {
        brokers.remove(id);
        each(cache -> cache.removeBroker(id, v));
      }
      List<Runnable> toFire = new ArrayList<>();
      if (shutdownRequests.values().removeIf(s -> s == session)) {
        toFire.addAll(takeShutdownWatchers());
      }
      if (offlineReplicas.values().removeIf(r -> r.session() == session)) {
        toFire.addAll(offlineWatchers);
        offlineWatchers.clear();
      }
      fire = toFire;
    }
    election.leave(session);
    fire.forEach(Runnable::run);
  }

  private void each(Consumer<MetadataCache> update) {
    for (InMemoryMetadataStore s : sessions) {
      update.accept(s.cache());
    }
  }

  private static UnknownTopicOrPartitionException unknownTopic(String name) {
    return new UnknownTopicOrPartitionException("Topic '" + name + "' does not exist.");
  }

  /** For tests and diagnostics: the live broker ids. */
  public synchronized Set<Integer> registeredBrokers() {
    return new TreeSet<>(brokers.keySet());
  }

  // ---- entity configs (dynamic broker configs, client quotas)

  private final Map<String, Map<String, Map<String, String>>> entityConfigs = new HashMap<>();
  private final Map<String, List<java.util.function.Consumer<Map<String, Map<String, String>>>>>
      entityWatchers = new HashMap<>();

  synchronized Map<String, String> entityConfigs(String type, String name) {
    return entityConfigs.getOrDefault(type, Map.of()).getOrDefault(name, Map.of());
  }

  synchronized Map<String, Map<String, String>> allEntityConfigs(String type) {
    return new TreeMap<>(entityConfigs.getOrDefault(type, Map.of()));
  }

  /** Watchers run on the writer's thread, in order, under this lock (they only update memory). */
  synchronized void setEntityConfigs(String type, String name, Map<String, String> configs) {
    Map<String, Map<String, String>> ofType =
        entityConfigs.computeIfAbsent(type, t -> new TreeMap<>());
    if (configs.isEmpty()) {
      ofType.remove(name);
    } else {
      ofType.put(name, Map.copyOf(configs));
    }
    Map<String, Map<String, String>> snapshot = allEntityConfigs(type);
    entityWatchers.getOrDefault(type, List.of()).forEach(w -> w.accept(snapshot));
  }

  synchronized void watchEntityConfigs(
      String type, java.util.function.Consumer<Map<String, Map<String, String>>> listener) {
    entityWatchers.computeIfAbsent(type, t -> new ArrayList<>()).add(listener);
    listener.accept(allEntityConfigs(type));
  }

  synchronized Map<String, String> groupConfigs(String groupId) {
    return groupConfigs.getOrDefault(groupId, Map.of());
  }

  synchronized java.util.Set<String> groupIdsWithConfigs() {
    return new java.util.TreeSet<>(groupConfigs.keySet());
  }

  synchronized void setGroupConfigs(String groupId, Map<String, String> overrides) {
    if (overrides.isEmpty()) {
      groupConfigs.remove(groupId);
    } else {
      groupConfigs.put(groupId, Map.copyOf(overrides));
    }
  }
}
