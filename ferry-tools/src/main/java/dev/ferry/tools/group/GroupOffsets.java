package dev.ferry.tools.group;

import dev.ferry.tools.common.AdminQueries;
import dev.ferry.tools.common.CliException;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/** Group look-ups shared by describe and reset-offsets. */
final class GroupOffsets {

  private GroupOffsets() {}

  /**
   * The group's description.
   *
   * @throws CliException if the group does not exist
   */
  static ConsumerGroupDescription describe(Admin admin, String group)
      throws InterruptedException, ExecutionException {
    try {
      ConsumerGroupDescription d =
          admin.describeConsumerGroups(java.util.List.of(group)).describedGroups().get(group).get();
      if (d.groupState() == GroupState.DEAD) {
        throw new CliException("consumer group '" + group + "' does not exist");
      }
      return d;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof GroupIdNotFoundException) {
        throw new CliException("consumer group '" + group + "' does not exist");
      }
      throw e;
    }
  }

  /** Committed offsets of the group; partitions without a commit are absent. */
  static Map<TopicPartition, Long> committed(Admin admin, String group)
      throws InterruptedException, ExecutionException {
    Map<TopicPartition, OffsetAndMetadata> raw =
        admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
    Map<TopicPartition, Long> out = new HashMap<>();
    raw.forEach(
        (tp, om) -> {
          if (om != null) {
            out.put(tp, om.offset());
          }
        });
    return out;
  }

  static Map<TopicPartition, Long> logEnd(Admin admin, java.util.Collection<TopicPartition> tps)
      throws InterruptedException, ExecutionException {
    return AdminQueries.offsets(admin, tps, OffsetSpec.latest());
  }
}
