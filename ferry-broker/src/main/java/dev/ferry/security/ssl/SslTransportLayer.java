package dev.ferry.security.ssl;

import dev.ferry.network.TransportLayer;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.SocketChannel;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLEngineResult.HandshakeStatus;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSession;

/**
 * TLS over a non-blocking socket with the JDK's {@link SSLEngine}. The handshake runs on the
 * processor thread, step by step as the socket allows (its delegated tasks inline: they are short
 * key computations).
 *
 * <p>Buffers: {@code netIn} holds ciphertext read but not yet decrypted (from {@code netStart} to
 * its position, write mode), {@code appIn} plaintext decrypted but not yet read (from {@code
 * appStart} to its position, write mode), {@code appOut} plaintext accepted but not yet encrypted
 * (write mode), {@code netOut} ciphertext encrypted but not yet written (from {@code outStart} to
 * its position, write mode). The buffers are consumed by moving their start, not by compacting them
 * after every record: a socket read brings several records, a file region is staged several records
 * at a time and a socket write takes several, and compacting after each record would move the rest
 * of them each time (as much memory traffic as the encryption's own). {@code netIn} and {@code
 * netOut} are compacted only when too little room is left at their end for the next record (what
 * moves then is a partial record, or what the socket did not take).
 *
 * <p>Writes are coalesced, since each TLS record and each socket write has a fixed cost: a response
 * is many small header buffers between record batches, and a fetch's file regions cannot go to the
 * socket with {@code sendfile}. Small buffers are staged in {@code appOut} and encrypted together
 * with what follows into full records; a file region is read straight into {@code appOut} (the read
 * and the encryption are its only copies); a large buffer tops up what is staged to a record, and
 * its whole records are encrypted straight from where it is. Records accumulate in {@code netOut}
 * and go to the socket several at a time, when it has no room for another. What is left (a last
 * partial record) goes out with {@link #flushPending()}, which the connection calls when it has
 * written what it has: so {@link #hasPendingWrites()} is false once bytes are accepted, and a
 * {@code Send} completes without waiting for each of its buffers to reach the socket.
 */
public final class SslTransportLayer implements TransportLayer {

  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
  private static final int MAX_RECORD_PLAINTEXT = 16 * 1024;

  /** Content type (1), version (2), length (2). */
  private static final int RECORD_HEADER_BYTES = 5;

  /** TLS records encrypted before a socket write, and plaintext staged before encryption. */
  private static final int RECORDS_PER_WRITE = 4;

  private final SocketChannel socket;
  private final SSLEngine engine;
  private final int packetSize;
  private ByteBuffer netIn;
  private int netStart;
  private ByteBuffer netOut;
  private int outStart;
  private ByteBuffer appIn;
  private int appStart;
  private ByteBuffer appOut;

  /**
   * Plaintext bytes the engine puts in one record, learned from the first wrap it split: the JDK's
   * engine takes less than 16 KiB per TLS 1.3 record (16,367 bytes with AES-GCM).
   */
  private int recordPlaintext = MAX_RECORD_PLAINTEXT;

  /**
   * Whether a socket read during this {@link #read} call left room in {@code netIn}: the socket had
   * no more, and reading it again before the selector reports more would only find that out (a
   * system call per request).
   */
  private boolean drained;

  private boolean ready;
  private int handshakeInterest = SelectionKey.OP_READ;
  private boolean inboundClosed;

  public SslTransportLayer(SocketChannel socket, SSLEngine engine) throws SSLException {
    this.socket = socket;
    this.engine = engine;
    SSLSession session = engine.getSession();
    packetSize = session.getPacketBufferSize();
    // Several records per socket read as well: a produce request spans many.
    netIn = ByteBuffer.allocateDirect(packetSize * RECORDS_PER_WRITE);
    netOut = ByteBuffer.allocateDirect(packetSize);
    // Direct: BoringSSL's engine decrypts into a direct buffer in place, into a heap one by a copy.
    appIn = ByteBuffer.allocateDirect(session.getApplicationBufferSize());
    engine.beginHandshake();
  }

  @Override
  public boolean handshake() throws IOException {
    try {
      return advanceHandshake();
    } catch (SSLException e) {
      sendAlert();
      throw e;
    }
  }

