package dev.ferry.metadata.zk;

import dev.ferry.metadata.MetadataCache;

/**
 * The layout of Ferry's znodes, in one place. Every value is a JSON object with a {@code version}
 * field (see {@link ZNodeCodec}).
 *
 * <pre>
 * /ferry
 *   cluster/id                         {version, id}                 persistent, first writer wins
 *   brokers/ids/&lt;brokerId&gt;             {version, host, port, rack, endpoints} EPHEMERAL, one per
 *                                      live broker; host:port is the inter-broker listener's,
 *                                      endpoints maps each listener name to its advertised host:port
 *   topics                             (no data; touched by every topic transaction, see below)
 *   topics/&lt;topic&gt;                     {version, topicId, partitions: {"0": [replicas...]}}
 *   topics/&lt;topic&gt;/partitions/&lt;p&gt;/state
 *                                      {version, leader, leaderEpoch, isr, controllerEpoch,
 *                                       partitionEpoch}
 *   config/topics/&lt;topic&gt;              {version, config: {name: value}} topic-level overrides
 *   config/groups/&lt;group&gt;              {version, config: {name: value}} group-level overrides
 *                                      (the group id URL-encoded)
 *   producer-id-block                  {version, brokerId, firstProducerId, size} last block handed out
 *   brokers/shutdown/&lt;brokerId&gt;        (no data) EPHEMERAL: the broker asks the controller to move
 *                                      its leaderships away before it stops (controlled shutdown)
 *   controller/&lt;latch nodes&gt;          EPHEMERAL_SEQUENTIAL: the controller election (Curator
 *                                      LeaderLatch); the lowest sequence number is the controller
 *   controller_epoch                   {version, epoch} bumped by each new controller; every state
 *                                      write of a controller checks its znode version (fencing)
 * </pre>
 *
 * <p>Every transaction that changes topics also sets the (empty) data of {@code /ferry/topics}: the
 * result of that setData carries the transaction's zxid, which orders our own writes against the
 * watch events in {@link MetadataCache} without an extra read.
 *
 * <p>Topic names cannot contain '/', so a topic name is always exactly one path segment.
 */
final class ZkPaths {

  static final String ROOT = "/ferry";
  static final String CLUSTER_ID = ROOT + "/cluster/id";
  static final String BROKER_IDS = ROOT + "/brokers/ids";
  static final String TOPICS = ROOT + "/topics";
  static final String TOPIC_CONFIGS = ROOT + "/config/topics";
  static final String GROUP_CONFIGS = ROOT + "/config/groups";
  static final String PRODUCER_ID_BLOCK = ROOT + "/producer-id-block";
  static final String CONTROLLER = ROOT + "/controller";
  static final String CONTROLLER_EPOCH = ROOT + "/controller_epoch";
  static final String SHUTDOWN_REQUESTS = ROOT + "/brokers/shutdown";

  /** One ephemeral child per broker with replicas offline: its failed dirs' partitions. */
  static final String OFFLINE_REPLICAS = ROOT + "/brokers/offline-replicas";

  private static final String PARTITIONS = "partitions";
  private static final String STATE = "state";

  private ZkPaths() {}

  static String broker(int brokerId) {
    return BROKER_IDS + "/" + brokerId;
  }

  static String shutdownRequest(int brokerId) {
    return SHUTDOWN_REQUESTS + "/" + brokerId;
  }

  static String offlineReplicas(int brokerId) {
    return OFFLINE_REPLICAS + "/" + brokerId;
  }

  static String topic(String topic) {
    return TOPICS + "/" + topic;
  }

  static String partitions(String topic) {
    return topic(topic) + "/" + PARTITIONS;
  }

  static String partition(String topic, int partition) {
    return partitions(topic) + "/" + partition;
  }

  static String partitionState(String topic, int partition) {
    return partition(topic, partition) + "/" + STATE;
  }

  static String groupConfig(String encodedGroupId) {
    return GROUP_CONFIGS + "/" + encodedGroupId;
  }

  static String topicConfig(String topic) {
    return TOPIC_CONFIGS + "/" + topic;
  }

  /** What a path seen by the metadata cache refers to; null for paths the cache ignores. */
  sealed interface Ref permits TopicRef, PartitionStateRef, TopicConfigRef, BrokerRef {}

  record TopicRef(String topic) implements Ref {}

  record PartitionStateRef(String topic, int partition) implements Ref {}

  record TopicConfigRef(String topic) implements Ref {}

  record BrokerRef(int brokerId) implements Ref {}

  /**
   * Classifies a znode path under {@link #TOPICS}, {@link #TOPIC_CONFIGS} or {@link #BROKER_IDS}.
   * Intermediate nodes (the roots, {@code partitions}, {@code partitions/<p>}) give null.
   */
  static Ref parse(String path) {
    String rest = suffix(path, TOPICS);
    if (rest != null) {
      String[] parts = rest.split("/", -1);
      if (parts.length == 1) {
        return new TopicRef(parts[0]);
      }
      if (parts.length == 4 && PARTITIONS.equals(parts[1]) && STATE.equals(parts[3])) {
        Integer partition = parseNonNegative(parts[2]);
        return partition == null ? null : new PartitionStateRef(parts[0], partition);
      }
      return null;
    }
    rest = suffix(path, TOPIC_CONFIGS);
    if (rest != null) {
      return rest.indexOf('/') < 0 ? new TopicConfigRef(rest) : null;
    }
    rest = suffix(path, BROKER_IDS);
    if (rest != null) {
      Integer id = parseNonNegative(rest);
      return id == null ? null : new BrokerRef(id);
    }
    return null;
  }

  /** The part of {@code path} below {@code parent}, or null if it is not strictly below it. */
  private static String suffix(String path, String parent) {
    if (path.length() > parent.length() + 1
        && path.startsWith(parent)
        && path.charAt(parent.length()) == '/') {
      return path.substring(parent.length() + 1);
    }
    return null;
  }

  private static Integer parseNonNegative(String s) {
    try {
      int value = Integer.parseInt(s);
      return value >= 0 ? value : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
