package dev.ferry.storage.producer;

/**
 * A producer a partition knows (DescribeProducers): its epoch, last sequence and timestamp, the
 * coordinator epoch of its last marker, and where its open transaction began (-1 if none).
 */
public record ActiveProducer(
    long producerId,
    short producerEpoch,
    int lastSequence,
    long lastTimestamp,
    int coordinatorEpoch,
    long currentTxnStartOffset) {}
