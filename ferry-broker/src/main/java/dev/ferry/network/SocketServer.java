package dev.ferry.network;

import dev.ferry.runtime.BrokerThreads;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Non-blocking Kafka-protocol server: one acceptor thread and a fixed set of processor threads,
 * each owning a selector and its connections.
 *
 * <p>Threading contract for the {@link RequestDispatcher}: {@code dispatch} is called on the
 * processor thread that owns the connection, in the order requests arrive on it; up to {@link
 * ConnectionLimits#maxInFlightRequests()} requests of one connection may be outstanding at once and
 * their futures may complete in any order, on any thread. Responses are written in request order.
 *
 * <p>Threads are daemon threads: the broker's main thread must wait for shutdown itself.
 */
public final class SocketServer implements Closeable {

  private static final Logger log = LoggerFactory.getLogger(SocketServer.class);

  /** Bound on the whole of {@link #close()} waiting for threads to stop. */
  private static final long SHUTDOWN_TIMEOUT_MS = 10_000;

  private final SocketServerConfig config;
  private final RequestDispatcher dispatcher;
  private final NetworkMetrics metrics;
  private final ConnectionLimits limits;
  private final ChannelBuilder channelBuilder;
  private final Time time;
  private final AtomicInteger connectionCount = new AtomicInteger();

  private ServerSocketChannel serverChannel;
  private Acceptor acceptor;
  private Thread acceptorThread;
  private Processor[] processors;
  private Thread[] processorThreads;
  private int boundPort = -1;
  private boolean started;
  private boolean closed;

  public SocketServer(SocketServerConfig config, RequestDispatcher dispatcher) {
    this(config, dispatcher, NetworkMetrics.NOOP);
  }

  public SocketServer(
      SocketServerConfig config, RequestDispatcher dispatcher, NetworkMetrics metrics) {
    this(config, dispatcher, metrics, ConnectionLimits.DEFAULT);
  }

  public SocketServer(
      SocketServerConfig config,
      RequestDispatcher dispatcher,
      NetworkMetrics metrics,
      ConnectionLimits limits) {
    this(
        config,
        dispatcher,
        metrics,
        limits,
        ChannelBuilder.plaintext(NetworkRequest.DEFAULT_LISTENER));
  }

  /** A server for one listener, whose security protocol {@code channelBuilder} implements. */
  public SocketServer(
      SocketServerConfig config,
      RequestDispatcher dispatcher,
      NetworkMetrics metrics,
      ConnectionLimits limits,
      ChannelBuilder channelBuilder) {
    this(config, dispatcher, metrics, limits, channelBuilder, Time.SYSTEM);
  }

  /**
   * As above, on {@code time}: connection idle timeouts, request latencies and the shutdown
   * deadline are read on it.
   */
  public SocketServer(
      SocketServerConfig config,
      RequestDispatcher dispatcher,
      NetworkMetrics metrics,
      ConnectionLimits limits,
      ChannelBuilder channelBuilder,
      Time time) {
    this.time = Objects.requireNonNull(time, "time");
    this.channelBuilder = Objects.requireNonNull(channelBuilder, "channelBuilder");
    this.config = Objects.requireNonNull(config, "config");
    this.dispatcher = Objects.requireNonNull(dispatcher, "dispatcher");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  /**
   * Opens the listening socket on the configured address without accepting yet: clients that
   * connect from now on wait in the kernel's accept backlog, their first requests unread, until
   * {@link #start()}. A broker binds first thing and serves once it is ready, as Kafka's broker
   * binds its listeners early in its start and enables request processing at the end: a client
   * polling for a starting broker is connected at once and answered as soon as the broker is ready,
   * instead of being refused and backing off (the client's reconnect backoff grows to {@code
   * reconnect.backoff.max.ms}).
   *
   * @return the bound port (resolves port 0)
   * @throws UncheckedIOException if the address cannot be bound
   * @throws IllegalStateException after {@link #close()}
   */
  public synchronized int bind() {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    if (serverChannel == null) {
      adopt(listen(config));
    }
    return boundPort;
  }

  /**
   * A listening socket for {@code config}'s address, opened before its server is built (a broker
   * binds before it has handlers to serve with); hand it to the server with {@link #adopt}.
   *
   * @throws UncheckedIOException if the address cannot be bound
   */
  public static ServerSocketChannel listen(SocketServerConfig config) {
    ServerSocketChannel channel = null;
    try {
      channel = ServerSocketChannel.open();
      channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
      if (config.receiveBufferBytes() != -1) {
        // Set on the listening socket so accepted sockets inherit it before the TCP handshake
        // fixes the window scale.
        channel.setOption(StandardSocketOptions.SO_RCVBUF, config.receiveBufferBytes());
      }
      // As in Kafka's listeners, an empty host means every interface.
      InetSocketAddress address =
          config.host().isEmpty()
              ? new InetSocketAddress(config.port())
              : new InetSocketAddress(config.host(), config.port());
      channel.bind(address, 512);
      return channel;
    } catch (IOException e) {
      if (channel != null) {
        try {
          channel.close();
        } catch (IOException suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw new UncheckedIOException(
          "Cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Takes {@code channel}, bound by {@link #listen}, as this server's listening socket (before
   * {@link #start()}); the server closes it.
   */
  public synchronized void adopt(ServerSocketChannel channel) {
    if (closed || started || serverChannel != null) {
      throw new IllegalStateException("adopt only once, before start");
    }
    try {
      boundPort = ((InetSocketAddress) channel.getLocalAddress()).getPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    serverChannel = channel;
  }

  /**
   * Binds (unless {@link #bind()} did) and starts accepting and serving.
   *
   * @throws UncheckedIOException if the address cannot be bound
   * @throws IllegalStateException if called twice or after {@link #close()}
   */
  public synchronized void start() {
    if (started || closed) {
      throw new IllegalStateException(closed ? "closed" : "already started");
    }
    bind();
    started = true;
    try {
      processors = new Processor[config.networkThreads()];
      processorThreads = new Thread[config.networkThreads()];
      for (int i = 0; i < processors.length; i++) {
        processors[i] =
            new Processor(
                i, config, limits, dispatcher, channelBuilder, metrics, connectionCount, time);
      }
      acceptor = new Acceptor(serverChannel, processors, config, metrics, connectionCount);
    } catch (IOException e) {
      closeAfterFailedStart();
      throw new UncheckedIOException(
          "Cannot listen on " + config.host() + ":" + config.port() + ": " + e.getMessage(), e);
    }
    for (int i = 0; i < processors.length; i++) {
      processorThreads[i] = startThread(processors[i], processors[i].name());
    }
    String listener = channelBuilder.listenerName();
    acceptorThread =
        startThread(
            acceptor,
            "ferry-network-acceptor"
                + (listener.equals(NetworkRequest.DEFAULT_LISTENER) ? "" : "-" + listener));
    log.info(
        "Listening on {}:{} ({}) with {} network threads",
        config.host(),
        boundPort,
        channelBuilder.listenerName(),
        processors.length);
  }

  private static Thread startThread(Runnable runnable, String name) {
    Thread thread = BrokerThreads.newThread(runnable, name);
    thread.start();
    return thread;
  }

  private void closeAfterFailedStart() {
    try {
      if (serverChannel != null) {
        serverChannel.close();
      }
    } catch (IOException ignored) {
      // Reporting the original failure matters more.
    }
    if (processors != null) {
      for (Processor processor : processors) {
        if (processor != null) {
          processor.closeUnstarted();
        }
      }
    }
  }

  /** The port actually bound (useful with port 0). */
  public synchronized int boundPort() {
    if (boundPort < 0) {
      throw new IllegalStateException("not bound");
    }
    return boundPort;
  }

  /** Open connections, including accepted ones not yet registered with their processor. */
  public int connectionCount() {
    return connectionCount.get();
  }

  /** Stops accepting, closes every connection and joins the threads (bounded wait). */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    if (acceptorThread == null) {
      // Bound but never started (or a failed start): only the listening socket to release.
      closeAfterFailedStart();
      return;
    }
    long deadline = time.nanoseconds() + TimeUnit.MILLISECONDS.toNanos(SHUTDOWN_TIMEOUT_MS);
    acceptor.initiateShutdown();
    join(acceptorThread, deadline);
    for (Processor processor : processors) {
      processor.initiateShutdown();
    }
    for (Thread thread : processorThreads) {
      join(thread, deadline);
    }
    log.info("Stopped listening on {}:{}", config.host(), boundPort);
  }

  private void join(Thread thread, long deadlineNanos) {
    long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadlineNanos - time.nanoseconds());
    try {
      thread.join(Math.max(1, remainingMs));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (thread.isAlive()) {
      log.warn("{} did not stop within {} ms", thread.getName(), SHUTDOWN_TIMEOUT_MS);
    }
  }
}
