package dev.ferry.coordinator.group;

import com.google.re2j.Pattern;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import org.apache.kafka.common.Uuid;

/**
 * One member of a consumer-protocol group. Mutable; every field is guarded by the owning {@link
 * ConsumerGroup}'s lock.
 */
final class ConsumerGroupMember {

  /** Epoch a member sends to leave; also the response epoch of a member that left. */
  static final int LEAVE_EPOCH = -1;

  /** Epoch a static member sends to leave for a while, keeping its assignment for a restart. */
  static final int STATIC_LEAVE_EPOCH = -2;

  /** Where a member is in reaching its target assignment (Kafka's MemberState). */
  enum State {
    /** Owns its whole target at the group's assignment epoch. */
    STABLE,
    /** Must give up partitions first; keeps its epoch until it reports them revoked. */
    UNREVOKED_PARTITIONS,
    /** At the new epoch, waiting for partitions other members still have to release. */
    UNRELEASED_PARTITIONS
  }

  String memberId;
  String instanceId;
  String rackId;
  String clientId;
  String clientHost;
  int rebalanceTimeoutMs;
  List<String> subscribedTopicNames = List.of();
  String subscribedTopicRegex;
  Pattern subscribedPattern;

  /**
   * What the member's principal may describe, from its last heartbeat; a member loaded from the
   * offsets topic has not sent one yet and sees what its pattern matches until it does.
   */
  TopicVisibility visibility = TopicVisibility.ALL;

  String serverAssignor;

  int memberEpoch;
  int previousMemberEpoch;
  State state = State.STABLE;

  /** Partitions the member may own now (topic id to partition numbers). */
  Map<Uuid, Set<Integer>> assigned = Map.of();

  /** Partitions the member must revoke before others get them. */
  Map<Uuid, Set<Integer>> pendingRevocation = Map.of();

  /**
   * Set for a member that speaks the classic protocol (JoinGroup/SyncGroup/Heartbeat) inside a
   * consumer-protocol group during an online migration; null for consumer-protocol members.
   */
  ClassicMetadata classic;

  /** What a classic-protocol member told in its last JoinGroup. */
  record ClassicMetadata(int sessionTimeoutMs, List<GroupMember.Protocol> protocols) {
    ClassicMetadata {
      protocols = List.copyOf(protocols);
    }

    /** The protocol the member prefers, whose name its JoinGroup and SyncGroup answers carry. */
    GroupMember.Protocol preferred() {
      return protocols.get(0);
    }

    boolean supports(String name) {
      return protocols.stream().anyMatch(p -> p.name().equals(name));
    }
  }

  long sessionDeadlineMs;
  ScheduledFuture<?> sessionCheck;
  ScheduledFuture<?> revocationDeadline;

  ConsumerGroupMember(String memberId) {
    this.memberId = memberId;
  }

  boolean subscribesTo(String topic) {
    return subscribedTopicNames.contains(topic) || matchesPattern(topic);
  }

  /**
   * Whether the member's regex subscription resolves to {@code topic}: it matches and is visible.
   */
  boolean matchesPattern(String topic) {
    return subscribedPattern != null
        && subscribedPattern.matcher(topic).matches()
        && visibility.mayDescribe(topic);
  }

  boolean usesClassicProtocol() {
    return classic != null;
  }

  boolean hasSubscription() {
    return !subscribedTopicNames.isEmpty() || subscribedPattern != null;
  }

  void setEpoch(int epoch) {
    previousMemberEpoch = memberEpoch;
    memberEpoch = epoch;
  }

  void cancelTimers() {
    if (sessionCheck != null) {
      sessionCheck.cancel(false);
      sessionCheck = null;
    }
    cancelRevocationDeadline();
  }

  void cancelRevocationDeadline() {
    if (revocationDeadline != null) {
      revocationDeadline.cancel(false);
      revocationDeadline = null;
    }
  }

  @Override
  public String toString() {
    return "member " + memberId + (instanceId == null ? "" : " (instance " + instanceId + ")");
  }
}
