package dev.ferry.network;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.utils.Time;

/**
 * One client connection, owned by a single processor thread (no method is thread-safe).
 *
 * <p>Reading: a 4-byte big-endian size, then exactly that many bytes into a buffer allocated for
 * this request alone (handlers keep slices of it, so it is never reused).
 *
 * <p>Writing: requests are pipelined; each holds a place in {@link #inFlight} in arrival order and
 * responses leave strictly in that order. Reading pauses (OP_READ cleared) while too many requests
 * are in flight or too many response bytes wait for a client that does not read them, so a
 * connection's memory stays bounded.
 */
final class Connection {

  final String id;
  final InetSocketAddress remoteAddress;
  private final SocketChannel channel;
  private final SelectionKey key;
  private final TransportLayer transport;
  private final ConnectionAuthenticator authenticator;
  private final ConnectionLimits limits;
  private final int maxRequestBytes;
  private final NetworkMetrics metrics;

  private final ByteBuffer sizeBuffer = ByteBuffer.allocate(4);
  private ByteBuffer payload;

  private final ArrayDeque<InFlightRequest> inFlight = new ArrayDeque<>();
  private int awaitingHandler;
  private long pendingResponseBytes;
  private boolean writeBlocked;
  private long lastActivityNanos;

  /** Idle time and request latency are read on this clock (the broker's; a manual one in tests). */
  private final Time time;

  private boolean closeRequested;
  private boolean muted;
  private long mutedUntilNanos;
  private boolean closed;

  Connection(
      String id,
      SocketChannel channel,
      SelectionKey key,
      TransportLayer transport,
      ConnectionAuthenticator authenticator,
      ConnectionLimits limits,
      int maxRequestBytes,
      NetworkMetrics metrics,
      Time time)
      throws IOException {
    this.id = id;
    this.channel = channel;
    this.key = key;
    this.remoteAddress = (InetSocketAddress) channel.getRemoteAddress();
    this.transport = transport;
    this.authenticator = authenticator;
    this.limits = limits;
    this.maxRequestBytes = maxRequestBytes;
    this.metrics = metrics;
    this.time = time;
    this.lastActivityNanos = time.nanoseconds();
  }

  SelectionKey key() {
    return key;
  }

  /** Whether the transport may hold decrypted bytes between selects (TLS). */
  boolean buffersReads() {
    return !(transport instanceof PlaintextTransportLayer);
  }

  ConnectionAuthenticator authenticator() {
    return authenticator;
  }

  /**
   * Advances the transport's handshake (TLS) before any request is read.
   *
   * @return true once requests can flow
   */
  boolean handshake() throws IOException {
    if (transport.ready()) {
      return true;
    }
    boolean done = transport.handshake();
    lastActivityNanos = time.nanoseconds();
    return done;
  }

  /** Whether the transport holds request bytes the selector will not report. */
  boolean hasBufferedReads() {
    return transport.ready() && transport.hasBufferedReads();
  }

  /** Whether another request may be read now (back-pressure, quota throttling). */
  boolean canRead() {
    return !closed
        && !closeRequested
        && !muted
        && inFlight.size() < limits.maxInFlightRequests()
        && pendingResponseBytes <= limits.maxPendingResponseBytes();
  }

  /**
   * Reads nothing from this client until {@code untilNanos} (a quota throttle: its response told it
   * to back off that long, KIP-219).
   */
  void muteUntil(long untilNanos) {
    if (!muted || untilNanos - mutedUntilNanos > 0) {
      mutedUntilNanos = untilNanos;
    }
    muted = true;
  }

  /** Ends a mute whose time is up; returns the nanos left otherwise (0 if not muted). */
  long unmuteIfDue(long nowNanos) {
    if (!muted) {
      return 0;
    }
    long left = mutedUntilNanos - nowNanos;
    if (left <= 0) {
      muted = false;
      return 0;
    }
    return left;
  }

