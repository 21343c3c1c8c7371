package dev.ferry.quota;

import dev.ferry.metadata.MetadataView;
import dev.ferry.replication.ReplicationThrottle;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.utils.Time;

/**
 * This broker's two replication throttles: as leader (data sent to followers of partitions listed
 * in {@code leader.replication.throttled.replicas}, bounded by {@code
 * leader.replication.throttled.rate}) and as follower (data fetched for partitions in {@code
 * follower.replication.throttled.replicas}, bounded by {@code
 * follower.replication.throttled.rate}). The rates are dynamic broker configs; the replica lists
 * are topic configs, which kafka-reassign-partitions.sh sets for the partitions it moves.
 */
public final class ReplicationThrottles {

  public static final String LEADER_RATE = "leader.replication.throttled.rate";
  public static final String FOLLOWER_RATE = "follower.replication.throttled.rate";
  public static final String LEADER_REPLICAS = "leader.replication.throttled.replicas";
  public static final String FOLLOWER_REPLICAS = "follower.replication.throttled.replicas";

  private final Side leader;
  private final Side follower;

  public ReplicationThrottles(int brokerId, MetadataView metadata, Time time) {
    leader = new Side(new ThrottledReplicas(LEADER_REPLICAS, brokerId), new ReplicationQuota(time));
    follower =
        new Side(new ThrottledReplicas(FOLLOWER_REPLICAS, brokerId), new ReplicationQuota(time));
    metadata.addListener(leader.replicas);
    metadata.addListener(follower.replicas);
    for (var topic : metadata.topics()) {
      leader.replicas.onTopicChanged(topic);
      follower.replicas.onTopicChanged(topic);
    }
  }

  public ReplicationThrottle leader() {
    return leader;
  }

  public ReplicationThrottle follower() {
    return follower;
  }

  public ReplicationQuota leaderQuota() {
    return leader.quota;
  }

  public ReplicationQuota followerQuota() {
    return follower.quota;
  }

  private static final class Side implements ReplicationThrottle {
    final ThrottledReplicas replicas;
    final ReplicationQuota quota;

    Side(ThrottledReplicas replicas, ReplicationQuota quota) {
      this.replicas = replicas;
      this.quota = quota;
    }

    @Override
    public boolean isThrottled(TopicPartition tp) {
      return replicas.isThrottled(tp.topic(), tp.partition());
    }

    @Override
    public boolean isQuotaExceeded() {
      return quota.isExceeded();
    }

    @Override
    public void record(long bytes) {
      quota.record(bytes);
    }
  }
}
