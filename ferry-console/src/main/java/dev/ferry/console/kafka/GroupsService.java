package dev.ferry.console.kafka;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListShareGroupOffsetsSpec;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ShareGroupDescription;
import org.apache.kafka.clients.admin.ShareMemberDescription;
import org.apache.kafka.clients.admin.SharePartitionOffsetInfo;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidRequestException;

/**
 * The group pages: every group the broker knows (classic, consumer, share...), one group's state,
 * members, assignment and lag per partition, and resetting an empty consumer group's offsets.
 */
public final class GroupsService {

  public record GroupSummary(String groupId, String type, String protocol, String state) {}

  public record Member(
      String memberId, String instanceId, String clientId, String host, List<String> assignment) {}

  /** Lag is the log end offset minus the committed offset; null when nothing is committed. */
  public record PartitionLag(
      String topic, int partition, Long committed, long endOffset, Long lag, String owner) {}

  public record GroupDetail(
      String groupId,
      String type,
      String state,
      Integer coordinator,
      String assignor,
      List<Member> members,
      List<PartitionLag> offsets,
      long totalLag,
      boolean resettable) {}

  /** Where to move an empty group's offsets: earliest, latest, or the first at/after a time. */
  public enum ResetTarget {
    EARLIEST,
    LATEST,
    TIMESTAMP;

    public static ResetTarget parse(String s) {
      try {
        return valueOf(s.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException | NullPointerException e) {
        throw new InvalidRequestException("Reset target must be earliest, latest or timestamp");
      }
    }
  }

  private final long timeoutMs;

  public GroupsService(long timeoutMs) {
    this.timeoutMs = timeoutMs;
  }

  public List<GroupSummary> list(Admin admin) {
    List<GroupSummary> out = new ArrayList<>();
    for (GroupListing g : KafkaCalls.await(admin.listGroups().all(), timeoutMs)) {
      out.add(
          new GroupSummary(
              g.groupId(),
              g.type().map(GroupType::toString).orElse("Unknown"),
              g.protocol(),
              g.groupState().map(GroupState::toString).orElse("Unknown")));
    }
    out.sort(Comparator.comparing(GroupSummary::groupId));
    return out;
  }

  public GroupDetail describe(Admin admin, String groupId) {
    GroupListing listing = listing(admin, groupId);
    GroupType type = listing == null ? GroupType.CLASSIC : listing.type().orElse(GroupType.CLASSIC);
    return switch (type) {
      case SHARE -> describeShare(admin, groupId);
      case CONSUMER, CLASSIC -> describeConsumer(admin, groupId);
      // A type the console has no describe for (e.g. streams groups): what the listing says.
      default ->
          new GroupDetail(
              groupId,
              type.toString(),
              listing.groupState().map(GroupState::toString).orElse("Unknown"),
              null,
              null,
              List.of(),
              List.of(),
              0,
              false);
    };
  }

  /** The group's listing; null when the broker lists no such group (describe then says why). */
  private GroupListing listing(Admin admin, String groupId) {
    for (GroupListing g : KafkaCalls.await(admin.listGroups().all(), timeoutMs)) {
      if (g.groupId().equals(groupId)) {
        return g;
      }
    }
    return null;
  }

  private GroupDetail describeConsumer(Admin admin, String groupId) {
    ConsumerGroupDescription d =
        KafkaCalls.await(admin.describeConsumerGroups(List.of(groupId)).all(), timeoutMs)
            .get(groupId);
    List<Member> members = new ArrayList<>();
    Map<TopicPartition, String> owners = new HashMap<>();
    for (MemberDescription m : d.members()) {
      Set<TopicPartition> assigned = m.assignment().topicPartitions();
      assigned.forEach(tp -> owners.put(tp, m.clientId()));
      members.add(
          new Member(
              m.consumerId(),
              m.groupInstanceId().orElse(null),
              m.clientId(),
              m.host(),
              names(assigned)));
    }
    Map<TopicPartition, OffsetAndMetadata> committed =
        KafkaCalls.await(
            admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata(), timeoutMs);
    Map<TopicPartition, Long> committedOffsets = new HashMap<>();
    committed.forEach(
        (tp, o) -> {
          if (o != null) {
            committedOffsets.put(tp, o.offset());
          }
        });
    Set<TopicPartition> partitions = new HashSet<>(committedOffsets.keySet());
    partitions.addAll(owners.keySet());
    List<PartitionLag> lags = lags(admin, partitions, committedOffsets, owners);
    GroupState state = d.groupState();
    return new GroupDetail(
        groupId,
        d.type() == null ? "Classic" : d.type().toString(),
        state == null ? "Unknown" : state.toString(),
        coordinator(d.coordinator()),
        d.partitionAssignor(),
        members,
        lags,
        total(lags),
        state == GroupState.EMPTY);
  }

