package dev.ferry.coordinator.share;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.protocol.Errors;

/**
 * Where share-group membership snapshots ({@link ShareGroupRecords}) are kept so that they survive
 * a coordinator move: the broker's group coordinator writes them to the group's {@code
 * __consumer_offsets} partition and hands them back when a broker loads that partition.
 */
public interface ShareGroupStore {

  /** Keeps nothing: membership lives as long as this coordinator (unit tests, tools). */
  ShareGroupStore NONE =
      new ShareGroupStore() {
        @Override
        public int partitionFor(String groupId) {
          return 0;
        }

        @Override
        public CompletableFuture<Errors> store(String groupId, byte[] snapshot) {
          return CompletableFuture.completedFuture(Errors.NONE);
        }
      };

  /** The {@code __consumer_offsets} partition that holds {@code groupId}. */
  int partitionFor(String groupId);

  /**
   * Writes the group's latest snapshot (a tombstone when null); completes with NONE once it is
   * durable, else with the error a heartbeat should answer. Called under the group's monitor, so
   * snapshots are written in the order of the changes they record.
   */
  CompletableFuture<Errors> store(String groupId, byte[] snapshot);
}
