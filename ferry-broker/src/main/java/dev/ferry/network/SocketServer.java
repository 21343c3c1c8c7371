package dev.ferry.network;

import java.io.Closeable;

/**
 * Non-blocking Kafka-protocol server: one acceptor thread and a fixed set of processor threads,
 * each owning a selector and its connections.
 */
public final class SocketServer implements Closeable {

  public SocketServer(SocketServerConfig config, RequestDispatcher dispatcher) {
    throw new UnsupportedOperationException("TODO");
  }

  /** Binds and starts accepting. */
  public void start() {
    throw new UnsupportedOperationException("TODO");
  }

  /** The port actually bound (useful with port 0). */
  public int boundPort() {
    throw new UnsupportedOperationException("TODO");
  }

  /** Stops accepting, closes every connection and joins the threads (bounded wait). */
  @Override
  public void close() {
    throw new UnsupportedOperationException("TODO");
  }
}
