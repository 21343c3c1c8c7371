package dev.ferry.replication;

import org.apache.kafka.common.TopicPartition;

/** Told after records become visible in a partition (wakes parked long-poll fetches). */
@FunctionalInterface
public interface AppendListener {
  void onAppend(TopicPartition partition, int bytes);
}
