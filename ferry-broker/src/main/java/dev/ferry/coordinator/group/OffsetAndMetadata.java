package dev.ferry.coordinator.group;

/**
 * A committed offset as a group stored it.
 *
 * @param offset the next offset the group will consume
 * @param leaderEpoch leader epoch of the committed record, or -1 if the client sent none
 * @param metadata the client's free-form string (may be null)
 * @param commitTimestampMs broker time of the commit; drives expiry of standalone offsets
 */
public record OffsetAndMetadata(
    long offset, int leaderEpoch, String metadata, long commitTimestampMs) {

  public static final int NO_LEADER_EPOCH = -1;
}