  /**
   * Sends the TLS alert the engine prepared for a failed handshake, if the socket takes it now, so
   * the client learns why (an authentication error rather than a dropped connection).
   */
  private void sendAlert() {
    try {
      engine.closeOutbound();
      for (int i = 0; i < 4 && !engine.isOutboundDone(); i++) {
        wrapClosing();
      }
      flushNetOut();
    } catch (IOException | RuntimeException ignored) {
      // The connection closes either way.
    }
  }

  /**
   * Wraps what a closing engine has left to send (the alert of a failed handshake, close_notify)
   * into {@code netOut}. The engine reports CLOSED with those bytes: here that is the expected end,
   * not an error (treating it as one would drop the alert, and without it a client sees a bare
   * disconnect and retries instead of reporting the authentication failure).
   */
  private void wrapClosing() throws SSLException {
    compactNetOutIfShort();
    engine.wrap(EMPTY, netOut);
  }

  private boolean advanceHandshake() throws IOException {
    while (!ready) {
      if (!flushNetOut()) {
        handshakeInterest = SelectionKey.OP_WRITE;
        return false;
      }
      HandshakeStatus status = engine.getHandshakeStatus();
      switch (status) {
        case NEED_TASK -> runDelegatedTasks();
        case NEED_WRAP -> wrap(EMPTY);
        case NEED_UNWRAP, NEED_UNWRAP_AGAIN -> {
          if (!unwrapForHandshake()) {
            handshakeInterest = SelectionKey.OP_READ;
            return false;
          }
        }
        case FINISHED, NOT_HANDSHAKING -> {
          if (!flushNetOut()) {
            handshakeInterest = SelectionKey.OP_WRITE;
            return false;
          }
          ready = true;
        }
      }
    }
    return true;
  }

