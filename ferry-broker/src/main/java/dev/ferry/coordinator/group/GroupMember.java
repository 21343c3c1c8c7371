package dev.ferry.coordinator.group;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;

/**
 * One member of a classic group. Mutable; every field is guarded by the owning {@link
 * ClassicGroup}'s lock.
 */
final class GroupMember {

  static final byte[] NO_BYTES = new byte[0];

  /** One protocol (assignor) the member supports, with its subscription bytes. */
  record Protocol(String name, byte[] metadata) {
    boolean sameAs(Protocol other) {
      return name.equals(other.name) && Arrays.equals(metadata, other.metadata);
    }
  }

  final String memberId;
  final String groupInstanceId;
  String clientId;
  String clientHost;
  int rebalanceTimeoutMs;
  int sessionTimeoutMs;

  /** In the member's order of preference. */
  List<Protocol> protocols;

  byte[] assignment = NO_BYTES;

  /** A parked JoinGroup, answered when the join phase completes. */
  CompletableFuture<JoinGroupResponseData> awaitingJoin;

  /** A parked SyncGroup, answered when the leader's assignment arrives. */
  CompletableFuture<SyncGroupResponseData> awaitingSync;

  /** The JoinGroup version of the parked join (shapes the response). */
  short joinVersion;

  /** Sent SyncGroup in the current generation (members that never do are removed). */
  boolean synced;

  /** The session expires at this time unless the member heartbeats again. */
  long sessionDeadlineMs;

  /** The one pending session check for this member, or null. */
  ScheduledFuture<?> sessionCheck;

  GroupMember(
      String memberId,
      String groupInstanceId,
      String clientId,
      String clientHost,
      int rebalanceTimeoutMs,
      int sessionTimeoutMs,
      List<Protocol> protocols) {
    this.memberId = memberId;
    this.groupInstanceId = groupInstanceId;
    this.clientId = clientId;
    this.clientHost = clientHost;
    this.rebalanceTimeoutMs = rebalanceTimeoutMs;
    this.sessionTimeoutMs = sessionTimeoutMs;
    this.protocols = List.copyOf(protocols);
  }

  boolean isStatic() {
    return groupInstanceId != null;
  }

  boolean isAwaitingJoin() {
    return awaitingJoin != null;
  }

  boolean isAwaitingSync() {
    return awaitingSync != null;
  }

  boolean supports(String protocolName) {
    for (Protocol p : protocols) {
      if (p.name.equals(protocolName)) {
        return true;
      }
    }
    return false;
  }

  /** The member's metadata for {@code protocolName}, or empty bytes if it does not support it. */
  byte[] metadata(String protocolName) {
    for (Protocol p : protocols) {
      if (p.name.equals(protocolName)) {
        return p.metadata;
      }
    }
    return NO_BYTES;
  }

  /** Same protocols with the same subscription bytes in the same order. */
  boolean sameProtocols(List<Protocol> other) {
    if (other.size() != protocols.size()) {
      return false;
    }
    for (int i = 0; i < other.size(); i++) {
      if (!protocols.get(i).sameAs(other.get(i))) {
        return false;
      }
    }
    return true;
  }

  void cancelSessionCheck() {
    if (sessionCheck != null) {
      sessionCheck.cancel(false);
      sessionCheck = null;
    }
  }

  @Override
  public String toString() {
    return "GroupMember("
        + memberId
        + (groupInstanceId == null ? "" : ", instance " + groupInstanceId)
        + ", client "
        + clientId
        + "/"
        + clientHost
        + ")";
  }
}
