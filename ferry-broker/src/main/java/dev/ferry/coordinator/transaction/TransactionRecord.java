package dev.ferry.coordinator.transaction;

import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * One immutable state of a transactional id: what is written to {@code __transaction_state} and
 * what the coordinator holds in memory once the write is durable.
 *
 * @param producerEpoch the current epoch; -1 before the first InitProducerId completes
 * @param lastProducerEpoch the epoch before the latest bump, so a retried request can be recognised
 *     (-1 if none)
 * @param partitions partitions in the open (or completing) transaction
 * @param startTimestamp when the open transaction began; -1 when none is open
 * @param clientTransactionVersion 2 when the client uses transactions v2 (KIP-890 part 2)
 */
public record TransactionRecord(
    long producerId,
    long previousProducerId,
    long nextProducerId,
    short producerEpoch,
    short lastProducerEpoch,
    int timeoutMs,
    TransactionState state,
    Set<TopicPartition> partitions,
    long startTimestamp,
    long lastUpdateTimestamp,
    byte clientTransactionVersion) {

  public TransactionRecord {
    partitions = Set.copyOf(partitions);
  }

  TransactionRecord withState(TransactionState next, long now) {
    return new TransactionRecord(
        producerId,
        previousProducerId,
        nextProducerId,
        producerEpoch,
        lastProducerEpoch,
        timeoutMs,
        next,
        partitions,
        startTimestamp,
        now,
        clientTransactionVersion);
  }

  boolean usesV2() {
    return clientTransactionVersion >= 2;
  }
}
