package dev.ferry.coordinator.group;

import java.util.Locale;
import java.util.Optional;

/** States of a classic group, with the names Kafka tools print and ListGroups filters on. */
public enum GroupState {
  /** No members; may still hold committed offsets. */
  EMPTY("Empty"),
  /** Waiting for members to (re)join; JoinGroup requests are parked until the join completes. */
  PREPARING_REBALANCE("PreparingRebalance"),
  /** Join done, waiting for the leader's assignment in SyncGroup. */
  COMPLETING_REBALANCE("CompletingRebalance"),
  /** Everyone has an assignment; members heartbeat. */
  STABLE("Stable"),
  /** Removed (deleted, expired or unloaded); the object must no longer be used. */
  DEAD("Dead");

  private final String displayName;

  GroupState(String displayName) {
    this.displayName = displayName;
  }

  /**
   * Whether a group may move to this state from {@code previous}: the classic protocol's state
   * machine, as Kafka's coordinator enforces it. Any state may die (deletion, expiry, unload).
   */
  public boolean canFollow(GroupState previous) {
    return switch (this) {
      case PREPARING_REBALANCE ->
          previous == STABLE || previous == COMPLETING_REBALANCE || previous == EMPTY;
      case COMPLETING_REBALANCE -> previous == PREPARING_REBALANCE;
      case STABLE -> previous == COMPLETING_REBALANCE;
      case EMPTY -> previous == PREPARING_REBALANCE;
      case DEAD -> true;
    };
  }

  /** The name used on the wire (DescribeGroups, ListGroups). */
  public String displayName() {
    return displayName;
  }

  /** Parses a wire name case-insensitively (ListGroups states filter). */
  public static Optional<GroupState> parse(String name) {
    String n = name.trim().toLowerCase(Locale.ROOT);
    for (GroupState s : values()) {
      if (s.displayName.toLowerCase(Locale.ROOT).equals(n)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
