package dev.ferry.coordinator.share;

import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Where share-partition state is kept durably. A write completes only once the state survives the
 * loss of this broker, so an acknowledgement is answered only after it is durable. Reads, deletes
 * and key listings may block (call them off the network threads); writes must not.
 */
public interface ShareStateStore {

  Optional<ShareStateSnapshot> read(SharePartitionKey key) throws IOException;

  /**
   * Writes {@code state} as {@code key}'s state. Completes once it is durable, or exceptionally
   * (FENCED_LEADER_EPOCH when a leader of a newer epoch wrote the state already).
   *
   * @param leaderEpoch the writing share-partition leader's epoch of the data partition; -1 for an
   *     admin write, which no epoch fences
   */
  CompletableFuture<Void> write(SharePartitionKey key, int leaderEpoch, ShareStateSnapshot state);

  /** Forgets a share-partition's state (DeleteShareGroupOffsets); nothing when there is none. */
  void delete(SharePartitionKey key) throws IOException;

  /** The share-partitions of {@code groupId} with state here (DescribeShareGroupOffsets). */
  List<SharePartitionKey> keys(String groupId) throws IOException;
}
