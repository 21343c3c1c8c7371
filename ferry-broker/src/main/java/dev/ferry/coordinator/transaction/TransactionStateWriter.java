package dev.ferry.coordinator.transaction;

import static dev.ferry.coordinator.transaction.TransactionCoordinator.TRANSACTION_STATE_TOPIC;

import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.errors.ApiException;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Durable writes to {@code __transaction_state}: one record per state change, keyed by the
 * transactional id, and a tombstone when an id expires. A state takes effect in memory only once
 * its write is in the log (and replicated, as the partition's log decides).
 */
final class TransactionStateWriter {

  private static final Logger log = LoggerFactory.getLogger(TransactionStateWriter.class);

  private final Time time;
  private final TransactionPartitions partitions;

  TransactionStateWriter(Time time, TransactionPartitions partitions) {
    this.time = time;
    this.partitions = partitions;
  }

  /**
   * Writes {@code next} as the id's state (the caller reserved it with {@link
   * TransactionMetadata#prepare}); on success it becomes current, otherwise it is abandoned and the
   * error is one a client answers by finding the coordinator again.
   */
  CompletableFuture<Errors> write(OwnedPartition p, TransactionMetadata m, TransactionRecord next) {
    MemoryRecords records =
        MemoryRecords.withRecords(
            Compression.NONE,
            new SimpleRecord(
                time.milliseconds(),
                TransactionLogRecords.key(m.transactionalId),
                TransactionLogRecords.value(next)));
    return append(p, records)
        .thenApply(
            error -> {
              synchronized (m) {
                if (error == Errors.NONE && partitions.isCurrent(p)) {
                  m.complete(next);
                  return Errors.NONE;
                }
                m.abandon(next);
                return error == Errors.NONE ? Errors.NOT_COORDINATOR : error;
              }
            });
  }

  /** Removes an expired id: a tombstone, then the id is forgotten here. */
  void writeTombstone(OwnedPartition p, TransactionMetadata m, TransactionRecord dead) {
    MemoryRecords records =
        MemoryRecords.withRecords(
            Compression.NONE,
            new SimpleRecord(
                time.milliseconds(), TransactionLogRecords.key(m.transactionalId), null));
    append(p, records)
        .thenAccept(
            error -> {
              synchronized (m) {
                if (error == Errors.NONE) {
                  m.complete(dead);
                  p.txns.remove(m.transactionalId, m);
                  log.info("Expired transactional id {}", m.transactionalId);
                } else {
                  m.abandon(dead);
                }
              }
            });
  }

  private CompletableFuture<Errors> append(OwnedPartition p, MemoryRecords records) {
    CompletableFuture<?> appended;
    try {
      appended = p.log.append(records);
    } catch (RuntimeException e) {
      appended = CompletableFuture.failedFuture(e);
    }
    return appended.handle(
        (r, err) -> {
          if (err == null) {
            return Errors.NONE;
          }
          Throwable cause =
              err instanceof java.util.concurrent.CompletionException ? err.getCause() : err;
          log.warn(
              "Write to {}-{} failed: {}", TRANSACTION_STATE_TOPIC, p.partition, cause.toString());
          // As Kafka's coordinator: any failure to make the state durable here means the client
          // should find the coordinator again (it moved, or this broker cannot write).
          Errors e =
              cause instanceof ApiException
                  ? Errors.forException(cause)
                  : Errors.UNKNOWN_SERVER_ERROR;
          return switch (e) {
            case NOT_LEADER_OR_FOLLOWER,
                UNKNOWN_TOPIC_OR_PARTITION,
                NOT_ENOUGH_REPLICAS,
                NOT_ENOUGH_REPLICAS_AFTER_APPEND,
                REQUEST_TIMED_OUT,
                KAFKA_STORAGE_ERROR,
                FENCED_LEADER_EPOCH,
                UNKNOWN_SERVER_ERROR ->
                Errors.NOT_COORDINATOR;
            default -> e;
          };
        });
  }
}
