package dev.ferry.coordinator.group;

import java.util.List;

/**
 * What is persisted about a group's membership: enough for a new coordinator to resume a stable
 * group without a rebalance (members keep heartbeating against it after a failover).
 *
 * @param protocolType e.g. "consumer"; null for a group that only commits offsets
 * @param generationId generation of the last completed join
 * @param protocolName the chosen assignor, null when empty
 * @param leaderId member id of the leader, null when empty
 * @param stateTimestampMs when the group entered its current state (expiry counts from here)
 * @param members the members with their subscription and assignment bytes
 */
public record GroupMetadataValue(
    String protocolType,
    int generationId,
    String protocolName,
    String leaderId,
    long stateTimestampMs,
    List<Member> members) {

  public GroupMetadataValue {
    members = List.copyOf(members);
  }

  /** One member as persisted. */
  public record Member(
      String memberId,
      String groupInstanceId,
      String clientId,
      String clientHost,
      int rebalanceTimeoutMs,
      int sessionTimeoutMs,
      byte[] subscription,
      byte[] assignment) {}
}
