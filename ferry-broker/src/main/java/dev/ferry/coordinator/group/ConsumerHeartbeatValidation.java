package dev.ferry.coordinator.group;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import org.apache.kafka.common.errors.InvalidRegularExpression;
import org.apache.kafka.common.errors.InvalidRequestException;
import org.apache.kafka.common.errors.UnsupportedAssignorException;
import org.apache.kafka.common.message.ConsumerGroupHeartbeatRequestData;

/**
 * Kafka's checks of a ConsumerGroupHeartbeat request before it touches a group: required fields per
 * epoch, a known server assignor (UNSUPPORTED_ASSIGNOR), and a subscription regex RE2J accepts
 * (INVALID_REGULAR_EXPRESSION). Throws the error as an {@code ApiException}.
 */
final class ConsumerHeartbeatValidation {

  private ConsumerHeartbeatValidation() {}

  static void validate(
      ConsumerGroupHeartbeatRequestData req, short version, ConsumerGroupConfig config) {
    if (version >= 1
        || req.memberEpoch() > 0
        || req.memberEpoch() == ConsumerGroupMember.LEAVE_EPOCH) {
      requireNonEmpty(req.memberId(), "MemberId can't be empty.");
    }
    requireNonEmpty(req.groupId(), "GroupId can't be empty.");
    if (req.instanceId() != null) {
      requireNonEmpty(req.instanceId(), "InstanceId can't be empty.");
    }
    if (req.rackId() != null) {
      requireNonEmpty(req.rackId(), "RackId can't be empty.");
    }
    if (req.memberEpoch() == 0) {
      if (req.rebalanceTimeoutMs() == -1) {
        throw new InvalidRequestException("RebalanceTimeoutMs must be provided in first request.");
      }
      if (req.topicPartitions() == null || !req.topicPartitions().isEmpty()) {
        throw new InvalidRequestException("TopicPartitions must be empty when (re-)joining.");
      }
      if (req.subscribedTopicNames() == null && req.subscribedTopicRegex() == null) {
        throw new InvalidRequestException(
            "Either SubscribedTopicNames or SubscribedTopicRegex must be non-null when"
                + " (re-)joining.");
      }
    } else if (req.memberEpoch() == ConsumerGroupMember.STATIC_LEAVE_EPOCH) {
      if (req.instanceId() == null) {
        throw new InvalidRequestException("InstanceId can't be null.");
      }
    } else if (req.memberEpoch() < ConsumerGroupMember.STATIC_LEAVE_EPOCH) {
      throw new InvalidRequestException("MemberEpoch is invalid.");
    }
    if (req.serverAssignor() != null && !config.assignors().contains(req.serverAssignor())) {
      throw new UnsupportedAssignorException(
          "ServerAssignor "
              + req.serverAssignor()
              + " is not supported. Supported assignors: "
              + String.join(", ", config.assignors())
              + ".");
    }
    if (req.subscribedTopicRegex() != null && !req.subscribedTopicRegex().isEmpty()) {
      compile(req.subscribedTopicRegex());
    }
  }

  static void requireNonEmpty(String value, String message) {
    if (value == null || value.isEmpty()) {
      throw new InvalidRequestException(message);
    }
  }

  static Pattern compile(String regex) {
    try {
      return Pattern.compile(regex);
    } catch (PatternSyntaxException e) {
      throw new InvalidRegularExpression(
          "SubscribedTopicRegex `"
              + regex
              + "` is not a valid regular expression: "
              + e.getDescription()
              + ".");
    }
  }
}