  /** One unwrap step of the handshake; false if more ciphertext must arrive first. */
  private boolean unwrapForHandshake() throws IOException {
    SSLEngineResult result = unwrap();
    if (result.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW
        || (result.bytesConsumed() == 0
            && result.bytesProduced() == 0
            && result.getHandshakeStatus() == HandshakeStatus.NEED_UNWRAP)) {
      int n = readSocket();
      if (n < 0) {
        throw new EOFException("closed by client during the TLS handshake");
      }
      return n > 0;
    }
    if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
      throw new EOFException("TLS closed by client during the handshake");
    }
    return true;
  }

  private void runDelegatedTasks() {
    Runnable task;
    while ((task = engine.getDelegatedTask()) != null) {
      task.run();
    }
  }

  @Override
  public boolean ready() {
    return ready;
  }

  @Override
  public int handshakeInterestOps() {
    return handshakeInterest;
  }

  @Override
  public int read(ByteBuffer dst) throws IOException {
    drained = false;
    if (appHeld() == 0 && !inboundClosed && roomForNextRecord(dst)) {
      int direct = readDirect(dst);
      if (direct != 0) {
        return direct;
      }
    }
    if (appHeld() == 0 && !inboundClosed) {
      fill();
    }
    int held = appHeld();
    if (held == 0) {
      return inboundClosed ? -1 : 0;
    }
    int n = Math.min(held, dst.remaining());
    int end = appIn.position();
    appIn.limit(appStart + n).position(appStart);
    dst.put(appIn);
    appStart += n;
    appIn.limit(appIn.capacity()).position(end);
    if (appStart == end) {
      appStart = 0;
      appIn.position(0);
    }
    return n;
  }

  /** Plaintext decrypted and not yet read. */
  private int appHeld() {
    return appIn.position() - appStart;
  }

  /** Ciphertext read and not yet decrypted. */
  private int netHeld() {
    return netIn.position() - netStart;
  }

  /**
   * Whether {@code dst} has room for the plaintext of the next record: its ciphertext length bounds
   * it, once its header is here; before that, only a whole application buffer is sure to do. (An
   * engine that wants more room answers BUFFER_OVERFLOW, and the record goes through {@code
   * appIn}.)
   */
  private boolean roomForNextRecord(ByteBuffer dst) {
    if (netHeld() < RECORD_HEADER_BYTES) {
      return dst.remaining() >= appIn.capacity();
    }
    return dst.remaining() >= recordLength(netStart);
  }

  /** The body length in the header of the record starting at {@code netIn[at]}. */
  private int recordLength(int at) {
    return ((netIn.get(at + 3) & 0xff) << 8) | (netIn.get(at + 4) & 0xff);
  }

  /**
   * Decrypts records straight into {@code dst} (a large request's payload) while it has room for a
   * whole record, saving the copy through {@code appIn}. Anything unusual (handshake messages, a
   * close, a record larger than the room left) is left to {@link #fill()}.
   *
   * @return plaintext bytes read, 0 if none, -1 at end of stream
   */
  private int readDirect(ByteBuffer dst) throws IOException {
    int start = dst.position();
    while (roomForNextRecord(dst)) {
      if (netHeld() == 0) {
        if (drained) {
          break;
        }
        int n = readSocket();
        if (n < 0) {
          inboundClosed = true;
          break;
        }
        if (n == 0) {
          break;
        }
        continue;
      }
      SSLEngineResult result = unwrapInto(dst);
      SSLEngineResult.Status status = result.getStatus();
      if (status == SSLEngineResult.Status.BUFFER_UNDERFLOW) {
        if (drained) {
          break;
        }
        int n = readSocket();
        if (n <= 0) {
          inboundClosed |= n < 0;
          break;
        }
        continue;
      }
      if (status != SSLEngineResult.Status.OK
          || result.bytesConsumed() == 0
          || result.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING) {
        if (status == SSLEngineResult.Status.CLOSED) {
          inboundClosed = true;
        } else if (result.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING) {
          continuePostHandshake();
        }
        break;
      }
    }
    int n = dst.position() - start;
    return n == 0 && inboundClosed && appHeld() == 0 ? -1 : n;
  }

  /** Decrypts into {@code appIn} until it has plaintext or the socket has no more ciphertext. */
  private void fill() throws IOException {
    while (appHeld() == 0) {
      SSLEngineResult result = netHeld() == 0 ? null : unwrap();
      if (result != null && result.getStatus() == SSLEngineResult.Status.CLOSED) {
        inboundClosed = true;
        return;
      }
      if (result != null && result.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING) {
        // TLS 1.3 post-handshake messages (key update): answer them in line.
        continuePostHandshake();
      }
      if (appHeld() > 0) {
        return;
      }
      boolean needMore =
          result == null
              || result.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW
              || result.bytesConsumed() == 0;
      if (needMore) {
        if (drained) {
          return;
        }
        int n = readSocket();
        if (n < 0) {
          inboundClosed = true;
          return;
        }
        if (n == 0) {
          return;
        }
      }
    }
  }

  private void continuePostHandshake() throws IOException {
    HandshakeStatus status;
    while ((status = engine.getHandshakeStatus()) == HandshakeStatus.NEED_TASK
        || status == HandshakeStatus.NEED_WRAP) {
      if (status == HandshakeStatus.NEED_TASK) {
        runDelegatedTasks();
      } else {
        wrap(EMPTY);
        flushNetOut();
      }
    }
  }

  private int readSocket() throws IOException {
    if (netIn.capacity() - netIn.position() < packetSize && netStart > 0) {
      // Little room left at the end: move the partial record held to the front.
      int end = netIn.position();
      netIn.limit(end).position(netStart);
      netIn.compact();
      netStart = 0;
    }
    if (!netIn.hasRemaining()) {
      netIn = grow(netIn, packetSize, true);
    }
    int n = socket.read(netIn);
    drained = n >= 0 && netIn.hasRemaining();
    return n;
  }

  /** Decrypts the held ciphertext into {@code appIn} (empty), growing it if the engine asks. */
  private SSLEngineResult unwrap() throws IOException {
    while (true) {
      SSLEngineResult result = unwrapInto(appIn);
      if (result.getStatus() != SSLEngineResult.Status.BUFFER_OVERFLOW) {
        return result;
      }
      appIn = grow(appIn, engine.getSession().getApplicationBufferSize(), true);
    }
  }

  /** Decrypts from the held ciphertext into {@code dst}; what the engine took is no longer held. */
  private SSLEngineResult unwrapInto(ByteBuffer dst) throws SSLException {
    int end = netIn.position();
    netIn.limit(end).position(netStart);
    try {
      return engine.unwrap(netIn, dst);
    } finally {
      netStart = netIn.position();
      netIn.limit(netIn.capacity()).position(end);
      if (netStart == end) {
        // All taken: start again at the front, without moving anything.
        netStart = 0;
        netIn.position(0);
      }
    }
  }

  /** Encrypts as much of {@code src} as fits into {@code netOut} after its pending bytes. */
  private SSLEngineResult wrap(ByteBuffer src) throws IOException {
    while (true) {
      compactNetOutIfShort();
      SSLEngineResult result = engine.wrap(src, netOut);
      if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
        throw new EOFException("TLS connection closed");
      }
      if (result.getStatus() != SSLEngineResult.Status.BUFFER_OVERFLOW) {
        return result;
      }
      if (pendingOut() > 0) {
        // Room is made by writing what is pending; the caller retries when writable.
        return result;
      }
      netOut = ByteBuffer.allocateDirect(Math.max(packetSize, netOut.capacity() * 2));
      outStart = 0;
    }
  }

  /** Ciphertext encrypted and not yet written. */
  private int pendingOut() {
    return netOut.position() - outStart;
  }

  /**
   * Moves the pending ciphertext to the front of {@code netOut} if less than a packet's room is
   * left after it (and moving would make more).
   */
  private void compactNetOutIfShort() {
    if (outStart > 0 && netOut.capacity() - netOut.position() < packetSize) {
      int end = netOut.position();
      netOut.limit(end).position(outStart);
      netOut.compact();
      outStart = 0;
    }
  }

  private static ByteBuffer grow(ByteBuffer buffer, int atLeast, boolean direct) {
    int capacity = Math.max(atLeast, buffer.capacity() * 2);
    ByteBuffer bigger =
        direct ? ByteBuffer.allocateDirect(capacity) : ByteBuffer.allocate(capacity);
    buffer.flip();
    bigger.put(buffer);
    return bigger;
  }

  /** Writes pending ciphertext; true once none is left. */
  private boolean flushNetOut() throws IOException {
    int end = netOut.position();
    if (outStart == end) {
      return true;
    }
    netOut.limit(end).position(outStart);
    try {
      while (netOut.hasRemaining()) {
        if (socket.write(netOut) == 0) {
          break;
        }
      }
    } finally {
      outStart = netOut.position();
      netOut.limit(netOut.capacity()).position(end);
      if (outStart == end) {
        // All written: start again at the front, without moving anything.
        outStart = 0;
        netOut.position(0);
      }
    }
    return pendingOut() == 0;
  }

  /**
   * Plaintext not yet read, or a whole TLS record not yet decrypted. Not a partial record: its
   * remaining bytes are still to arrive, and the selector reports them; counting it would make the
   * processor poll this connection without waiting until they do (a busy loop for as long as a
   * large request takes to arrive).
   */
  @Override
  public boolean hasBufferedReads() {
    return appHeld() > 0 || holdsWholeRecord();
  }

  /** Whether {@code netIn} (whose held bytes start at a record boundary) holds a whole record. */
  private boolean holdsWholeRecord() {
    int held = netHeld();
    return held >= RECORD_HEADER_BYTES && held >= RECORD_HEADER_BYTES + recordLength(netStart);
  }

  /** Encrypts what is staged, even a partial record, and writes all it can. */
  @Override
  public boolean flushPending() throws IOException {
    if (!encryptStaged(true)) {
      return false;
    }
    return flushNetOut();
  }

  /**
   * Always false: accepted bytes are the transport's to deliver (through {@link #flushPending()}),
   * so a response's next buffer can join the same TLS record and socket write.
   */
  @Override
  public boolean hasPendingWrites() {
    return false;
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    long consumed = 0;
    for (int i = offset; i < offset + length; i++) {
      ByteBuffer src = srcs[i];
      int before = src.remaining();
      boolean full = !accept(src);
      consumed += before - src.remaining();
      if (full) {
        break;
      }
    }
    return consumed;
  }

  /**
   * Encrypts whole records from the staged bytes followed by {@code src}, then stages the rest of
   * {@code src} (less than a record). Each record is wrapped from one buffer: the staged bytes
   * topped up from {@code src} (a copy of less than a record), or a whole record's worth of {@code
   * src} in place. Handing the engine both buffers at once would save that copy with the JDK's
   * engine but not with BoringSSL's, which makes a record of each buffer.
   *
   * @return false if the socket took too little for all of {@code src} to be accepted
   */
  private boolean accept(ByteBuffer src) throws IOException {
    ByteBuffer staged = staging();
    while (staged.position() + src.remaining() >= recordPlaintext) {
      if (!roomForRecord()) {
        return false;
      }
      int consumed;
      if (staged.position() > 0) {
        int topUp = recordPlaintext - staged.position();
        if (topUp > 0) {
          int limit = src.limit();
          src.limit(src.position() + topUp);
          staged.put(src);
          src.limit(limit);
        }
        staged.flip();
        try {
          consumed = wrapRecord(staged, staged.remaining());
        } finally {
          staged.compact();
        }
      } else {
        consumed = wrapRecord(src, src.remaining());
      }
      if (consumed == 0) {
        return false;
      }
    }
    staged.put(src);
    return true;
  }

  @Override
  public long write(ByteBuffer[] srcs) throws IOException {
    return write(srcs, 0, srcs.length);
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    int before = src.remaining();
    accept(src);
    return before - src.remaining();
  }

  /**
   * Reads a file region into the staging buffer and encrypts it a whole record at a time; stops
   * when the socket is full (the rest of the region is read on the next call).
   */
  @Override
  public long transferFrom(FileChannel fileChannel, long position, long count) throws IOException {
    ByteBuffer staged = staging();
    long transferred = 0;
    while (transferred < count) {
      if (!staged.hasRemaining() && !encryptStaged(false)) {
        break;
      }
      int limit = staged.limit();
      staged.limit((int) Math.min(limit, staged.position() + (count - transferred)));
      int read;
      try {
        read = fileChannel.read(staged, position + transferred);
      } finally {
        staged.limit(limit);
      }
      if (read <= 0) {
        break;
      }
      transferred += read;
    }
    encryptStaged(false);
    return transferred;
  }

  private ByteBuffer staging() {
    if (appOut == null) {
      appOut = ByteBuffer.allocateDirect(MAX_RECORD_PLAINTEXT * RECORDS_PER_WRITE);
      // Room for several records, so a socket write carries several.
      ByteBuffer bigger = ByteBuffer.allocateDirect(packetSize * RECORDS_PER_WRITE);
      netOut.limit(netOut.position()).position(outStart);
      netOut = bigger.put(netOut);
      outStart = 0;
    }
    return appOut;
  }

  /**
   * Encrypts staged plaintext: whole records only, or also the last partial one if {@code all}.
   *
   * @return false if the socket is full before that is done
   */
  private boolean encryptStaged(boolean all) throws IOException {
    if (appOut == null
        || (appOut.position() < recordPlaintext && !(all && appOut.position() > 0))) {
      return true;
    }
    // Record after record from where they are; what is left (less than a record, or what the
    // socket had no room for) moves to the front once, at the end.
    appOut.flip();
    try {
      while (appOut.remaining() >= recordPlaintext || (all && appOut.hasRemaining())) {
        if (!roomForRecord() || wrapRecord(appOut, appOut.remaining()) == 0) {
          return false;
        }
      }
      return true;
    } finally {
      appOut.compact();
    }
  }

  /**
   * One TLS record from {@code src}; learns the engine's record size from a split.
   *
   * @return plaintext bytes consumed (0 only if the engine could not write a record)
   */
  private int wrapRecord(ByteBuffer src, int available) throws IOException {
    SSLEngineResult result = wrap(src);
    int consumed = result.bytesConsumed();
    if (consumed > 0 && consumed < available && consumed < recordPlaintext) {
      // The engine stopped at its record size (netOut had room for a whole packet).
      recordPlaintext = consumed;
    }
    return consumed;
  }

  /** Makes room in {@code netOut} for one whole record, writing to the socket if needed. */
  private boolean roomForRecord() throws IOException {
    if (netOut.capacity() - netOut.position() >= packetSize) {
      return true;
    }
    flushNetOut();
    compactNetOutIfShort();
    return netOut.capacity() - netOut.position() >= packetSize;
  }

  @Override
  public SSLSession sslSession() {
    return ready ? engine.getSession() : null;
  }

  @Override
  public SocketChannel socketChannel() {
    return socket;
  }

  @Override
  public boolean isOpen() {
    return socket.isOpen();
  }

  /** Sends close_notify if the socket takes it at once, then closes the socket. */
  @Override
  public void close() throws IOException {
    try {
      if (ready) {
        // Responses already accepted go out first, if the socket takes them now.
        flushPending();
      }
      engine.closeOutbound();
      if (ready && flushNetOut()) {
        wrapClosing();
        flushNetOut();
      }
    } catch (IOException | RuntimeException e) {
      // Best effort: the socket closes either way.
    } finally {
      try {
        // Both directions closed: an OpenSSL engine frees its native state now, not at GC.
        engine.closeInbound();
      } catch (SSLException | RuntimeException e) {
        // Closed before the peer's close_notify: expected here.
      }
      socket.close();
    }
  }
}