  /**
   * Reads towards the next frame.
   *
   * @return the complete frame, positioned at its first byte, or {@code null} if more bytes are
   *     needed
   * @throws EOFException if the client closed its side
   * @throws MalformedRequestException if the size prefix is negative or above {@code
   *     socket.request.max.bytes} (the buffer is not allocated)
   */
  ByteBuffer readFrame() throws IOException, MalformedRequestException {
    if (payload == null) {
      read(sizeBuffer);
      if (sizeBuffer.hasRemaining()) {
        return null;
      }
      int size = sizeBuffer.getInt(0);
      if (size < 0 || size > maxRequestBytes) {
        throw new MalformedRequestException(
            "request size "
                + size
                + " is outside [0, "
                + maxRequestBytes
                + "] (socket.request.max.bytes)");
      }
      sizeBuffer.clear();
      payload = ByteBuffer.allocate(size);
    }
    if (payload.hasRemaining()) {
      read(payload);
      if (payload.hasRemaining()) {
        return null;
      }
    }
    ByteBuffer frame = payload.flip();
    payload = null;
    return frame;
  }

  private void read(ByteBuffer buffer) throws IOException {
    int n = transport.read(buffer);
    if (n < 0) {
      throw new EOFException(
          payload == null && sizeBuffer.position() == 0
              ? "closed by client"
              : "closed by client in the middle of a request");
    }
    if (n > 0) {
      lastActivityNanos = time.nanoseconds();
      metrics.bytesReceived(n);
    }
  }

  /** Takes the next place in the response order. */
  void add(InFlightRequest request) {
    inFlight.addLast(request);
    awaitingHandler++;
  }

  /** Marks {@code request}'s response serialized ({@code null}: none); call {@link #flush} next. */
  void ready(InFlightRequest request, Send send) {
    request.ready(send);
    awaitingHandler--;
    if (send != null) {
      pendingResponseBytes += send.size();
    }
  }

  /**
   * Writes ready responses in request order until one is not ready or the socket is full.
   *
   * @throws IOException if the socket fails
   */
  void flush() throws IOException {
    if (!transport.flushPending()) {
      writeBlocked = true;
      return;
    }
    InFlightRequest head;
    while ((head = inFlight.peekFirst()) != null && head.isReady()) {
      Send send = head.send();
      if (send != null) {
        while (!send.completed()) {
          long written = send.writeTo(transport);
          if (written <= 0) {
            break;
          }
          lastActivityNanos = time.nanoseconds();
          metrics.bytesSent(written);
        }
        if (!send.completed()) {
          writeBlocked = true;
          return;
        }
        pendingResponseBytes -= send.size();
      }
      inFlight.pollFirst();
      metrics.requestCompleted(
          head.request.header().apiKey(), time.nanoseconds() - head.request.receivedNanos());
    }
    // A transport may hold the tail of what it accepted (TLS coalesces records across buffers and
    // responses): nothing more to write now, so out it goes.
    writeBlocked = !transport.flushPending();
  }

  /**
   * Sets the selector interest from the connection's state: read unless paused, write if blocked.
   */
  void updateInterest() {
    if (closed || !key.isValid()) {
      return;
    }
    if (!transport.ready()) {
      if (key.interestOps() != transport.handshakeInterestOps()) {
        key.interestOps(transport.handshakeInterestOps());
      }
      return;
    }
    int ops = (canRead() ? SelectionKey.OP_READ : 0) | (writeBlocked ? SelectionKey.OP_WRITE : 0);
    if (key.interestOps() != ops) {
      key.interestOps(ops);
    }
  }

  /**
   * Idle means nothing moved on the socket for {@code idleNanos} and no handler still owes this
   * connection a response (a long-poll fetch or a join-group may legitimately take minutes).
   */
  boolean isIdle(long nowNanos, long idleNanos) {
    return awaitingHandler == 0 && nowNanos - lastActivityNanos > idleNanos;
  }

  int inFlightCount() {
    return inFlight.size();
  }

  long pendingResponseBytes() {
    return pendingResponseBytes;
  }

  boolean isClosed() {
    return closed;
  }

  /**
   * Stops reading (the stream cannot be trusted past a malformed request) but lets the responses to
   * the well-formed requests before it go out first; {@link #readyToClose} says when.
   */
  void closeAfterResponses() {
    closeRequested = true;
    payload = null;
  }

  /** True once a connection asked to close has no response left to compute or write. */
  boolean readyToClose() {
    return closeRequested && awaitingHandler == 0 && inFlight.isEmpty() && !writeBlocked;
  }

  /** Closes the socket; responses still owed are dropped when they arrive. */
  void close() {
    if (closed) {
      return;
    }
    closed = true;
    key.cancel();
    try {
      transport.close();
    } catch (IOException e) {
      // Nothing to do: the socket is gone either way.
    }
    inFlight.clear();
    payload = null;
  }

  @Override
  public String toString() {
    return id;
  }
}
