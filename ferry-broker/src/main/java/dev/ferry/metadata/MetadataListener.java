package dev.ferry.metadata;

/** Told of topic changes seen in ZooKeeper (also those made by other brokers). */
public interface MetadataListener {

  /** A topic was created or changed (partitions added, configs altered). */
  void onTopicChanged(TopicMetadata topic);

  void onTopicDeleted(TopicMetadata topic);
}
