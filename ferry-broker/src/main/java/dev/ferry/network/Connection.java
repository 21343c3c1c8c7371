package dev.ferry.network;

import dev.ferry.network.wire.FrameSend;
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
 * <p>Reading: frames are a 4-byte big-endian size and that many bytes. One read takes what the
 * socket has into the processor's buffer, and the whole frames in it are copied out together into a
 * buffer of their own (handlers keep slices of their request, so it is never reused); the start of
 * a frame still arriving waits in this connection.
 *
 * <p>Writing: requests are pipelined; each holds a place in {@link #inFlight} in arrival order and
 * responses leave strictly in that order. Reading pauses (OP_READ cleared) while too many requests
 * are in flight or too many response bytes wait for a client that does not read them, so a
 * connection's memory stays bounded.
 */
final class Connection {

  /**
   * Pipelined responses written by one gathering write at most (the kernel's iovec bound is far).
   */
  private static final int MAX_GATHERED = 16;

  final String id;
  final InetSocketAddress remoteAddress;
  private final SocketChannel channel;
  private final SelectionKey key;
  private final TransportLayer transport;
  private final ConnectionAuthenticator authenticator;
  private final ConnectionLimits limits;
  private final int maxRequestBytes;
  private final NetworkMetrics metrics;

  /** The size prefix of the next frame while fewer than 4 of its bytes have arrived. */
  private final ByteBuffer sizeBuffer = ByteBuffer.allocate(4);

  /** The frame in progress, once its size is known. */
  private ByteBuffer payload;

  /** Frames read whole but not taken yet (a read brings several); created when first needed. */
  private ArrayDeque<ByteBuffer> frames;

  /** A bad size prefix found behind the queued frames, thrown once they are taken. */
  private MalformedRequestException malformed;

  private final ArrayDeque<InFlightRequest> inFlight = new ArrayDeque<>();
  private int awaitingHandler;
  private long pendingResponseBytes;
  private boolean writeBlocked;
  private boolean flushPending;
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
   * Reads what the socket has, as far as {@code scratch} holds, and cuts it into frames for {@link
   * #pollFrame}: one system call for all the requests that arrived together, instead of a size read
   * and a payload read each. Bytes of a frame not yet complete are kept with the connection; a
   * large frame's rest is read straight into its own buffer.
   *
   * @param scratch the processor's read buffer, reused across connections: nothing refers to it
   *     once this returns
   * @return whether the read filled what it was given (or the transport holds more), so the socket
   *     may hold more: a shorter read drained it, and reading again would only return nothing (the
   *     selector reports new bytes)
   * @throws EOFException if the client closed its side
   */
  boolean readFrames(ByteBuffer scratch) throws IOException {
    if (payload != null && payload.remaining() >= scratch.capacity()) {
      int n = read(payload);
      boolean filled = !payload.hasRemaining();
      if (filled) {
        completed(payload.flip());
        payload = null;
      }
      return filled || (n > 0 && hasBufferedReads());
    }
    scratch.clear();
    int n = read(scratch);
    if (n == 0) {
      return false;
    }
    boolean filled = !scratch.hasRemaining();
    scratch.flip();
    split(scratch);
    // A TLS transport may stop at a record boundary with more records decrypted or received.
    return filled || hasBufferedReads();
  }

  /**
   * The next complete frame, positioned at its first byte (after the size prefix), or {@code null}
   * if none was read whole yet.
   *
   * @throws MalformedRequestException once the frames before a size prefix that is negative or
   *     above {@code socket.request.max.bytes} are taken (no buffer of that size is allocated)
   */
  ByteBuffer pollFrame() throws MalformedRequestException {
    ByteBuffer frame = frames == null ? null : frames.pollFirst();
    if (frame == null && malformed != null) {
      MalformedRequestException e = malformed;
      malformed = null;
      throw e;
    }
    return frame;
  }

  /** Whether frames read whole wait for {@link #pollFrame} (reading was paused meanwhile). */
  boolean hasFrames() {
    return (frames != null && !frames.isEmpty()) || malformed != null;
  }

  /**
   * Cuts {@code bytes} into frames: the rest of the one in progress, then every whole one (copied
   * together into one heap buffer, each frame a slice of it: handlers keep slices of their request,
   * so the bytes cannot stay in the processor's buffer), then the start of the next one.
   */
  private void split(ByteBuffer bytes) {
    if (payload != null) {
      copy(bytes, payload);
      if (payload.hasRemaining()) {
        return;
      }
      completed(payload.flip());
      payload = null;
    }
    if (sizeBuffer.position() > 0) {
      copy(bytes, sizeBuffer);
      if (sizeBuffer.hasRemaining()) {
        return;
      }
      int size = sizeBuffer.getInt(0);
      sizeBuffer.clear();
      if (!validSize(size)) {
        return;
      }
      payload = ByteBuffer.allocate(size);
      copy(bytes, payload);
      if (payload.hasRemaining()) {
        return;
      }
      completed(payload.flip());
      payload = null;
    }
    // The run of whole frames: [start, end).
    int start = bytes.position();
    int end = start;
    int limit = bytes.limit();
    int badSize = 0;
    boolean bad = false;
    while (limit - end >= 4) {
      int size = bytes.getInt(end);
      if (size < 0 || size > maxRequestBytes) {
        bad = true;
        badSize = size;
        break;
      }
      if (limit - end - 4 < size) {
        break;
      }
      end += 4 + size;
    }
    if (end > start) {
      ByteBuffer run = ByteBuffer.allocate(end - start);
      run.put(0, bytes, start, end - start);
      for (int at = 0; at < end - start; ) {
        int size = run.getInt(at);
        completed(run.slice(at + 4, size));
        at += 4 + size;
      }
      bytes.position(end);
    }
    if (bad) {
      validSize(badSize);
      return;
    }
    if (bytes.remaining() >= 4) {
      payload = ByteBuffer.allocate(bytes.getInt());
      copy(bytes, payload);
    } else {
      copy(bytes, sizeBuffer);
    }
  }

  /**
   * Checks a size prefix; a bad one is reported after the frames before it ({@link #pollFrame}).
   */
  private boolean validSize(int size) {
    if (size >= 0 && size <= maxRequestBytes) {
      return true;
    }
    malformed =
        new MalformedRequestException(
            "request size "
                + size
                + " is outside [0, "
                + maxRequestBytes
                + "] (socket.request.max.bytes)");
    return false;
  }

  private void completed(ByteBuffer frame) {
    if (frames == null) {
      frames = new ArrayDeque<>(4);
    }
    frames.addLast(frame);
  }

  private static void copy(ByteBuffer from, ByteBuffer to) {
    int n = Math.min(from.remaining(), to.remaining());
    to.put(to.position(), from, from.position(), n);
    to.position(to.position() + n);
    from.position(from.position() + n);
  }

  private int read(ByteBuffer buffer) throws IOException {
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
    return n;
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
   * Marks the connection as having responses to flush in this pass.
   *
   * @return false if it was marked already
   */
  boolean markFlushPending() {
    if (flushPending) {
      return false;
    }
    flushPending = true;
    return true;
  }

  void clearFlushPending() {
    flushPending = false;
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
      if (send instanceof FrameSend && readyFrames() > 1) {
        if (!writeGathered()) {
          writeBlocked = true;
          return;
        }
        continue;
      }
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

  /** How many ready responses from the head of the order are single frames, up to a bound. */
  private int readyFrames() {
    int n = 0;
    for (InFlightRequest request : inFlight) {
      if (n == MAX_GATHERED || !request.isReady() || !(request.send() instanceof FrameSend)) {
        break;
      }
      n++;
    }
    return n;
  }

  /**
   * Writes the ready single-frame responses at the head of the order with one gathering write (as
   * many as the socket takes) and retires those written whole.
   *
   * @return false if the socket took not all of them
   */
  private boolean writeGathered() throws IOException {
    int n = readyFrames();
    ByteBuffer[] buffers = new ByteBuffer[n];
    FrameSend[] frames = new FrameSend[n];
    int i = 0;
    for (InFlightRequest request : inFlight) {
      if (i == n) {
        break;
      }
      frames[i] = (FrameSend) request.send();
      buffers[i] = frames[i].buffer();
      i++;
    }
    int first = 0;
    while (first < n) {
      long written = transport.write(buffers, first, n - first);
      if (written < 0) {
        throw new EOFException("wrote to a closed channel");
      }
      if (written == 0) {
        break;
      }
      lastActivityNanos = time.nanoseconds();
      metrics.bytesSent(written);
      while (first < n && !buffers[first].hasRemaining()) {
        first++;
      }
    }
    for (int done = 0; done < n; done++) {
      FrameSend frame = frames[done];
      frame.written(transport);
      if (!frame.completed()) {
        return false;
      }
      InFlightRequest request = inFlight.pollFirst();
      pendingResponseBytes -= frame.size();
      metrics.requestCompleted(
          request.request.header().apiKey(), time.nanoseconds() - request.request.receivedNanos());
    }
    return true;
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
    frames = null;
    malformed = null;
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
    frames = null;
  }

  @Override
  public String toString() {
    return id;
  }
}
