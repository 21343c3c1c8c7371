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
 * <p>Buffers: {@code netIn} holds ciphertext read but not yet decrypted (write mode), {@code appIn}
 * plaintext decrypted but not yet read (write mode), {@code netOut} ciphertext encrypted but not
 * yet written (read mode). A fetch's file region cannot go to the socket with {@code sendfile},
 * since it must be encrypted: it is read a TLS record's worth at a time into one reused direct
 * buffer and encrypted from there into {@code netOut} — the read and the encryption are the only
 * copies.
 */
public final class SslTransportLayer implements TransportLayer {

  private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);
  private static final int MAX_RECORD_PLAINTEXT = 16 * 1024;

  private final SocketChannel socket;
  private final SSLEngine engine;
  private ByteBuffer netIn;
  private ByteBuffer netOut;
  private ByteBuffer appIn;
  private ByteBuffer fileChunk;

  /**
   * Plaintext bytes the engine puts in one record, learned from the first file chunk it split: the
   * JDK's engine takes less than 16 KiB per TLS 1.3 record (16,367 bytes with AES-GCM), so 16 KiB
   * chunks would each become a full record plus a tiny one, written by a second syscall.
   */
  private int recordPlaintext = MAX_RECORD_PLAINTEXT;

  private boolean ready;
  private int handshakeInterest = SelectionKey.OP_READ;
  private boolean inboundClosed;

  public SslTransportLayer(SocketChannel socket, SSLEngine engine) throws SSLException {
    this.socket = socket;
    this.engine = engine;
    SSLSession session = engine.getSession();
    netIn = ByteBuffer.allocateDirect(session.getPacketBufferSize());
    netOut = ByteBuffer.allocateDirect(session.getPacketBufferSize()).flip();
    appIn = ByteBuffer.allocate(session.getApplicationBufferSize());
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
    netOut.compact();
    try {
      engine.wrap(EMPTY, netOut);
    } finally {
      netOut.flip();
    }
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
    if (appIn.position() == 0 && !inboundClosed) {
      fill();
    }
    if (appIn.position() == 0) {
      return inboundClosed ? -1 : 0;
    }
    appIn.flip();
    int n = Math.min(appIn.remaining(), dst.remaining());
    int limit = appIn.limit();
    appIn.limit(appIn.position() + n);
    dst.put(appIn);
    appIn.limit(limit);
    appIn.compact();
    return n;
  }

  /** Decrypts into {@code appIn} until it has plaintext or the socket has no more ciphertext. */
  private void fill() throws IOException {
    while (appIn.position() == 0) {
      SSLEngineResult result = netIn.position() == 0 ? null : unwrap();
      if (result != null && result.getStatus() == SSLEngineResult.Status.CLOSED) {
        inboundClosed = true;
        return;
      }
      if (result != null && result.getHandshakeStatus() != HandshakeStatus.NOT_HANDSHAKING) {
        // TLS 1.3 post-handshake messages (key update): answer them in line.
        continuePostHandshake();
      }
      if (appIn.position() > 0) {
        return;
      }
      boolean needMore =
          result == null
              || result.getStatus() == SSLEngineResult.Status.BUFFER_UNDERFLOW
              || result.bytesConsumed() == 0;
      if (needMore) {
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
    if (!netIn.hasRemaining()) {
      netIn = grow(netIn, engine.getSession().getPacketBufferSize(), true);
    }
    return socket.read(netIn);
  }

  private SSLEngineResult unwrap() throws IOException {
    while (true) {
      netIn.flip();
      SSLEngineResult result;
      try {
        result = engine.unwrap(netIn, appIn);
      } finally {
        netIn.compact();
      }
      if (result.getStatus() != SSLEngineResult.Status.BUFFER_OVERFLOW) {
        return result;
      }
      appIn = grow(appIn, engine.getSession().getApplicationBufferSize(), false);
    }
  }

  /** Encrypts as much of {@code src} as fits into {@code netOut} after its pending bytes. */
  private SSLEngineResult wrap(ByteBuffer src) throws IOException {
    return wrap(new ByteBuffer[] {src}, 0, 1);
  }

  private SSLEngineResult wrap(ByteBuffer[] srcs, int offset, int length) throws IOException {
    while (true) {
      netOut.compact();
      SSLEngineResult result;
      try {
        result = engine.wrap(srcs, offset, length, netOut);
      } finally {
        netOut.flip();
      }
      if (result.getStatus() == SSLEngineResult.Status.CLOSED) {
        throw new EOFException("TLS connection closed");
      }
      if (result.getStatus() != SSLEngineResult.Status.BUFFER_OVERFLOW) {
        return result;
      }
      if (netOut.hasRemaining()) {
        // Room is made by writing what is pending; the caller retries when writable.
        return result;
      }
      netOut = grow(netOut, engine.getSession().getPacketBufferSize(), true).flip();
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

  private boolean flushNetOut() throws IOException {
    while (netOut.hasRemaining()) {
      if (socket.write(netOut) == 0) {
        return false;
      }
    }
    return true;
  }

  @Override
  public boolean hasBufferedReads() {
    return appIn.position() > 0 || netIn.position() > 0;
  }

  @Override
  public boolean flushPending() throws IOException {
    return flushNetOut();
  }

  @Override
  public boolean hasPendingWrites() {
    return netOut.hasRemaining();
  }

  @Override
  public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
    long consumed = 0;
    while (flushNetOut() && hasRemaining(srcs, offset, length)) {
      SSLEngineResult result = wrap(srcs, offset, length);
      consumed += result.bytesConsumed();
      if (result.bytesConsumed() == 0 && !netOut.hasRemaining()) {
        break;
      }
    }
    flushNetOut();
    return consumed;
  }

  private static boolean hasRemaining(ByteBuffer[] srcs, int offset, int length) {
    for (int i = offset; i < offset + length; i++) {
      if (srcs[i].hasRemaining()) {
        return true;
      }
    }
    return false;
  }

  @Override
  public long write(ByteBuffer[] srcs) throws IOException {
    return write(srcs, 0, srcs.length);
  }

  @Override
  public int write(ByteBuffer src) throws IOException {
    return (int) write(new ByteBuffer[] {src}, 0, 1);
  }

  /**
   * Encrypts a file region one TLS record at a time: read one record's plaintext into the reused
   * direct chunk, wrap it whole into {@code netOut}, write; stops when the socket is full (the rest
   * is read again next time).
   */
  @Override
  public long transferFrom(FileChannel fileChannel, long position, long count) throws IOException {
    if (fileChunk == null) {
      // One TLS record carries at most 16 KiB of plaintext: one chunk, one record.
      fileChunk =
          ByteBuffer.allocateDirect(
              Math.min(MAX_RECORD_PLAINTEXT, engine.getSession().getApplicationBufferSize()));
    }
    long transferred = 0;
    while (transferred < count && flushNetOut()) {
      fileChunk.clear();
      fileChunk.limit((int) Math.min(recordPlaintext, count - transferred));
      int read = fileChannel.read(fileChunk, position + transferred);
      if (read <= 0) {
        break;
      }
      fileChunk.flip();
      boolean firstRecord = true;
      while (fileChunk.hasRemaining()) {
        SSLEngineResult result = wrap(fileChunk);
        transferred += result.bytesConsumed();
        if (firstRecord && fileChunk.hasRemaining() && result.bytesConsumed() > 0) {
          // netOut was empty, so the engine stopped at its record size, not for lack of room.
          recordPlaintext = result.bytesConsumed();
        }
        firstRecord = false;
        if (fileChunk.hasRemaining() && !flushNetOut()) {
          // Unencrypted rest of the chunk is read again on the next call.
          return transferred;
        }
      }
    }
    flushNetOut();
    return transferred;
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
      engine.closeOutbound();
      if (ready && flushNetOut()) {
        wrapClosing();
        flushNetOut();
      }
    } catch (IOException | RuntimeException e) {
      // Best effort: the socket closes either way.
    } finally {
      socket.close();
    }
  }
}
