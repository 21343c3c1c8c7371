package dev.ferry.coordinator.group;

import java.util.List;
import org.apache.kafka.common.protocol.Errors;

/**
 * Groups of this coordinator.
 *
 * @param error COORDINATOR_LOAD_IN_PROGRESS while some owned partition still loads (the list then
 *     has only the loaded partitions' groups), else NONE
 * @param groups the matching groups
 */
public record ListGroupsResult(Errors error, List<GroupListing> groups) {}
