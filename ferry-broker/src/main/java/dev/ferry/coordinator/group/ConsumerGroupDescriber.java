package dev.ferry.coordinator.group;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.ConsumerGroupDescribeResponseData;
import org.apache.kafka.common.protocol.Errors;

/** ConsumerGroupDescribe and the consumer-protocol part of ListGroups. */
final class ConsumerGroupDescriber {

  /** Member types in ConsumerGroupDescribe v1 (KIP-1099). */
  private static final byte CLASSIC_MEMBER_TYPE = 0;

  private static final byte CONSUMER_MEMBER_TYPE = 1;

  private final GroupRegistry registry;
  private final SubscribableTopics topics;
  private final ConsumerGroupManager groups;
  private final ConsumerTargetAssignment target;

  ConsumerGroupDescriber(
      GroupRegistry registry,
      SubscribableTopics topics,
      ConsumerGroupManager groups,
      ConsumerTargetAssignment target) {
    this.registry = registry;
    this.topics = topics;
    this.groups = groups;
    this.target = target;
  }

  ConsumerGroupDescribeResponseData.DescribedGroup describe(String groupId) {
    ConsumerGroupDescribeResponseData.DescribedGroup out =
        new ConsumerGroupDescribeResponseData.DescribedGroup().setGroupId(groupId);
    Errors owned = registry.ownership(groupId);
    if (owned != Errors.NONE) {
      return out.setErrorCode(owned.code());
    }
    ConsumerGroup g = groups.lockExisting(groupId);
    if (g == null) {
      boolean classic =
          registry.groups(registry.partitionFor(groupId)).stream()
              .anyMatch(c -> c.groupId().equals(groupId));
      return out.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code())
          .setErrorMessage(
              classic
                  ? "Group " + groupId + " is not a consumer group."
                  : "Group " + groupId + " not found.");
    }
    try {
      Map<Uuid, String> names = new HashMap<>();
      for (Map.Entry<String, SubscribableTopics.Topic> e : topics.topics().entrySet()) {
        names.put(e.getValue().id(), e.getKey());
      }
      out.setErrorCode(Errors.NONE.code())
          .setGroupState(g.state().displayName())
          .setGroupEpoch(g.groupEpoch())
          .setAssignmentEpoch(g.assignmentEpoch())
          .setAssignorName(
              g.assignorName() == null ? target.preferredAssignor(g) : g.assignorName());
      for (ConsumerGroupMember m : g.members()) {
        out.members()
            .add(
                new ConsumerGroupDescribeResponseData.Member()
                    .setMemberId(m.memberId)
                    .setInstanceId(m.instanceId)
                    .setRackId(m.rackId)
                    .setMemberEpoch(m.memberEpoch)
                    .setClientId(m.clientId)
                    .setClientHost(m.clientHost)
                    .setSubscribedTopicNames(new ArrayList<>(m.subscribedTopicNames))
                    .setSubscribedTopicRegex(
                        m.subscribedTopicRegex == null ? "" : m.subscribedTopicRegex)
                    .setAssignment(describeAssignment(m.assigned, names))
                    .setTargetAssignment(describeAssignment(g.targetOf(m.memberId), names))
                    .setMemberType(
                        m.usesClassicProtocol() ? CLASSIC_MEMBER_TYPE : CONSUMER_MEMBER_TYPE));
      }
      return out;
    } finally {
      g.lock().unlock();
    }
  }

  static ConsumerGroupDescribeResponseData.Assignment describeAssignment(
      Map<Uuid, Set<Integer>> assignment, Map<Uuid, String> names) {
    List<ConsumerGroupDescribeResponseData.TopicPartitions> tps = new ArrayList<>();
    for (Map.Entry<Uuid, Set<Integer>> e : assignment.entrySet()) {
      tps.add(
          new ConsumerGroupDescribeResponseData.TopicPartitions()
              .setTopicId(e.getKey())
              .setTopicName(names.getOrDefault(e.getKey(), ""))
              .setPartitions(new ArrayList<>(e.getValue())));
    }
    return new ConsumerGroupDescribeResponseData.Assignment().setTopicPartitions(tps);
  }

  /** Consumer-protocol groups of the loaded partitions, with their state names. */
  List<GroupListing> list() {
    List<GroupListing> out = new ArrayList<>();
    for (ConsumerGroup g : groups.all()) {
      if (registry.ownership(g.groupId()) != Errors.NONE) {
        continue;
      }
      g.lock().lock();
      try {
        if (!g.isDead()) {
          out.add(
              new GroupListing(
                  g.groupId(),
                  ConsumerSubscriptions.CONSUMER_PROTOCOL_TYPE,
                  g.state().displayName(),
                  GroupCoordinator.CONSUMER_GROUP_TYPE));
        }
      } finally {
        g.lock().unlock();
      }
    }
    return out;
  }
}
