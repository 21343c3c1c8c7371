package dev.ferry.metadata;

/**
 * Told of topic changes seen in ZooKeeper (also those made by other brokers and by this store).
 *
 * <p>Callbacks run on one dedicated thread of the store ("ferry-metadata-events"), one at a time,
 * never on a network or ZooKeeper thread. Each callback carries the full current state, and updates
 * that pile up while a listener is slow are coalesced to the latest, so a listener must treat
 * callbacks as "this is now the state" rather than count them. A topic seen for the first time gets
 * {@link #onTopicChanged} before the {@link #onPartitionStateChanged} of its partitions. A topic
 * created by another broker may be reported more than once as its znodes arrive.
 */
public interface MetadataListener {

  /** A topic was created or changed (partitions added, configs altered). */
  void onTopicChanged(TopicMetadata topic);

  void onTopicDeleted(TopicMetadata topic);

  /** The leader, ISR or epochs of one partition changed (or the partition was just created). */
  default void onPartitionStateChanged(TopicMetadata topic, int partition, PartitionState state) {}

  /** A broker registered or went away; {@code live} is every live broker by ascending id. */
  default void onBrokersChanged(java.util.List<BrokerInfo> live) {}
}