  private GroupDetail describeShare(Admin admin, String groupId) {
    ShareGroupDescription d =
        KafkaCalls.await(admin.describeShareGroups(List.of(groupId)).all(), timeoutMs).get(groupId);
    List<Member> members = new ArrayList<>();
    Map<TopicPartition, String> owners = new HashMap<>();
    for (ShareMemberDescription m : d.members()) {
      Set<TopicPartition> assigned = m.assignment().topicPartitions();
      assigned.forEach(tp -> owners.merge(tp, m.clientId(), (a, b) -> a + ", " + b));
      members.add(new Member(m.consumerId(), null, m.clientId(), m.host(), names(assigned)));
    }
    Map<TopicPartition, SharePartitionOffsetInfo> starts =
        KafkaCalls.await(
            admin
                .listShareGroupOffsets(Map.of(groupId, new ListShareGroupOffsetsSpec()))
                .partitionsToOffsetInfo(groupId),
            timeoutMs);
    Map<TopicPartition, Long> startOffsets = new HashMap<>();
    starts.forEach(
        (tp, info) -> {
          if (info != null) {
            startOffsets.put(tp, info.startOffset());
          }
        });
    Set<TopicPartition> partitions = new HashSet<>(startOffsets.keySet());
    partitions.addAll(owners.keySet());
    List<PartitionLag> lags = lags(admin, partitions, startOffsets, owners);
    return new GroupDetail(
        groupId,
        "Share",
        d.groupState() == null ? "Unknown" : d.groupState().toString(),
        coordinator(d.coordinator()),
        null,
        members,
        lags,
        total(lags),
        false);
  }

  /**
   * Moves an empty consumer group's committed offsets, for every partition it has committed (or
   * only those of {@code topic}), to the earliest or latest offset or the first at {@code
   * timestampMs}; the new offsets by partition.
   */
  public Map<TopicPartition, Long> reset(
      Admin admin, String groupId, ResetTarget target, Long timestampMs, String topic) {
    GroupDetail detail = describe(admin, groupId);
    if (!detail.resettable()) {
      throw new InvalidRequestException(
          "Offsets can be reset only while the consumer group is empty (it is "
              + detail.state()
              + ")");
    }
    OffsetSpec spec =
        switch (target) {
          case EARLIEST -> OffsetSpec.earliest();
          case LATEST -> OffsetSpec.latest();
          case TIMESTAMP -> {
            if (timestampMs == null) {
              throw new InvalidRequestException("A timestamp is needed");
            }
            yield OffsetSpec.forTimestamp(timestampMs);
          }
        };
    Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
    Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
    for (PartitionLag p : detail.offsets()) {
      if (topic == null || topic.isEmpty() || topic.equals(p.topic())) {
        TopicPartition tp = new TopicPartition(p.topic(), p.partition());
        specs.put(tp, spec);
        latest.put(tp, OffsetSpec.latest());
      }
    }
    if (specs.isEmpty()) {
      throw new InvalidRequestException("The group has no committed offsets to reset");
    }
    Map<TopicPartition, Long> found = Offsets.of(admin, specs, timeoutMs);
    Map<TopicPartition, Long> ends =
        target == ResetTarget.TIMESTAMP ? Offsets.of(admin, latest, timeoutMs) : Map.of();
    Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
    Map<TopicPartition, Long> result = new HashMap<>();
    found.forEach(
        (tp, offset) -> {
          // No record at or after the time: the log end, as kafka-consumer-groups.sh does.
          long o = offset < 0 ? ends.getOrDefault(tp, 0L) : offset;
          commit.put(tp, new OffsetAndMetadata(o));
          result.put(tp, o);
        });
    KafkaCalls.await(admin.alterConsumerGroupOffsets(groupId, commit).all(), timeoutMs);
    return result;
  }

  private List<PartitionLag> lags(
      Admin admin,
      Collection<TopicPartition> partitions,
      Map<TopicPartition, Long> committed,
      Map<TopicPartition, String> owners) {
    Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
    partitions.forEach(tp -> specs.put(tp, OffsetSpec.latest()));
    Map<TopicPartition, Long> ends = Offsets.of(admin, specs, timeoutMs);
    List<PartitionLag> out = new ArrayList<>();
    for (TopicPartition tp : partitions) {
      Long c = committed.get(tp);
      long end = ends.getOrDefault(tp, -1L);
      Long lag = c == null || end < 0 ? null : Math.max(0, end - c);
      out.add(new PartitionLag(tp.topic(), tp.partition(), c, end, lag, owners.get(tp)));
    }
    out.sort(Comparator.comparing(PartitionLag::topic).thenComparingInt(PartitionLag::partition));
    return out;
  }

  private static long total(List<PartitionLag> lags) {
    return lags.stream().mapToLong(l -> l.lag() == null ? 0 : l.lag()).sum();
  }

  private static Integer coordinator(Node n) {
    return n == null || n.isEmpty() ? null : n.id();
  }

  private static List<String> names(Set<TopicPartition> partitions) {
    return partitions.stream()
        .sorted(
            Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition))
        .map(tp -> tp.topic() + "-" + tp.partition())
        .toList();
  }
}
