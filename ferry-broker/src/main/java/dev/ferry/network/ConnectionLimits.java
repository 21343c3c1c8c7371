package dev.ferry.network;

/**
 * Per-connection pipelining bounds.
 *
 * @param maxInFlightRequests requests read but not yet answered on one connection; at the limit the
 *     server stops reading from it. Kafka's own broker uses 1 (it mutes the channel per request);
 *     more lets a producer's pipelined batches overlap with the log append and replication wait.
 * @param maxPendingResponseBytes serialized response bytes a connection may hold unwritten before
 *     the server stops reading from it, so a client that never reads cannot grow broker memory
 */
public record ConnectionLimits(int maxInFlightRequests, long maxPendingResponseBytes) {

  public static final ConnectionLimits DEFAULT = new ConnectionLimits(16, 4L * 1024 * 1024);

  public ConnectionLimits {
    if (maxInFlightRequests < 1) {
      throw new IllegalArgumentException(
          "maxInFlightRequests must be >= 1: " + maxInFlightRequests);
    }
    if (maxPendingResponseBytes < 0) {
      throw new IllegalArgumentException(
          "maxPendingResponseBytes must be >= 0: " + maxPendingResponseBytes);
    }
  }
}
