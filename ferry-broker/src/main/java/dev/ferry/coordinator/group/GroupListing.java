package dev.ferry.coordinator.group;

/**
 * One group as ListGroups shows it.
 *
 * @param groupId the group
 * @param protocolType "consumer", "connect", ... or "" for a group used only to store offsets
 * @param state the group's state
 */
public record GroupListing(String groupId, String protocolType, GroupState state) {}
