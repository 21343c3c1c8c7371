package dev.ferry.network;

import dev.ferry.network.wire.FetchResponseWriter;
import dev.ferry.network.wire.ProduceResponseWriter;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLException;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.utils.Time;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A network thread: owns a selector and the connections the acceptor gives it, reads and parses
 * requests, calls the dispatcher, and writes responses. Everything about a connection happens on
 * this thread; other threads only hand it new sockets and finished responses through queues,
 * followed by {@link Selector#wakeup()}.
 */
final class Processor implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(Processor.class);

  /** New sockets waiting to be registered; the acceptor waits briefly when it is full. */
  private static final int NEW_CONNECTION_QUEUE_SIZE = 20;

  /** Upper bound of one select, so shutdown and idle checks are never late by more. */
  private static final long MAX_POLL_MS = 300;

  /**
   * The read buffer shared by this thread's connections: one read takes every request a client
   * pipelined, up to this much. Direct, so the socket read copies into it once (a heap buffer goes
   * through the JDK's temporary direct buffer).
   */
  static final int READ_BUFFER_BYTES = 64 * 1024;

  private final int index;
  private final String name;
  private final Selector selector;
  private final RequestDispatcher dispatcher;
  private final ChannelBuilder channelBuilder;
  private final NetworkMetrics metrics;
  private final ConnectionLimits limits;
  private final int maxRequestBytes;
  private final long idleNanos;
  private final long idleCheckIntervalNanos;
  private final AtomicInteger connectionCount;

  private final BlockingQueue<SocketChannel> newConnections =
      new ArrayBlockingQueue<>(NEW_CONNECTION_QUEUE_SIZE);

  /**
   * Finished handler futures. Unbounded as a structure but bounded by construction: at most {@code
   * maxInFlightRequests} per connection can be outstanding.
   */
  private final ConcurrentLinkedQueue<InFlightRequest> completions = new ConcurrentLinkedQueue<>();

  private final Set<Connection> connections = new HashSet<>();
  private final List<Connection> bufferedReady = new ArrayList<>();

  /** Connections with responses completed in this pass: each is flushed once, after all of them. */
  private final List<Connection> toFlush = new ArrayList<>();

  private final ByteBuffer readBuffer = ByteBuffer.allocateDirect(READ_BUFFER_BYTES);

  /**
   * True while this thread is in (or about to enter) a blocking select: only then does a handler
   * finishing on another thread need {@link Selector#wakeup()}, a system call each (a write to the
   * selector's wake-up pipe, and a read on this side to clear it). Set before the completion queue
   * is checked and read by completers after they queue, both volatile: either the completer sees it
   * set, or this thread sees the completion and does not block.
   */
  private volatile boolean selecting;

  /** Connections muted for a quota throttle, unmuted by the loop when their time is up. */
  private final List<Connection> muted = new ArrayList<>();

  /** Set once a connection with a buffering (TLS) transport arrives; plaintext never scans. */
  private boolean anyBuffering;

  private long nextConnectionIndex;
  private long nextIdleCheckNanos;
  private final Time time;
  private volatile boolean running = true;
  private volatile Thread thread;

  Processor(
      int index,
      SocketServerConfig config,
      ConnectionLimits limits,
      RequestDispatcher dispatcher,
      ChannelBuilder channelBuilder,
      NetworkMetrics metrics,
      AtomicInteger connectionCount,
      Time time)
      throws IOException {
    this.time = time;
    this.channelBuilder = channelBuilder;
    this.index = index;
    String listener = channelBuilder.listenerName();
    this.name =
        "ferry-network-processor-"
            + (listener.equals(NetworkRequest.DEFAULT_LISTENER) ? "" : listener + "-")
            + index;
    this.selector = Selector.open();
    this.dispatcher = dispatcher;
    this.metrics = metrics;
    this.limits = limits;
    this.maxRequestBytes = config.maxRequestBytes();
    this.idleNanos = TimeUnit.MILLISECONDS.toNanos(config.connectionsMaxIdleMs());
    // A tenth of the idle timeout keeps closes within ~10% of it; scanning is cheap but not free.
    this.idleCheckIntervalNanos =
        Math.max(
            TimeUnit.MILLISECONDS.toNanos(10),
            Math.min(idleNanos / 10, TimeUnit.SECONDS.toNanos(1)));
    this.connectionCount = connectionCount;
  }

  String name() {
    return name;
  }

  /**
   * Hands an accepted socket to this processor (acceptor thread).
   *
   * @return false if the processor is stopping or too far behind; the caller closes the socket
   */
  boolean assign(SocketChannel channel) throws InterruptedException {
    if (!running || !newConnections.offer(channel, 1, TimeUnit.SECONDS)) {
      return false;
    }
    selector.wakeup();
    return true;
  }

  /** Asks the thread to stop; it closes its connections and selector on the way out. */
  void initiateShutdown() {
    running = false;
    selector.wakeup();
  }

  /** Releases the selector of a processor whose thread never started. */
  void closeUnstarted() {
    running = false;
    shutdownConnections();
  }

  @Override
  public void run() {
    thread = Thread.currentThread();
    nextIdleCheckNanos = time.nanoseconds() + idleCheckIntervalNanos;
    try {
      while (running) {
        try {
          pollOnce();
        } catch (Throwable t) {
          // Never let one bad iteration kill the thread and strand its connections; pause briefly
          // so a persistent failure cannot spin a core.
          log.error("{}: unexpected error in the network loop; continuing", name, t);
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
      }
    } finally {
      shutdownConnections();
    }
  }

  private void pollOnce() throws IOException {
    registerNewConnections();
    processCompletions();
    boolean buffered = readBuffered();
    long now = time.nanoseconds();
    if (now - nextIdleCheckNanos >= 0) {
      closeIdleConnections(now);
      nextIdleCheckNanos = now + idleCheckIntervalNanos;
    }
    long untilUnmuteMs = unmuteDue(now);
    selecting = true;
    try {
      if (!buffered && completions.isEmpty() && newConnections.isEmpty()) {
        long untilIdleCheckMs = TimeUnit.NANOSECONDS.toMillis(nextIdleCheckNanos - now);
        selector.select(
            this::handleKey,
            Math.max(1, Math.min(Math.min(MAX_POLL_MS, untilIdleCheckMs), untilUnmuteMs)));
      } else {
        selector.selectNow(this::handleKey);
      }
    } finally {
      selecting = false;
    }
    // Handlers that answered synchronously while their requests were read: out in this pass, so the
    // next select can wait instead of polling once more for them.
    processCompletions();
  }

  /**
   * Lets muted connections read again once their throttle time is up.
   *
   * @return ms until the next one is due (Long.MAX_VALUE if none is muted)
   */
  private long unmuteDue(long now) {
    if (muted.isEmpty()) {
      return Long.MAX_VALUE;
    }
    long next = Long.MAX_VALUE;
    for (int i = muted.size() - 1; i >= 0; i--) {
      Connection c = muted.get(i);
      long left = c.isClosed() ? 0 : c.unmuteIfDue(now);
      if (left == 0) {
        muted.remove(i);
        if (!c.isClosed()) {
          c.updateInterest();
          if (c.hasBufferedReads() || c.hasFrames()) {
            handleBuffered(c);
          }
        }
      } else {
        next = Math.min(next, TimeUnit.NANOSECONDS.toMillis(left) + 1);
      }
    }
    return next;
  }

  /**
   * Reads requests a TLS transport already decrypted: the selector will not report them, because
   * their bytes left the socket with an earlier record.
   *
   * @return whether some connection still holds such bytes (the next select must not wait)
   */
  private boolean readBuffered() {
    boolean more = false;
    if (!anyBuffering) {
      return false;
    }
    for (Connection connection : connections) {
      if (connection.hasBufferedReads() && connection.canRead()) {
        bufferedReady.add(connection);
      }
    }
    for (Connection connection : bufferedReady) {
      handleBuffered(connection);
      more |= !connection.isClosed() && connection.hasBufferedReads() && connection.canRead();
    }
    bufferedReady.clear();
    return more;
  }

  private void handleBuffered(Connection connection) {
    SelectionKey key = connection.key();
    if (key.isValid()) {
      handleKey(key);
    }
  }

  private void registerNewConnections() {
    SocketChannel channel;
    while ((channel = newConnections.poll()) != null) {
      try {
        TransportLayer transport = channelBuilder.transport(channel);
        SelectionKey key = channel.register(selector, transport.handshakeInterestOps());
        Connection connection =
            new Connection(
                connectionId(channel),
                channel,
                key,
                transport,
                channelBuilder.authenticator(transport),
                limits,
                maxRequestBytes,
                metrics,
                time);
        key.attach(connection);
        connections.add(connection);
        anyBuffering |= connection.buffersReads();
      } catch (IOException | RuntimeException e) {
        // Typically the client already went away between accept and registration.
        log.warn("{}: could not register a new connection: {}", name, e.toString());
        closeUnregistered(channel);
        continue;
      }
      metrics.connectionOpened();
    }
  }

  private String connectionId(SocketChannel channel) throws IOException {
    InetSocketAddress local = (InetSocketAddress) channel.getLocalAddress();
    InetSocketAddress remote = (InetSocketAddress) channel.getRemoteAddress();
    return local.getAddress().getHostAddress()
        + ':'
        + local.getPort()
        + '-'
        + remote.getAddress().getHostAddress()
        + ':'
        + remote.getPort()
        + '-'
        + index
        + '-'
        + nextConnectionIndex++;
  }

  private void handleKey(SelectionKey key) {
    Connection connection = (Connection) key.attachment();
    if (connection == null || connection.isClosed()) {
      return;
    }
    try {
      if (!connection.handshake()) {
        connection.updateInterest();
        return;
      }
      boolean socket = key.isReadable() || connection.hasBufferedReads();
      if (socket || connection.hasFrames()) {
        readRequests(connection, socket);
      }
      if (!connection.isClosed() && key.isValid() && key.isWritable()) {
        connection.flush();
        connection.updateInterest();
        closeIfDone(connection);
        resumeReading(connection);
      }
    } catch (EOFException e) {
      log.debug("{}: connection {} {}", name, connection, e.getMessage());
      close(connection);
    } catch (SSLException e) {
      // A plaintext client on a TLS port, an untrusted certificate, no common protocol...
      log.info(
          "Closing connection {} from {}: TLS failure: {}",
          connection,
          connection.remoteAddress,
          e.getMessage());
      metrics.authenticationFailed();
      close(connection);
    } catch (IOException e) {
      log.debug("{}: connection {} failed: {}", name, connection, e.toString());
      close(connection);
    } catch (MalformedRequestException e) {
      malformed(connection, e);
    } catch (RuntimeException e) {
      log.error("{}: closing connection {} after an unexpected error", name, connection, e);
      close(connection);
    }
  }

  private void malformed(Connection connection, MalformedRequestException e) {
    log.warn(
        "Closing connection {} from {}: invalid request ({})",
        connection,
        connection.remoteAddress,
        e.getMessage());
    metrics.invalidRequest();
    // Requests pipelined before the bad one were valid: answer them, then close.
    connection.closeAfterResponses();
    closeIfDone(connection);
  }

  /**
   * Takes the connection's requests while it may have more in flight: those read whole earlier,
   * then what the socket has if {@code readable}. The socket is read again only while a read fills
   * the buffer: after a shorter one it is empty, and another read would only find that out.
   */
  private void readRequests(Connection connection, boolean readable)
      throws IOException, MalformedRequestException {
    boolean mayRead = readable;
    while (connection.canRead()) {
      ByteBuffer frame = connection.pollFrame();
      if (frame == null) {
        if (!mayRead) {
          break;
        }
        mayRead = connection.readFrames(readBuffer);
        continue;
      }
      NetworkRequest request =
          RequestParser.parse(
              frame,
              connection.id,
              connection.remoteAddress.getAddress(),
              time.nanoseconds(),
              channelBuilder.listenerName(),
              connection.authenticator().principal());
      dispatch(connection, request);
      if (connection.isClosed()) {
        return;
      }
    }
    connection.updateInterest();
  }

  private void dispatch(Connection connection, NetworkRequest request) throws IOException {
    InFlightRequest inFlight = new InFlightRequest(connection, request);
    connection.add(inFlight);
    CompletableFuture<AbstractResponse> future;
    try {
      future = connection.authenticator().intercept(request);
      if (future == null) {
        future = dispatcher.dispatch(request);
      } else if (connection.authenticator().failed()) {
        connection.closeAfterResponses();
      }
      if (future == null) {
        throw new IllegalStateException("dispatcher returned no future");
      }
    } catch (Throwable t) {
      // A handler bug must not leave the client waiting nor take the network thread down.
      inFlight.failure = t;
      complete(inFlight);
      if (!connection.isClosed()) {
        connection.flush();
      }
      return;
    }
    future.whenComplete(
        (response, failure) -> {
          inFlight.response = response;
          inFlight.failure = failure;
          completions.add(inFlight);
          if (selecting && Thread.currentThread() != thread) {
            selector.wakeup();
          }
        });
  }

  /**
   * Serializes every finished response, then flushes each connection they belong to once: a
   * client's pipelined responses leave together, in as few writes as the socket takes.
   */
  private void processCompletions() {
    InFlightRequest inFlight;
    while ((inFlight = completions.poll()) != null) {
      Connection connection = inFlight.connection;
      if (connection.isClosed()) {
        continue;
      }
      try {
        complete(inFlight);
      } catch (RuntimeException e) {
        log.error("{}: closing connection {} after an unexpected error", name, connection, e);
        close(connection);
        continue;
      }
      if (!connection.isClosed() && connection.markFlushPending()) {
        toFlush.add(connection);
      }
    }
    for (int i = 0; i < toFlush.size(); i++) {
      Connection connection = toFlush.get(i);
      connection.clearFlushPending();
      if (connection.isClosed()) {
        continue;
      }
      try {
        connection.flush();
        connection.updateInterest();
        closeIfDone(connection);
        resumeReading(connection);
      } catch (IOException e) {
        log.debug("{}: connection {} failed: {}", name, connection, e.toString());
        close(connection);
      } catch (MalformedRequestException e) {
        malformed(connection, e);
      } catch (RuntimeException e) {
        log.error("{}: closing connection {} after an unexpected error", name, connection, e);
        close(connection);
      }
    }
    toFlush.clear();
  }

  /**
   * Hands out requests read whole while the connection was paused (in-flight or response-bytes
   * bound), now that it may take more; the socket itself is left to the selector.
   */
  private void resumeReading(Connection connection) throws IOException, MalformedRequestException {
    if (!connection.isClosed() && connection.hasFrames() && connection.canRead()) {
      readRequests(connection, false);
    }
  }

  /** Serializes the handler's outcome into the request's place in the response order. */
  private void complete(InFlightRequest inFlight) {
    Connection connection = inFlight.connection;
    NetworkRequest request = inFlight.request;
    AbstractResponse response = inFlight.response;
    Throwable failure = unwrap(inFlight.failure);
    if (failure instanceof CloseConnectionException) {
      log.info(
          "Closing connection {} from {} instead of answering {}: {}",
          connection,
          connection.remoteAddress,
          describe(request),
          failure.getMessage());
      connection.ready(inFlight, null);
      connection.closeAfterResponses();
      return;
    }
    if (failure != null) {
      log.error(
          "Handler failed for {} from {} on connection {}; answering with an error response",
          describe(request),
          connection.remoteAddress,
          connection,
          failure);
      response = errorResponse(inFlight, failure);
      if (connection.isClosed()) {
        return;
      }
    }
    Send send = null;
    if (response != null) {
      try {
        send = serialize(request, response);
      } catch (RuntimeException e) {
        log.error(
            "Cannot serialize the response to {} from {} on connection {}; answering with an error"
                + " response",
            describe(request),
            connection.remoteAddress,
            connection,
            e);
        AbstractResponse error = errorResponse(inFlight, e);
        if (connection.isClosed()) {
          return;
        }
        try {
          send = error == null ? null : serialize(request, error);
        } catch (RuntimeException again) {
          log.error("Cannot serialize the error response either; closing {}", connection, again);
          close(connection);
          return;
        }
      }
    }
    connection.ready(inFlight, send);
    if (response != null && response.throttleTimeMs() > 0) {
      // A quota throttle: the client was told to back off; read nothing more from it meanwhile.
      connection.muteUntil(
          System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(response.throttleTimeMs()));
      if (!muted.contains(connection)) {
        muted.add(connection);
      }
    }
  }

  private static Send serialize(NetworkRequest request, AbstractResponse response) {
    // The body's version, not the header's: a too-new ApiVersions request is answered in v0.
    short version = request.body().version();
    int correlationId = request.header().correlationId();
    // The two hot responses are written in one pass by hand; the rest by the generated codec.
    if (response instanceof ProduceResponse produce && ProduceResponseWriter.supports(version)) {
      return ProduceResponseWriter.write(correlationId, produce.data(), version);
    }
    if (response instanceof FetchResponse fetch && FetchResponseWriter.supports(version)) {
      return FetchResponseWriter.write(correlationId, fetch.data(), version);
    }
    return response.toSend(request.header().toResponseHeader(), version);
  }

  /** The request type's own error response; closes the connection if even that cannot be built. */
  private AbstractResponse errorResponse(InFlightRequest inFlight, Throwable failure) {
    try {
      return inFlight.request.body().getErrorResponse(0, failure);
    } catch (RuntimeException e) {
      log.error(
          "Cannot build an error response to {}; closing {}",
          describe(inFlight.request),
          inFlight.connection,
          e);
      close(inFlight.connection);
      return null;
    }
  }

  private static Throwable unwrap(Throwable failure) {
    return failure instanceof CompletionException && failure.getCause() != null
        ? failure.getCause()
        : failure;
  }

  private static String describe(NetworkRequest request) {
    return request.header().apiKey()
        + " v"
        + request.header().apiVersion()
        + " (correlation id "
        + request.header().correlationId()
        + ", client id "
        + request.header().clientId()
        + ")";
  }

  /**
   * Closes a connection that asked to close once its last owed response is written. Responses still
   * with a handler are computed first (synchronous handlers finish within this loop iteration; a
   * long-poll fetch within its max wait).
   */
  private void closeIfDone(Connection connection) {
    if (connection.isClosed()) {
      return;
    }
    if (connection.readyToClose()) {
      close(connection);
    } else {
      connection.updateInterest();
    }
  }

  private void closeIdleConnections(long now) {
    List<Connection> idle = null;
    for (Connection connection : connections) {
      if (connection.isIdle(now, idleNanos)) {
        if (idle == null) {
          idle = new ArrayList<>();
        }
        idle.add(connection);
      }
    }
    if (idle != null) {
      for (Connection connection : idle) {
        log.debug(
            "{}: closing connection {}: idle for more than connections.max.idle.ms",
            name,
            connection);
        close(connection);
      }
    }
  }

  private void close(Connection connection) {
    if (connection.isClosed()) {
      return;
    }
    connection.close();
    if (connections.remove(connection)) {
      connectionCount.decrementAndGet();
      metrics.connectionClosed();
      try {
        dispatcher.connectionClosed(connection.id);
      } catch (RuntimeException e) {
        log.warn("{}: error ending the state of closed connection {}", name, connection, e);
      }
    }
  }

  private void closeUnregistered(SocketChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // Already unusable.
    }
    connectionCount.decrementAndGet();
  }

  private void shutdownConnections() {
    for (Connection connection : new ArrayList<>(connections)) {
      close(connection);
    }
    SocketChannel channel;
    while ((channel = newConnections.poll()) != null) {
      closeUnregistered(channel);
    }
    try {
      selector.close();
    } catch (IOException e) {
      log.warn("{}: error closing selector: {}", name, e.toString());
    }
  }
}
