package dev.ferry.coordinator.group;

import java.nio.ByteBuffer;

/**
 * Groups of another kind whose state the group coordinator keeps in {@code __consumer_offsets}
 * (share groups, KIP-932), loaded and dropped with the partition that holds them, so they move with
 * coordination as classic and consumer groups do. The coordinator only stores and replays their
 * snapshots; what a snapshot means is the implementation's business.
 */
public interface HostedGroups {

  /**
   * The latest snapshot of {@code groupId}, replayed while {@code offsetsPartition} loads: before
   * the partition serves requests. Called on the coordinator's loader thread.
   */
  void restore(int offsetsPartition, String groupId, ByteBuffer snapshot);

  /** The coordinator no longer serves {@code offsetsPartition} (or reloads it): drop its groups. */
  void unload(int offsetsPartition);
}
