package dev.ferry.network;

import java.util.Objects;

/**
 * Network settings, named after Kafka's broker configs.
 *
 * @param host the address to bind (from {@code listeners}); empty binds every interface
 * @param port the port to bind; 0 picks a free one
 * @param networkThreads {@code num.network.threads}: selector threads owning connections
 * @param maxRequestBytes {@code socket.request.max.bytes}
 * @param connectionsMaxIdleMs {@code connections.max.idle.ms}
 * @param sendBufferBytes {@code socket.send.buffer.bytes} (-1: OS default)
 * @param receiveBufferBytes {@code socket.receive.buffer.bytes} (-1: OS default)
 * @param maxConnections {@code max.connections}
 */
public record SocketServerConfig(
    String host,
    int port,
    int networkThreads,
    int maxRequestBytes,
    long connectionsMaxIdleMs,
    int sendBufferBytes,
    int receiveBufferBytes,
    int maxConnections) {

  /** Kafka's default for {@code num.network.threads}. */
  public static final int DEFAULT_NETWORK_THREADS = 3;

  /** Kafka's default for {@code socket.request.max.bytes} (100 MiB). */
  public static final int DEFAULT_MAX_REQUEST_BYTES = 100 * 1024 * 1024;

  /** Kafka's default for {@code connections.max.idle.ms} (10 minutes). */
  public static final long DEFAULT_CONNECTIONS_MAX_IDLE_MS = 10 * 60 * 1000L;

  /**
   * Kafka's default for {@code socket.send.buffer.bytes} and {@code socket.receive.buffer.bytes}.
   */
  public static final int DEFAULT_SOCKET_BUFFER_BYTES = 100 * 1024;

  public SocketServerConfig {
    Objects.requireNonNull(host, "host");
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port must be in [0, 65535]: " + port);
    }
    if (networkThreads < 1) {
      throw new IllegalArgumentException("num.network.threads must be >= 1: " + networkThreads);
    }
    if (maxRequestBytes < 1) {
      throw new IllegalArgumentException(
          "socket.request.max.bytes must be >= 1: " + maxRequestBytes);
    }
    if (connectionsMaxIdleMs < 1) {
      throw new IllegalArgumentException(
          "connections.max.idle.ms must be >= 1: " + connectionsMaxIdleMs);
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException("max.connections must be >= 1: " + maxConnections);
    }
  }

  /** Kafka's defaults for everything but the address. */
  public static SocketServerConfig defaults(String host, int port) {
    return new SocketServerConfig(
        host,
        port,
        DEFAULT_NETWORK_THREADS,
        DEFAULT_MAX_REQUEST_BYTES,
        DEFAULT_CONNECTIONS_MAX_IDLE_MS,
        DEFAULT_SOCKET_BUFFER_BYTES,
        DEFAULT_SOCKET_BUFFER_BYTES,
        Integer.MAX_VALUE);
  }
}
