package dev.ferry.network;

import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts connections, enforces {@code max.connections}, tunes each socket and hands it to the
 * processors in turn (round-robin).
 */
final class Acceptor implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(Acceptor.class);

  private final ServerSocketChannel serverChannel;
  private final Selector selector;
  private final Processor[] processors;
  private final SocketServerConfig config;
  private final NetworkMetrics metrics;
  private final AtomicInteger connectionCount;
  private int nextProcessor;
  private volatile boolean running = true;

  Acceptor(
      ServerSocketChannel serverChannel,
      Processor[] processors,
      SocketServerConfig config,
      NetworkMetrics metrics,
      AtomicInteger connectionCount)
      throws IOException {
    this.serverChannel = serverChannel;
    this.selector = Selector.open();
    this.processors = processors;
    this.config = config;
    this.metrics = metrics;
    this.connectionCount = connectionCount;
    serverChannel.configureBlocking(false);
    serverChannel.register(selector, SelectionKey.OP_ACCEPT);
  }

  void initiateShutdown() {
    running = false;
    selector.wakeup();
  }

  @Override
  public void run() {
    try {
      while (running) {
        try {
          selector.select(500);
          selector.selectedKeys().clear();
          acceptAll();
        } catch (Throwable t) {
          // E.g. "Too many open files": keep serving existing connections, retry shortly.
          log.error("Error accepting connections; retrying", t);
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
      }
    } finally {
      closeQuietly(serverChannel);
      closeQuietly(selector);
    }
  }

  private void acceptAll() throws IOException, InterruptedException {
    SocketChannel channel;
    while (running && (channel = serverChannel.accept()) != null) {
      SocketAddress remote = remoteAddress(channel);
      if (connectionCount.incrementAndGet() > config.maxConnections()) {
        connectionCount.decrementAndGet();
        metrics.connectionRejected();
        log.warn(
            "Rejecting connection from {}: max.connections={} reached",
            remote,
            config.maxConnections());
        closeQuietly(channel);
        continue;
      }
      try {
        configure(channel);
      } catch (IOException e) {
        log.warn("Closing connection from {}: cannot configure socket: {}", remote, e.toString());
        connectionCount.decrementAndGet();
        closeQuietly(channel);
        continue;
      }
      Processor processor = processors[nextProcessor];
      nextProcessor = (nextProcessor + 1) % processors.length;
      if (!processor.assign(channel)) {
        log.warn(
            "Closing connection from {}: {} is not taking connections", remote, processor.name());
        connectionCount.decrementAndGet();
        closeQuietly(channel);
      }
    }
  }

  private void configure(SocketChannel channel) throws IOException {
    channel.configureBlocking(false);
    channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
    channel.setOption(StandardSocketOptions.SO_KEEPALIVE, true);
    if (config.sendBufferBytes() != -1) {
      channel.setOption(StandardSocketOptions.SO_SNDBUF, config.sendBufferBytes());
    }
  }

  private static SocketAddress remoteAddress(SocketChannel channel) {
    try {
      return channel.getRemoteAddress();
    } catch (IOException e) {
      return null;
    }
  }

  private static void closeQuietly(java.io.Closeable closeable) {
    try {
      closeable.close();
    } catch (IOException e) {
      // Nothing useful to do while closing.
    }
  }
}
