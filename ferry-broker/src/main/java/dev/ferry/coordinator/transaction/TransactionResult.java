package dev.ferry.coordinator.transaction;

import org.apache.kafka.common.protocol.Errors;

/** The answer to InitProducerId or EndTxn: an error, or the producer id and epoch to use. */
public record TransactionResult(Errors error, long producerId, short producerEpoch) {

  public static TransactionResult error(Errors error) {
    return new TransactionResult(error, -1, (short) -1);
  }
}
