package dev.ferry.coordinator.transaction;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.utils.Utils;

/**
 * The {@code __transaction_state} partitions this broker leads, by partition number, and which
 * partition a transactional id lives in (as Kafka maps it: hash of the id modulo {@code
 * transaction.state.log.num.partitions}). Concurrent: leadership changes and requests meet here.
 */
final class TransactionPartitions {

  private final int numPartitions;
  private final Map<Integer, OwnedPartition> owned = new ConcurrentHashMap<>();

  TransactionPartitions(int numPartitions) {
    this.numPartitions = numPartitions;
  }

  int partitionFor(String transactionalId) {
    return Utils.abs(transactionalId.hashCode()) % numPartitions;
  }

  /** The partition holding {@code transactionalId} if it is led here, else null. */
  OwnedPartition forId(String transactionalId) {
    return owned.get(partitionFor(transactionalId));
  }

  OwnedPartition get(int partition) {
    return owned.get(partition);
  }

  void add(OwnedPartition p) {
    owned.put(p.partition, p);
  }

  OwnedPartition remove(int partition) {
    return owned.remove(partition);
  }

  /** Removes {@code p} unless a newer term of its partition replaced it already. */
  void removeIfCurrent(OwnedPartition p) {
    owned.remove(p.partition, p);
  }

  /** Whether {@code p} is still this broker's current term of its partition. */
  boolean isCurrent(OwnedPartition p) {
    return owned.get(p.partition) == p;
  }

  Collection<OwnedPartition> all() {
    return owned.values();
  }

  boolean anyLoading() {
    for (OwnedPartition p : owned.values()) {
      if (!p.loaded) {
        return true;
      }
    }
    return false;
  }

  void clear() {
    owned.clear();
  }

  /** NOT_COORDINATOR or COORDINATOR_LOAD_IN_PROGRESS for a partition not ready here; else null. */
  static Errors availability(OwnedPartition p) {
    if (p == null) {
      return Errors.NOT_COORDINATOR;
    }
    if (!p.loaded) {
      return Errors.COORDINATOR_LOAD_IN_PROGRESS;
    }
    return null;
  }
}
