package dev.ferry.coordinator.transaction;

import dev.ferry.coordinator.group.CoordinatorLog;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One {@code __transaction_state} partition led here: its log, the coordinator epoch (its leader
 * epoch) and the transactional ids loaded from it. A new instance per leadership term, so a task
 * started in an older term can tell it is stale ({@link TransactionPartitions#isCurrent}).
 */
final class OwnedPartition {
  final int partition;
  final int coordinatorEpoch;
  final CoordinatorLog log;
  final Map<String, TransactionMetadata> txns = new ConcurrentHashMap<>();
  volatile boolean loaded;

  OwnedPartition(int partition, int coordinatorEpoch, CoordinatorLog log) {
    this.partition = partition;
    this.coordinatorEpoch = coordinatorEpoch;
    this.log = log;
  }
}
