package dev.ferry.replication;

import dev.ferry.metadata.PartitionState;

/**
 * Where a leader's partition sends the ISR expansions its followers' fetches earn, and who may join
 * an ISR at all. The {@link ReplicaManager} writes them through the {@link IsrUpdater}.
 */
interface IsrExpansions {

  /** Whether a caught-up follower on {@code brokerId} may join an ISR. */
  boolean eligible(int brokerId);

  /** Writes {@code expansion} (begun on {@code partition}); must settle it either way. */
  void submit(Partition partition, PartitionState expansion);

  /** Nobody writes ISR changes (a single broker): every expansion is dropped at once. */
  IsrExpansions NONE =
      new IsrExpansions() {
        @Override
        public boolean eligible(int brokerId) {
          return true;
        }

        @Override
        public void submit(Partition partition, PartitionState expansion) {
          partition.abortIsrChange(expansion);
        }
      };
}
