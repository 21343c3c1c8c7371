package dev.ferry.storage.txn;

/**
 * An aborted transaction in a partition: its producer, the offsets of its first batch and of its
 * ABORT marker, and the last stable offset when it was aborted (as Kafka's {@code .txnindex}
 * entries hold them). Fetches at read_committed return these so consumers drop the data.
 */
public record AbortedTxn(
    long producerId, long firstOffset, long lastOffset, long lastStableOffset) {}
