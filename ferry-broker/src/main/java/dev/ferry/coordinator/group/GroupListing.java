package dev.ferry.coordinator.group;

/**
 * One group as ListGroups shows it.
 *
 * @param groupId the group
 * @param protocolType "consumer", "connect", ... or "" for a group used only to store offsets
 * @param state the group's state as tools print it ("Stable", "Empty", ...)
 * @param type "classic" or "consumer" (the protocol the group's members speak)
 */
public record GroupListing(String groupId, String protocolType, String state, String type) {}
