package dev.ferry.network;

/**
 * Network settings, named after Kafka's broker configs.
 *
 * @param host the address to bind (from {@code listeners})
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
    int maxConnections) {}
