package dev.ferry.coordinator.share;

import java.util.LinkedHashMap;
import java.util.Map;

/** One share group's members and epoch; guarded by its own monitor. */
final class ShareGroup {

  final String groupId;
  final Map<String, ShareGroupMember> members = new LinkedHashMap<>();
  int epoch;

  /** Set when the coordinator gave the group up: requests that raced with that get an error. */
  boolean unloaded;

  ShareGroup(String groupId) {
    this.groupId = groupId;
  }

  /** Kafka's share group states: Empty without members, Stable with (no rebalancing to wait). */
  String state() {
    return members.isEmpty() ? "Empty" : "Stable";
  }
}
