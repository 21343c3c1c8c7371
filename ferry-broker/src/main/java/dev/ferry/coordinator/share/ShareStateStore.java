package dev.ferry.coordinator.share;

import java.io.IOException;
import java.util.List;
import java.util.Optional;

/**
 * Where share-partition state is kept durably. A write returns only once the state survives a
 * crash, so an acknowledgement is answered only after it is durable.
 */
public interface ShareStateStore {

  Optional<ShareStateSnapshot> read(SharePartitionKey key) throws IOException;

  void write(SharePartitionKey key, ShareStateSnapshot state) throws IOException;

  /** Forgets a share-partition's state (DeleteShareGroupOffsets); nothing when there is none. */
  void delete(SharePartitionKey key) throws IOException;

  /** The share-partitions of {@code groupId} with state here (DescribeShareGroupOffsets). */
  List<SharePartitionKey> keys(String groupId) throws IOException;
}
