package dev.ferry.replication;

import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.FencedLeaderEpochException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.UnknownLeaderEpochException;

/**
 * The check every leader-side operation starts with, as Kafka makes it: this broker must lead, and
 * a caller that names a leader epoch must name the current one (older: fenced, it missed a
 * leadership change; newer: this broker has not learned of it yet, the caller retries).
 */
final class EpochFencing {

  private EpochFencing() {}

  /**
   * @param currentLeaderEpoch the caller's epoch; negative skips the epoch check
   */
  static void check(
      boolean leader,
      int localBrokerId,
      TopicPartition topicPartition,
      int leaderEpoch,
      int currentLeaderEpoch) {
    if (!leader) {
      throw new NotLeaderOrFollowerException(
          "Broker " + localBrokerId + " does not lead " + topicPartition);
    }
    if (currentLeaderEpoch >= 0 && currentLeaderEpoch < leaderEpoch) {
      throw new FencedLeaderEpochException(
          "Leader epoch "
              + currentLeaderEpoch
              + " of "
              + topicPartition
              + " is older than the current "
              + leaderEpoch);
    }
    if (currentLeaderEpoch > leaderEpoch) {
      throw new UnknownLeaderEpochException(
          "Leader epoch "
              + currentLeaderEpoch
              + " of "
              + topicPartition
              + " is newer than the current "
              + leaderEpoch);
    }
  }
}
