package dev.ferry.network;

import org.apache.kafka.common.protocol.ApiKeys;

/**
 * Hook through which the network layer reports what it does. Every method has a no-op default so a
 * backend implements only what it records.
 *
 * <p>Methods are called from the acceptor and from every processor thread concurrently, on the hot
 * path: implementations must be thread-safe, must not block and should not allocate.
 */
public interface NetworkMetrics {

  /** Records nothing. */
  NetworkMetrics NOOP = new NetworkMetrics() {};

  /** A connection was accepted and handed to a processor. */
  default void connectionOpened() {}

  /** A connection was closed, for whatever reason (client, idle, bad input, shutdown). */
  default void connectionClosed() {}

  /** A connection was refused because {@code max.connections} was reached. */
  default void connectionRejected() {}

  /** A connection was closed because it sent a frame that could not be turned into a request. */
  default void invalidRequest() {}

  /** A client authenticated (SASL, or re-authenticated). */
  default void authenticationSucceeded() {}

  /** A TLS handshake or SASL authentication failed; its connection closes. */
  default void authenticationFailed() {}

  /** Bytes read from a client socket (size prefixes included). */
  default void bytesReceived(long bytes) {}

  /** Bytes written to a client socket (including bytes sent from files with sendfile). */
  default void bytesSent(long bytes) {}

  /**
   * A request is finished: its response was fully written to the socket, or the handler chose not
   * to answer (acks=0 produce).
   *
   * @param latencyNanos from the moment the whole request was read to that point
   */
  default void requestCompleted(ApiKeys apiKey, long latencyNanos) {}
}
