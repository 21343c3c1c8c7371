package dev.ferry.coordinator.group;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which member a ConsumerGroupHeartbeat speaks for, after Kafka's epoch and instance-id checks
 * (FENCED_MEMBER_EPOCH, UNKNOWN_MEMBER_ID, UNRELEASED_INSTANCE_ID, FENCED_INSTANCE_ID,
 * GROUP_MAX_SIZE_REACHED), and what the request changes in it. Caller holds the group lock.
 */
final class ConsumerMemberResolver {

  private static final Logger log = LoggerFactory.getLogger(ConsumerMemberResolver.class);

  private final ConsumerGroupConfig config;

  ConsumerMemberResolver(ConsumerGroupConfig config) {
    this.config = config;
  }

  /**
   * The member the request speaks for: an existing one after the epoch checks, a new one on join
   * (not yet added), or a static member's replacement taking over its assignment.
   */
  ConsumerGroupMember memberFor(
      ConsumerGroup g, String memberId, ConsumerGroupHeartbeatRequestData req) {
    boolean joining = req.memberEpoch() == 0;
    String instanceId = req.instanceId();
    ConsumerGroupMember existing = g.member(memberId);
    if (instanceId != null) {
      String holderId = g.staticMemberId(instanceId);
      ConsumerGroupMember holder = holderId == null ? null : g.member(holderId);
      if (joining && holder != null && !holder.memberId.equals(memberId)) {
        if (holder.memberEpoch != ConsumerGroupMember.STATIC_LEAVE_EPOCH) {
          throw Errors.UNRELEASED_INSTANCE_ID.exception(
              "Static member "
                  + memberId
                  + " with instance id "
                  + instanceId
                  + " cannot join the group because the instance id is owned by "
                  + holder.memberId
                  + " member.");
        }
        // A restarted static member takes over its previous incarnation's assignment and epoch.
        ConsumerGroupMember replacement = new ConsumerGroupMember(memberId);
        replacement.instanceId = instanceId;
        replacement.memberEpoch = holder.previousMemberEpoch;
        replacement.previousMemberEpoch = holder.previousMemberEpoch;
        replacement.assigned = holder.assigned;
        replacement.subscribedTopicNames = holder.subscribedTopicNames;
        replacement.subscribedTopicRegex = holder.subscribedTopicRegex;
        replacement.subscribedPattern = holder.subscribedPattern;
        replacement.serverAssignor = holder.serverAssignor;
        replacement.state = ConsumerGroupMember.State.STABLE;
        g.removeMember(holder);
        log.info("Static {} of {} replaced {}", replacement, g, holder.memberId);
        return replacement;
      }
      if (!joining) {
        if (holder == null) {
          throw Errors.UNKNOWN_MEMBER_ID.exception("Instance id " + instanceId + " is unknown.");
        }
        if (!holder.memberId.equals(memberId)) {
          throw Errors.FENCED_INSTANCE_ID.exception(
              "Static member "
                  + memberId
                  + " with instance id "
                  + instanceId
                  + " was fenced by member "
                  + holder.memberId
                  + ".");
        }
      }
    }
    if (joining) {
      if (existing == null) {
        if (g.members().size() >= config.maxSize()) {
          throw Errors.GROUP_MAX_SIZE_REACHED.exception(
              "The consumer group has reached its maximum capacity of "
                  + config.maxSize()
                  + " members.");
        }
        return new ConsumerGroupMember(memberId);
      }
      // A known member rejoining (after being fenced, it gave up everything it owned).
      existing.assigned = Map.of();
      existing.pendingRevocation = Map.of();
      existing.state = ConsumerGroupMember.State.STABLE;
      existing.setEpoch(0);
      existing.cancelRevocationDeadline();
      return existing;
    }
    if (existing == null) {
      throw Errors.UNKNOWN_MEMBER_ID.exception(
          "Member " + memberId + " is not a member of group " + g.groupId() + ".");
    }
    int epoch = req.memberEpoch();
    if (epoch > existing.memberEpoch
        || (epoch < existing.memberEpoch
            && (epoch != existing.previousMemberEpoch
                || !ConsumerReconciler.isSubset(req.topicPartitions(), existing.assigned)))) {
      // A smaller epoch is accepted only if it is the previous one and the member owns no more
      // than its assignment: the response that bumped it was lost.
      throw Errors.FENCED_MEMBER_EPOCH.exception(
          "The consumer group member has epoch "
              + epoch
              + " but the coordinator knows "
              + existing.memberEpoch
              + ". The member must abandon all its partitions and rejoin.");
    }
    return existing;
  }

  /** Applies what the request changed; whether the subscription changed. */
  static boolean update(
      ConsumerGroupMember m, GroupRequestContext ctx, ConsumerGroupHeartbeatRequestData req) {
    boolean changed = false;
    if (req.instanceId() != null) {
      m.instanceId = req.instanceId();
    }
    if (req.rackId() != null) {
      m.rackId = req.rackId();
    }
    if (req.rebalanceTimeoutMs() != -1) {
      m.rebalanceTimeoutMs = req.rebalanceTimeoutMs();
    }
    if (req.serverAssignor() != null && !req.serverAssignor().equals(m.serverAssignor)) {
      m.serverAssignor = req.serverAssignor();
      changed = true;
    }
    if (req.subscribedTopicNames() != null
        && !req.subscribedTopicNames().equals(m.subscribedTopicNames)) {
      m.subscribedTopicNames = List.copyOf(req.subscribedTopicNames());
      changed = true;
    }
    if (req.subscribedTopicRegex() != null
        && !req.subscribedTopicRegex().equals(Objects.toString(m.subscribedTopicRegex, ""))) {
      String regex = req.subscribedTopicRegex();
      m.subscribedTopicRegex = regex.isEmpty() ? null : regex;
      m.subscribedPattern = regex.isEmpty() ? null : ConsumerHeartbeatValidation.compile(regex);
      changed = true;
    }
    m.clientId = ctx.clientId();
    m.clientHost = ctx.clientHost();
    m.visibility = ctx.topics();
    return changed;
  }
}
