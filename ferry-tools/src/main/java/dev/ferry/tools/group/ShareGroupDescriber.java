package dev.ferry.tools.group;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ferry.tools.common.Json;
import dev.ferry.tools.common.Table;
import java.io.PrintWriter;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.clients.admin.ShareMemberDescription;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

/**
 * {@code ferry group describe} of a share group (KIP-932): its epoch, its members with their epochs
 * and assignments, and per partition (assigned, or with share state) the share-partition start
 * offset, the log end, the lag as the broker computes it for share groups (records past the start
 * offset not yet acknowledged or archived) and how many members share it.
 */
final class ShareGroupDescriber {

  private static final Comparator<TopicPartition> ORDER =
      Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition);

  private ShareGroupDescriber() {}

  /** The share group {@code group}, or empty when it is not one (any other type, or none). */
  static Optional<ShareGroupDescription> describe(Admin admin, String group) throws Exception {
    try {
      return Optional.of(
          admin.describeShareGroups(List.of(group)).describedGroups().get(group).get());
    } catch (ExecutionException e) {
      if (e.getCause() instanceof GroupIdNotFoundException) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /**
   * Each assigned partition with the number of members it is assigned to, and each partition with
   * share state (0 members when none is assigned it, e.g. in an empty group).
   */
  private static Map<TopicPartition, Integer> sharing(
      ShareGroupDescription d, Map<TopicPartition, SharePartitionOffsetInfo> offsets) {
    Map<TopicPartition, Integer> out = new TreeMap<>(ORDER);
    offsets.keySet().forEach(tp -> out.put(tp, 0));
    for (ShareMemberDescription m : d.members()) {
      m.assignment().topicPartitions().forEach(tp -> out.merge(tp, 1, Integer::sum));
    }
    return out;
  }

  /** The group's share-partition start offsets and lags (DescribeShareGroupOffsets). */
  private static Map<TopicPartition, SharePartitionOffsetInfo> offsets(Admin admin, String group)
      throws Exception {
    Map<TopicPartition, SharePartitionOffsetInfo> out = new TreeMap<>(ORDER);
    try {
      admin
          .listShareGroupOffsets(Map.of(group, new ListShareGroupOffsetsSpec()))
          .partitionsToOffsetInfo(group)
          .get()
          .forEach(
              (tp, info) -> {
                if (info != null) { // null: no state for that partition
                  out.put(tp, info);
                }
              });
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof UnsupportedVersionException)) {
        throw e;
      }
      // a broker without the API: the columns show "-"
    }
    return out;
  }

  private static Object startOf(SharePartitionOffsetInfo info) {
    return info == null ? "-" : info.startOffset();
  }

  private static Object lagOf(SharePartitionOffsetInfo info) {
    return info == null || info.lag().isEmpty() ? "-" : info.lag().get();
  }

  static void print(Admin admin, PrintWriter out, ShareGroupDescription d) throws Exception {
    out.printf(
        "Group: %s  State: %s  Members: %d  Coordinator: %s  Type: share  Epoch: %d%n",
        d.groupId(),
        d.groupState(),
        d.members().size(),
        d.coordinator() == null ? "-" : d.coordinator().id(),
        d.groupEpoch());
    Table members = new Table("CONSUMER-ID", "EPOCH", "CLIENT-ID", "HOST", "PARTITIONS");
    for (ShareMemberDescription m : d.members()) {
      members.row(
          m.consumerId(),
          m.memberEpoch(),
          m.clientId(),
          m.host(),
          m.assignment().topicPartitions().size());
    }
    members.print(out);
    Map<TopicPartition, SharePartitionOffsetInfo> offsets = offsets(admin, d.groupId());
    Map<TopicPartition, Integer> sharing = sharing(d, offsets);
    Map<TopicPartition, Long> logEnd = GroupOffsets.logEnd(admin, sharing.keySet());
    Table partitions =
        new Table("TOPIC", "PARTITION", "START-OFFSET", "LOG-END-OFFSET", "LAG", "MEMBERS");
    sharing.forEach(
        (tp, n) ->
            partitions.row(
                tp.topic(),
                tp.partition(),
                startOf(offsets.get(tp)),
                logEnd.getOrDefault(tp, 0L),
                lagOf(offsets.get(tp)),
                n));
    partitions.print(out);
  }

  static ObjectNode toJson(Admin admin, ShareGroupDescription d) throws Exception {
    ObjectNode node = Json.object();
    node.put("group", d.groupId());
    node.put("state", String.valueOf(d.groupState()));
    node.put("members", d.members().size());
    node.put("coordinator", d.coordinator() == null ? null : d.coordinator().id());
    node.put("type", "share");
    node.put("groupEpoch", d.groupEpoch());
    ArrayNode ms = node.putArray("memberEpochs");
    for (ShareMemberDescription m : d.members()) {
      ObjectNode mn = ms.addObject();
      mn.put("consumerId", m.consumerId());
      mn.put("memberEpoch", m.memberEpoch());
      mn.put("clientId", m.clientId());
      mn.put("partitions", m.assignment().topicPartitions().size());
    }
    Map<TopicPartition, SharePartitionOffsetInfo> offsets = offsets(admin, d.groupId());
    Map<TopicPartition, Integer> sharing = sharing(d, offsets);
    Map<TopicPartition, Long> logEnd = GroupOffsets.logEnd(admin, sharing.keySet());
    ArrayNode parts = node.putArray("partitions");
    sharing.forEach(
        (tp, n) -> {
          ObjectNode p = parts.addObject();
          p.put("topic", tp.topic());
          p.put("partition", tp.partition());
          SharePartitionOffsetInfo info = offsets.get(tp);
          if (info == null) {
            p.putNull("startOffset");
          } else {
            p.put("startOffset", info.startOffset());
          }
          p.put("logEndOffset", logEnd.getOrDefault(tp, 0L));
          if (info == null || info.lag().isEmpty()) {
            p.putNull("lag");
          } else {
            p.put("lag", info.lag().get());
          }
          p.put("members", n);
        });
    return node;
  }
}
