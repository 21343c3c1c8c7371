package dev.ferry.coordinator.transaction;

import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;

/**
 * Writes COMMIT or ABORT markers to the leaders of a transaction's partitions (WriteTxnMarkers).
 * The future completes once every partition has its marker or no longer exists; an implementation
 * retries leader changes and unreachable brokers itself, and stops when {@code stillCoordinator}
 * turns false (the next coordinator redoes the markers after it loads the state).
 */
public interface TransactionMarkerSender {

  /** One transaction's markers. */
  record Markers(
      long producerId,
      short producerEpoch,
      boolean commit,
      int coordinatorEpoch,
      byte transactionVersion,
      Set<TopicPartition> partitions) {}

  CompletableFuture<Void> send(
      Markers markers, java.util.function.BooleanSupplier stillCoordinator);
}
